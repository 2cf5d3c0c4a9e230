"""Airflow glue for dgops: hooks that hand dgops functions what they need from Airflow.

Importable from task code because Airflow puts the plugins folder on ``sys.path``; it is listed
in ``plugins/.airflowignore`` so the plugin manager does not import it a second time.
"""

from __future__ import annotations

from dgops_airflow.hooks import DgopsDatabaseHook, sqlalchemy_url
from dgops_airflow.sendgrid import SendGridHook, mail_config

__all__ = ["DgopsDatabaseHook", "SendGridHook", "mail_config", "sqlalchemy_url"]
