"""Fieldwork, every day of the window: snapshot, reminders, phone list, managers' digest.

Every task is one call into ``dgops.tracking`` / ``dgops.reminders``; the same steps without
Airflow are ``dgops track snapshot`` and ``dgops remind run|call-list|digest`` (``--today``).
dgops is imported inside the tasks so that parsing this file stays fast.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from airflow.providers.standard.sensors.time import TimeSensor
from airflow.sdk import Param, dag, get_current_context, task

log = logging.getLogger(__name__)

OWNER = "survey-ops"

DOC_MD = """
### dgops_fieldwork — ติดตามการตอบแบบสำรวจรายวัน / daily fieldwork

**Owner:** survey-ops (ทีมปฏิบัติการสำรวจ). Runs `@daily`; outside a cycle's fieldwork window
(opening day to the latest deadline, extensions included) `in_window` stops the run.

Tasks: `in_window` (short-circuit) → `snapshot` (counts per group for the dashboard's trend) →
`select_targets` (reminders due today, counts only) → `wait_office_hours` (until 08:30 Bangkok;
reminders go out only in Thai office hours on working days) → `send_reminders` (through the
exactly-once mail ledger: kind `reminder`, round = the policy round) → `call_list` (XLSX under
`var/fieldwork/`) → `manager_digest` (e-mail with the day's figures and a chart).

Params: `cycle_year` (พ.ศ.; empty = the cycle whose window contains the day).

**Re-running is safe**: the snapshot of a day is replaced, a reminder round or the day's digest
already accepted by SendGrid is never sent again, and an agency that submitted before the send
gets nothing (statuses are read again right before each chunk is sent). A run for another day
than today sends as of its logical date-time: a scheduled run's midnight is outside office
hours (nothing sent); a manual run with a logical date of 10:00 that day sends that day's round.

**Triage**
- `send_reminders` failed: SendGrid or the database. Clear and re-run: only what was not
  accepted is sent. `dgops mail status --cycle YEAR --kind reminder` shows failed/held ones.
- Many `problems` in the send log: bounced addresses on the correction list
  (`dgops mail corrections`); those agencies appear on the call list.
- Policy (rounds, gaps, escalation, targets, managers): `templates/fieldwork/policy.yaml`,
  per cycle `policy-<year>.yaml`. Hold/cancel an agency: `dgops remind hold|cancel`.
- Connections: `dgops_db`, `dgops_sendgrid`.
"""


def _day() -> dt.date:
    logical = get_current_context()["logical_date"]
    return logical.astimezone(ZoneInfo("Asia/Bangkok")).date()


def _year(params: dict[str, Any], day: dt.date) -> int | None:
    from dgops_airflow import DgopsDatabaseHook

    from dgops.db import session_scope
    from dgops.tracking import fieldwork_cycle

    if params.get("cycle_year"):
        return int(params["cycle_year"])
    engine = DgopsDatabaseHook().get_engine()
    try:
        with session_scope(engine) as session:
            cycle = fieldwork_cycle(session, day)
            return None if cycle is None else cycle.year_be
    finally:
        engine.dispose()


@task.short_circuit
def in_window(params: dict[str, Any] | None = None) -> bool:
    """Go on only when the day is inside a cycle's fieldwork window."""
    assert params is not None
    day = _day()
    year = _year(params, day)
    log.info("Day %s: cycle %s", day, year)
    return year is not None


@task
def snapshot(params: dict[str, Any] | None = None) -> int:
    """Store the day's counts per group."""
    from dgops_airflow import DgopsDatabaseHook

    from dgops.db import session_scope
    from dgops.tracking import take_snapshot

    assert params is not None
    day = _day()
    year = _year(params, day)
    assert year is not None
    engine = DgopsDatabaseHook().get_engine()
    try:
        with session_scope(engine) as session:
            return take_snapshot(session, year, day)
    finally:
        engine.dispose()


@task
def select_targets(params: dict[str, Any] | None = None) -> dict[str, int]:
    """Which reminders are due today (counts by audience; the send step selects again)."""
    from collections import Counter

    from dgops_airflow import DgopsDatabaseHook

    from dgops.db import session_scope
    from dgops.reminders import select_due

    assert params is not None
    day = _day()
    year = _year(params, day)
    assert year is not None
    engine = DgopsDatabaseHook().get_engine()
    try:
        with session_scope(engine) as session:
            plans = select_due(session, year, today=day)
    finally:
        engine.dispose()
    counts = dict(Counter(p.audience for p in plans))
    log.info("Due today: %s", counts)
    return counts


@task
def send_reminders(
    params: dict[str, Any] | None = None, run_id: str | None = None
) -> dict[str, Any]:
    """Send the reminders due now through the mail ledger (counts only out)."""
    from dgops_airflow import DgopsDatabaseHook, SendGridHook

    from dgops.db import Database
    from dgops.reminders import run_reminders

    assert params is not None
    day = _day()
    year = _year(params, day)
    assert year is not None
    now = dt.datetime.now(dt.UTC)
    if now.astimezone(ZoneInfo("Asia/Bangkok")).date() != day:
        # A run for another day (re-run, manual logical date, test) acts at its logical moment:
        # a scheduled run's midnight is outside office hours, so a late retry sends nothing.
        now = get_current_context()["logical_date"]
    engine = DgopsDatabaseHook().get_engine()
    try:
        report = run_reminders(
            Database(engine),
            year,
            now=now,
            mail_config=SendGridHook().get_config(),
            actor=f"airflow:{run_id}",
        )
    finally:
        engine.dispose()
    result = report.as_dict()
    log.info("Reminders: %s", result)
    return result


@task(trigger_rule="none_failed")
def call_list(params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write the day's phone follow-up list (XLSX under var/fieldwork/)."""
    from dgops_airflow import DgopsDatabaseHook

    from dgops.db import session_scope
    from dgops.reminders import call_list as make_call_list
    from dgops.reminders import write_call_list
    from dgops.settings import get_settings

    assert params is not None
    day = _day()
    year = _year(params, day)
    assert year is not None
    engine = DgopsDatabaseHook().get_engine()
    try:
        with session_scope(engine) as session:
            frame = make_call_list(session, year, today=day)
    finally:
        engine.dispose()
    path = get_settings().var_dir / "fieldwork" / f"call-list-{year}-{day}.xlsx"
    write_call_list(frame, path)
    return {"agencies": len(frame), "path": str(path)}


@task(trigger_rule="none_failed")
def manager_digest(
    calls: dict[str, Any], params: dict[str, Any] | None = None, run_id: str | None = None
) -> dict[str, Any]:
    """E-mail the managers the day's figures and chart (once a day)."""
    from dgops_airflow import DgopsDatabaseHook, SendGridHook

    from dgops.db import Database
    from dgops.reminders import send_digest

    assert params is not None
    day = _day()
    year = _year(params, day)
    assert year is not None
    engine = DgopsDatabaseHook().get_engine()
    try:
        result = send_digest(
            Database(engine),
            year,
            day,
            SendGridHook().get_config(),
            calls=int(calls["agencies"]),
            actor=f"airflow:{run_id}",
        )
    finally:
        engine.dispose()
    log.info("Digest: %s", result)
    return result


@dag(
    dag_id="dgops_fieldwork",
    schedule="@daily",
    start_date=dt.datetime(2025, 1, 1, tzinfo=ZoneInfo("Asia/Bangkok")),
    catchup=False,
    max_active_runs=1,
    tags=["dgops", "fieldwork"],
    doc_md=DOC_MD,
    default_args={"owner": OWNER, "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    params={
        "cycle_year": Param(
            None,
            type=["null", "integer"],
            minimum=2560,
            maximum=2700,
            title="ปีการสำรวจ (พ.ศ.) / survey year; empty = the cycle in its window",
        ),
    },
)
def dgops_fieldwork() -> None:
    start = in_window()
    snap = snapshot()
    targets = select_targets()
    # Runs start at midnight Bangkok time; e-mails wait for office hours (the send step checks
    # them again, and sends nothing on a Thai day off).
    wait = TimeSensor(
        task_id="wait_office_hours",
        target_time=dt.time(8, 30),
        mode="reschedule",
        poke_interval=600,
    )
    sent = send_reminders()
    calls = call_list()
    start >> snap >> targets >> wait >> sent >> calls
    manager_digest(calls)


dgops_fieldwork()
