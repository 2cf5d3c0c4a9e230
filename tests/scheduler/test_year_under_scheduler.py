"""The survey year under a real Airflow scheduler, driven as an operator would drive it.

`.ci/airflow-up` (the `make up` mechanism) in a temporary AIRFLOW_HOME and DGOPS_VAR_DIR, then
only the REST API: trigger the registry import with a small demo registry, and watch the assets
chain the rest — invitations start by themselves, then a fieldwork run; agencies answer; a
fieldwork day is replayed for a past date (a backfill), it announces the submitted responses and
the quality checks start by themselves. The survey database is checked at the end.

Two set-ups, one file (one xdist worker with ``--dist loadfile``; they run one after the other):
LocalExecutor on SQLite (what `make up` gives a developer), and the distributed path —
CeleryExecutor with Airflow's metadata in PostgreSQL, a Redis broker and two Celery workers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from dgops.db import Database, make_engine, upgrade
from dgops.settings import Settings
from dgops_devtools.airflow import AirflowUp, Api, free_port, sendgrid_connection

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

YEAR = 2566
"""The demo year (fieldwork 3 July – 31 August 2023): in the past, so the fieldwork day is a
replay with a past logical date, and the run the invitations start finds no window today."""
FIELDWORK_DAY = "2023-07-10T03:00:00Z"
"""10:00 on Monday 10 July 2023 in Bangkok: office hours of a working day in the window."""
DAGS = [
    "dgops_registry",
    "dgops_invite",
    "dgops_fieldwork",
    "dgops_quality",
    "dgops_results",
    "dgops_publish",
]
IN_CI = os.environ.get("CI") == "true"


@dataclass
class Year:
    """What a test set up: the survey database, the registry file, the mail sink."""

    db: Database
    registry_file: Path
    agencies: int


def _survey(db_url: str, var_dir: Path) -> Year:
    """A migrated survey database with the demo cycle, and a small demo registry file (the
    2023 demo's first 16 departments and last 4 provincial CIO committees)."""
    from dgops.cycles import create_cycle
    from dgops.demo import generate_registry
    from dgops.demo.run import cycle_dates
    from dgops.registry import write_registry_xlsx

    engine = make_engine(db_url)
    upgrade(engine, settings=Settings(var_dir=var_dir, database_url=db_url))
    db = Database(engine)
    open_date, deadline = cycle_dates(YEAR)
    with db.begin() as session:
        create_cycle(
            session,
            year=YEAR,
            open_date=open_date,
            deadline=deadline,
            framework_version=str(YEAR),
            actor="test",
        )
    records = generate_registry("2023", seed=YEAR)
    subset = records[:16] + records[-4:]
    path = var_dir / "registry.xlsx"
    write_registry_xlsx(subset, path)
    return Year(db=db, registry_file=path, agencies=len(subset))


def _answer(year: Year, var_dir: Path) -> int:
    """Every invited agency answers and submits online (what the portal would store), and the
    central systems' external inputs are left in the inbox for scoring; returns how many
    responses await the checks."""
    from dgops.cycles import get_cycle
    from dgops.demo import store_demo_responses
    from dgops.demo.responses import write_demo_external
    from dgops.framework import load_framework

    with year.db.begin() as session:
        counts = store_demo_responses(
            session, YEAR, YEAR, share=1.0, verified_share=0.0, evidence_root=var_dir / "evidence"
        )
        cycle = get_cycle(session, YEAR)
        write_demo_external(
            session,
            cycle.id,
            load_framework(cycle.framework_version),
            var_dir / "inbox" / f"external-{YEAR}.csv",
            seed=YEAR,
        )
    return int(counts["submitted"])


def _release(year: Year) -> int:
    """The operator checks the draft and releases it (what `dgops results release` does)."""
    from dgops.cycles import get_cycle
    from dgops.results import current_run, release_run

    with year.db.begin() as session:
        cycle = get_cycle(session, YEAR)
        run = current_run(session, cycle.id)
        assert run is not None
        release_run(session, cycle.id, run.id, actor="operator")
        return run.id


def _run_year(api: Api, year: Year, var_dir: Path) -> None:
    """The year through the REST API only; every stage after the registry starts by an asset."""
    from dgops.mail import MailMessage
    from dgops.registry.models import Agency
    from dgops.responses.models import Response
    from dgops.results.models import ResultLetter

    api.wait_for_dags(DAGS)
    for dag_id in DAGS:
        api.unpause(dag_id)

    # 1. The operator imports the registry (a run without a logical date, as the UI does).
    run_id = api.trigger(
        "dgops_registry", {"cycle_year": YEAR, "registry_file": str(year.registry_file)}
    )
    api.wait_run("dgops_registry", run_id)

    # 2. registry imported → invitations, by itself, for the event's year.
    invite = api.wait_triggered_run("dgops_invite")
    assert api.task_states("dgops_invite", invite["dag_run_id"])["invitations_sent"] == "success"

    # 3. invitations sent → a fieldwork run at once; today is outside 2566's window: it stops.
    first_day = api.wait_triggered_run("dgops_fieldwork")
    states = api.task_states("dgops_fieldwork", first_day["dag_run_id"])
    assert states["in_window"] == "success"
    assert states["snapshot"] == "skipped"

    # 4. Agencies answer; a past fieldwork day is replayed (a backfill of 10 July 2023).
    waiting = _answer(year, var_dir)
    assert waiting == year.agencies
    day_run = api.trigger("dgops_fieldwork", {}, logical_date=FIELDWORK_DAY)
    api.wait_run("dgops_fieldwork", day_run)
    day_states = api.task_states("dgops_fieldwork", day_run)
    assert day_states["wait_office_hours"] == "success"  # a past day's 08:30 is over
    assert day_states["responses_submitted"] == "success"

    # 5. responses submitted → quality checks, by themselves.
    quality = api.wait_triggered_run("dgops_quality")
    quality_states = api.task_states("dgops_quality", quality["dag_run_id"])

    with year.db.begin() as session:
        # (the managers' digest files its e-mails under an inactive pseudo-agency)
        codes = sorted(session.scalars(select(Agency.code).where(Agency.active)))
        ledger_rows = session.execute(
            select(MailMessage.kind, func.count())
            .where(MailMessage.status == "accepted")
            .group_by(MailMessage.kind)
        ).all()
        status_rows = session.execute(
            select(Response.status, func.count()).group_by(Response.status)
        ).all()
    ledger = {str(kind): int(n) for kind, n in ledger_rows}
    assert len(codes) == year.agencies, ", ".join(codes)
    assert ledger["invitation"] == year.agencies
    statuses = {str(getattr(k, "value", k)): int(v) for k, v in status_rows}
    assert "submitted" not in statuses, statuses  # every submitted response was checked
    assert sum(statuses.values()) == year.agencies
    expected = "success" if statuses.get("verified") else "skipped"
    assert quality_states["quality_verified"] == expected
    assert statuses.get("verified"), statuses  # the year goes on to the results

    # 6. quality verified → results: a draft is scored and advised, then waits for a person.
    results = api.first_run("dgops_results")
    api.wait_task("dgops_results", results, "wait_for_release", {"up_for_reschedule", "running"})
    with year.db.begin() as session:
        assert session.scalar(select(func.count()).select_from(ResultLetter)) == 0
    run_id = _release(year)
    api.wait_run("dgops_results", results, timeout=300)
    # 7. results released → the publication package, by itself.
    api.wait_triggered_run("dgops_publish", timeout=300)

    with year.db.begin() as session:
        letters = session.scalar(
            select(func.count()).select_from(ResultLetter).where(ResultLetter.run_id == run_id)
        )
        sent = session.scalar(
            select(func.count())
            .select_from(MailMessage)
            .where(MailMessage.kind == "result", MailMessage.status == "accepted")
        )
    assert letters == sent == year.agencies
    packages = list((var_dir / "publication").glob(f"dgrs-{YEAR}-r{run_id}-*/manifest.json"))
    assert len(packages) == 1


def _listening_beyond_loopback(up: AirflowUp) -> list[str]:
    """Listening sockets of Airflow's process group that are not on a loopback address."""
    psutil = pytest.importorskip("psutil")
    assert up.proc is not None
    group = os.getpgid(up.proc.pid)
    wide = []
    for proc in psutil.process_iter(["pid", "name"]):
        try:
            if os.getpgid(proc.pid) != group:
                continue
            for conn in proc.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN and conn.laddr.ip not in {"127.0.0.1", "::1"}:
                    wide.append(f"{proc.info['name']} ({proc.pid}) on {conn.laddr}")
        except (psutil.NoSuchProcess, psutil.AccessDenied, ProcessLookupError):
            continue
    return wide


@pytest.fixture
def sink() -> Iterator[Any]:
    from dgops_devtools import SinkServer

    with SinkServer(api_key="SG.scheduler-test") as server:
        yield server


def _up_and_run(tmp_path: Path, sink: Any, db_url: str, extra_env: dict[str, str]) -> None:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    year = _survey(db_url, var_dir)
    up = AirflowUp(
        home=tmp_path / "airflow-home",
        env={
            "DGOPS_VAR_DIR": str(var_dir),
            "DGOPS_DATABASE_URL": db_url,
            "AIRFLOW_CONN_DGOPS_SENDGRID": sendgrid_connection(sink.url, "SG.scheduler-test"),
            "DGOPS_RESULTS_POKE_SECONDS": "5",
            **extra_env,
        },
    )
    try:
        api = Api(up.url, up.start())
        assert _listening_beyond_loopback(up) == []
        try:
            _run_year(api, year, var_dir)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- airflow-up output:\n{up.log_tail(40)}") from exc
        assert len(sink.received()) >= year.agencies  # invitations (+ clarifications)
    finally:
        up.stop()
        year.db.dispose()


def test_should_run_the_year_under_the_scheduler_on_sqlite(tmp_path: Path, sink: Any) -> None:
    db_url = f"sqlite:///{tmp_path / 'var-db' / 'dgops.sqlite'}"
    (tmp_path / "var-db").mkdir()

    _up_and_run(tmp_path, sink, db_url, {})


# ---------------------------------------------------------------- the distributed path


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A throw-away redis-server on a free loopback port (no persistence)."""
    server = shutil.which("redis-server")
    if server is None:
        if IN_CI:
            pytest.fail("CI=true but redis-server is missing: .ci/system-deps installs it")
        pytest.skip("redis-server not installed (Debian package redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with __import__("socket").create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def postgres_databases() -> Iterator[tuple[str, str]]:
    """Two fresh databases on the test PostgreSQL server: Airflow's metadata, the survey's."""
    admin_url = os.environ.get("DGOPS_TEST_POSTGRES_URL")
    if not admin_url:
        if IN_CI:
            pytest.fail("CI=true but DGOPS_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL not available (DGOPS_TEST_POSTGRES_URL is not set)")
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    names = [f"dgops_af_{uuid.uuid4().hex[:8]}", f"dgops_sv_{uuid.uuid4().hex[:8]}"]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url)
    try:
        yield (
            url.set(drivername="postgresql+psycopg", database=names[0]).render_as_string(
                hide_password=False
            ),
            url.set(database=names[1]).render_as_string(hide_password=False),
        )
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_should_run_the_year_with_celery_workers_postgres_and_redis(
    tmp_path: Path, sink: Any, redis_url: str, postgres_databases: tuple[str, str]
) -> None:
    airflow_db, survey_db = postgres_databases
    celery = {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": airflow_db,
        # Airflow's async engine: psycopg 3 (installed) rather than its default asyncpg.
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": airflow_db.replace(
            "postgresql+psycopg://", "postgresql+psycopg_async://", 1
        ),
        "AIRFLOW__CELERY__BROKER_URL": redis_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + airflow_db,
        "DGOPS_CELERY_WORKERS": "2",
        "DGOPS_CELERY_CONCURRENCY": "2",
    }

    _up_and_run(tmp_path, sink, survey_db, celery)
