"""Airflow glue for dgops: hooks that hand dgops functions what they need from Airflow, the
environment of every task (:func:`task_env`) and the declaration every DAG shares
(:func:`dgops_dag`), and the Assets that chain the survey year's DAGs (``assets``).

Importable from DAG files and task code because Airflow puts the plugins folder on
``sys.path``; it is listed in ``plugins/.airflowignore`` so the plugin manager does not import
it a second time. Importing it is cheap (no dgops, no pandas; checked by the DAG tests):
DAG files import it at parse time.
"""

from __future__ import annotations

from dgops_airflow.assets import (
    INVITATIONS_SENT,
    QUALITY_VERIFIED,
    REGISTRY_IMPORTED,
    RESPONSES_SUBMITTED,
    RESULTS_RELEASED,
)
from dgops_airflow.hooks import DgopsDatabaseHook, sqlalchemy_url
from dgops_airflow.sendgrid import SendGridHook, mail_config
from dgops_airflow.sensors import RunDayTimeSensor
from dgops_airflow.tasks import (
    DAGRUN_TIMEOUT,
    DATA_ERRORS,
    EXECUTION_TIMEOUT,
    OWNER,
    RETRIES,
    TaskEnv,
    announce,
    cycle_year_from_trigger,
    cycle_year_param,
    default_args,
    dgops_dag,
    run_moment,
    task_env,
    xcom,
)

__all__ = [
    "DAGRUN_TIMEOUT",
    "DATA_ERRORS",
    "EXECUTION_TIMEOUT",
    "INVITATIONS_SENT",
    "OWNER",
    "QUALITY_VERIFIED",
    "REGISTRY_IMPORTED",
    "RESPONSES_SUBMITTED",
    "RESULTS_RELEASED",
    "RETRIES",
    "DgopsDatabaseHook",
    "RunDayTimeSensor",
    "SendGridHook",
    "TaskEnv",
    "announce",
    "cycle_year_from_trigger",
    "cycle_year_param",
    "default_args",
    "dgops_dag",
    "mail_config",
    "run_moment",
    "sqlalchemy_url",
    "task_env",
    "xcom",
]
