"""Airflow for the DAG and plugin tests: an isolated AIRFLOW_HOME, set before anything imports
airflow.

Airflow reads its configuration when it is first imported, so the conftest files of tests/dags
and tests/plugins call :func:`isolate_airflow` when pytest loads them (collection), not in a
fixture. One home per xdist worker; whichever conftest loads first creates it.

Airflow as a running service (`.ci/airflow-up`, the REST API) for tests/scheduler and the year
benchmark is :mod:`dgops_devtools.airflow`, not this in-process set-up.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def isolate_airflow() -> Path:
    """Point Airflow at a temporary home with the project's DAGs and plugins; returns it."""
    key = f"DGOPS_TEST_AIRFLOW_HOME_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    if key not in os.environ:
        os.environ[key] = tempfile.mkdtemp(prefix="dgops-airflow-")
        atexit.register(shutil.rmtree, os.environ[key], ignore_errors=True)
    home = Path(os.environ[key])
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        }
    )
    return home
