"""Airflow for the DAG tests: an isolated AIRFLOW_HOME, set before anything imports airflow.

Airflow reads its configuration when it is first imported, so the environment is set when
pytest loads this file (collection), not in a fixture (see tests/airflow_home.py).
"""

from __future__ import annotations

from pathlib import Path

from airflow_home import isolate_airflow

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_HOME = isolate_airflow()
