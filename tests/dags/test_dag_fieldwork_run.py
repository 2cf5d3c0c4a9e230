"""``dgops_fieldwork`` end to end under ``dag.test()``: a day of fieldwork on a temporary SQLite
dgops database, reminders to a local SendGrid sink, the call list in a temporary var folder.

The day comes from the run's logical date (Bangkok): 10:00 on Tuesday 8 July 2025, a Thai
working day, one week after the invitations (the policy's first round). The ``TimeSensor``
waits for 08:30 on the *wall clock* of the day the DAG was parsed, whatever the logical date,
so the tests mark it successful with ``mark_success_pattern`` (dag.test's own switch for this)
instead of running it; ``send_reminders`` acts at the logical moment because the run is not for
today.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from dgops.thai import BANGKOK

pytest.importorskip("airflow")

pytestmark = [
    pytest.mark.airflow,
    # dag.test's in-process execution API imports starlette's TestClient (httpx warning).
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
]


YEAR = 2568
OPEN = dt.date(2025, 7, 1)
DEADLINE = dt.date(2025, 8, 29)
DAY = dt.date(2025, 7, 8)  # Tuesday, a working day; round 1 = invitation + 7 days
IN_WINDOW = dt.datetime(2025, 7, 8, 10, 0, tzinfo=BANGKOK)
AFTER_WINDOW = dt.datetime(2025, 10, 15, 10, 0, tzinfo=BANGKOK)
NOT_STARTED = ("FW001", "FW002")
SUBMITTED = "FW003"
BOUNCED = "FW004"  # not started, its coordinator's address bounced: on the call list
SENSOR = "wait_office_hours"


@pytest.fixture
def fieldwork_world(sqlite_engine: Engine) -> Engine:
    """Cycle 2568 (1 Jul – 29 Aug 2025), four enrolled agencies invited on the opening day."""
    from dgops.cycles import create_cycle
    from dgops.db import Database
    from dgops.mail import CorrectionStatus, MailCorrection, MailMessage, SendStatus
    from dgops.registry.models import Agency, AgencyLevel, Contact, ContactRole, CycleAgency
    from dgops.responses.models import Response, ResponseStatus

    invited_at = dt.datetime.combine(OPEN, dt.time(9), tzinfo=BANGKOK)
    with Database(sqlite_engine).begin() as session:
        cycle = create_cycle(session, year=YEAR, open_date=OPEN, deadline=DEADLINE, actor="test")
        for code in (*NOT_STARTED, SUBMITTED, BOUNCED):
            low = code.lower()
            agency = Agency(code=code, name_th=f"กรมทดสอบ {code}", level=AgencyLevel.DEPARTMENT)
            agency.contacts = [
                Contact(
                    role=ContactRole.HEAD, name=f"อธิบดี {code}", email=f"head@{low}.example.org"
                ),
                Contact(
                    role=ContactRole.COORDINATOR,
                    name=f"ผู้ประสาน {code}",
                    email=f"it@{low}.example.org",
                    phone="02 123 4567",
                ),
            ]
            session.add(agency)
            session.flush()
            session.add(CycleAgency(cycle_id=cycle.id, agency_id=agency.id))
            session.add(
                MailMessage(
                    cycle_id=cycle.id,
                    agency_id=agency.id,
                    kind="invitation",
                    round=1,
                    message_key=str(uuid.uuid4()),
                    status=SendStatus.ACCEPTED,
                    accepted_at=invited_at,
                )
            )
            if code == SUBMITTED:
                session.add(
                    Response(
                        cycle_id=cycle.id,
                        agency_id=agency.id,
                        status=ResponseStatus.SUBMITTED,
                        submitted_at=invited_at + dt.timedelta(days=2),
                    )
                )
            if code == BOUNCED:
                session.add(
                    MailCorrection(
                        email=f"it@{low}.example.org",
                        agency_id=agency.id,
                        event="bounce",
                        status=CorrectionStatus.OPEN,
                    )
                )
    return sqlite_engine


@pytest.fixture
def fieldwork_dag(airflow_metadata_db: None) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(Path(__file__).resolve().parents[2] / "dags"))
    assert bag.import_errors == {}
    return bag.dags["dgops_fieldwork"]


def _states(run: Any) -> dict[str, str | None]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def _reminders(sink: Any) -> list[str]:
    return sorted(
        m.custom_args["dgops_agency"]
        for m in sink.received()
        if m.custom_args.get("dgops_kind") == "reminder"
    )


def _snapshot_days(engine: Engine) -> dict[dt.date, int]:
    from dgops.fieldwork.models import FieldworkSnapshot

    with engine.connect() as conn:
        rows = conn.execute(
            select(FieldworkSnapshot.day, func.count()).group_by(FieldworkSnapshot.day)
        )
        return {day: int(n) for day, n in rows}


def test_should_remind_the_invited_non_responders_once_snapshot_and_write_the_call_list(
    fieldwork_dag: Any,
    fieldwork_world: Engine,
    sink_connections: tuple[Path, Any],
    dgops_var_dir: Path,
) -> None:
    import pandas as pd

    conn_file, sink = sink_connections

    first = fieldwork_dag.test(
        logical_date=IN_WINDOW, conn_file_path=str(conn_file), mark_success_pattern=SENSOR
    )

    assert first.state == "success", _states(first)
    assert set(_states(first).values()) == {"success"}
    # The bounced agency is held back from e-mail (it goes on the call list); the policy names
    # no managers, so no digest either.
    reminded = _reminders(sink)
    assert reminded == sorted(NOT_STARTED)
    assert len(sink.received()) == len(NOT_STARTED)
    snapshots = _snapshot_days(fieldwork_world)
    assert set(snapshots) == {DAY}
    call_list = dgops_var_dir / "fieldwork" / f"call-list-{YEAR}-{DAY}.xlsx"
    assert call_list.is_file()
    assert BOUNCED in pd.read_excel(call_list).to_string()

    second = fieldwork_dag.test(
        logical_date=IN_WINDOW, conn_file_path=str(conn_file), mark_success_pattern=SENSOR
    )

    assert second.state == "success", _states(second)
    assert len(sink.received()) == len(NOT_STARTED)
    assert _snapshot_days(fieldwork_world) == snapshots  # the day's snapshot replaced, not added


def test_should_do_nothing_outside_the_fieldwork_window(
    fieldwork_dag: Any,
    fieldwork_world: Engine,
    sink_connections: tuple[Path, Any],
    dgops_var_dir: Path,
) -> None:
    conn_file, sink = sink_connections

    run = fieldwork_dag.test(
        logical_date=AFTER_WINDOW, conn_file_path=str(conn_file), mark_success_pattern=SENSOR
    )

    states = _states(run)
    assert states.pop("in_window") == "success"
    assert set(states.values()) == {"skipped"}
    assert sink.received() == []
    assert _snapshot_days(fieldwork_world) == {}
    assert not (dgops_var_dir / "fieldwork").exists()
