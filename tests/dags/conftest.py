"""Airflow for the DAG tests: an isolated AIRFLOW_HOME, set before anything imports airflow.

Airflow reads its configuration when it is first imported, so the environment is set when
pytest loads this file (collection), not in a fixture (see tests/airflow_home.py).
"""

from __future__ import annotations

from pathlib import Path

from airflow_home import isolate_airflow

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_HOME = isolate_airflow()


# ---------------------------------------------------------------- end-to-end runs (fixtures)
# Used by test_dag_quality_run.py and test_dag_fieldwork_run.py; the integrity module keeps its
# own ``dagbag`` / ``airflow_db`` fixtures.

import json  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import Engine  # noqa: E402


@pytest.fixture(scope="session")
def airflow_metadata_db() -> None:
    """The isolated Airflow metadata database, migrated once per session (``dag.test`` needs
    it; in-process ``upgradedb`` is several seconds faster than ``airflow db migrate``)."""
    pytest.importorskip("airflow")
    from airflow.utils.db import upgradedb

    upgradedb()


@pytest.fixture
def dgops_var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``DGOPS_VAR_DIR`` in a temporary folder, so the tasks' files (GE context, call lists)
    stay out of the repository's ``var/``; the settings cache is cleared around the test."""
    from dgops.settings import get_settings

    var = tmp_path / "var"
    var.mkdir()
    monkeypatch.setenv("DGOPS_VAR_DIR", str(var))
    get_settings.cache_clear()
    yield var
    get_settings.cache_clear()


@pytest.fixture
def fresh_secrets_backends() -> Iterator[None]:
    """Forget the secrets backends Airflow's SDK memoised in this process.

    ``ensure_secrets_loaded`` (airflow.sdk.configuration, 3.3) keeps the first custom backend it
    builds, so every later ``dag.test(conn_file_path=...)`` in the process would read the
    *first* test's connections file (a stale sink port: mail comes back ``deferred``).
    Cleared before the test and after it, so tests that follow start clean too.
    """
    from airflow.sdk.configuration import clear_secrets_backends_cache

    clear_secrets_backends_cache()
    yield
    clear_secrets_backends_cache()


@pytest.fixture
def sink_connections(
    tmp_path: Path, sqlite_engine: Engine, fresh_secrets_backends: None
) -> Iterator[tuple[Path, Any]]:
    """A local SendGrid sink and a connections file: ``dgops_db`` → the test database,
    ``dgops_sendgrid`` → the sink. Yields (connections file, sink)."""
    from dgops_devtools import SinkServer

    with SinkServer(api_key="SG.dag-e2e", outbox=tmp_path / "outbox") as sink:
        host, port = sink.url.removeprefix("http://").split(":")
        conns = {
            "dgops_db": {"conn_type": "sqlite", "host": sqlite_engine.url.database},
            "dgops_sendgrid": {
                "conn_type": "http",
                "host": host,
                "schema": "http",
                "port": int(port),
                "password": "SG.dag-e2e",
                "extra": {"activity_lag": 0},
            },
        }
        path = tmp_path / "connections.json"
        path.write_text(json.dumps(conns), encoding="utf-8")
        yield path, sink
