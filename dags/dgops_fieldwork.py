"""Fieldwork, every day of the window: snapshot, reminders, phone list, managers' digest.

Every task is one call into ``dgops.fieldwork``; the same steps without
Airflow are ``dgops track snapshot`` and ``dgops remind run|call-list|digest`` (``--today``).
dgops is imported inside the tasks so that parsing this file stays fast; ``dgops_airflow``
gives each task its database and mail configuration.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException
from dgops_airflow import (
    INVITATIONS_SENT,
    RESPONSES_SUBMITTED,
    RunDayTimeSensor,
    TaskEnv,
    announce,
    cycle_year_param,
    dgops_dag,
    xcom,
)

log = logging.getLogger(__name__)

OFFICE_OPENS = dt.time(8, 30)
"""Reminders wait for this time (Bangkok) of the run's day; the send step checks office hours
and Thai days off again."""

DOC_MD = """
### dgops_fieldwork — ติดตามการตอบแบบสำรวจรายวัน / daily fieldwork

**Owner:** survey-ops (ทีมปฏิบัติการสำรวจ). Runs every day at 00:00 Bangkok time, **and** as
soon as a year's invitations are sent (asset `dgops://invitations/sent`: a first snapshot right
away; `AssetOrTimeSchedule`, so the daily runs go on whatever the events). Outside a cycle's
fieldwork window (opening day to the latest deadline, extensions included) `in_window` stops the
run; a run started by the event acts on the event's year, and only inside its window.

Tasks: `in_window` (short-circuit) → `snapshot` (counts per group for the dashboard's trend) →
`responses_submitted` (produces the asset `dgops://responses/submitted` when responses await
the quality checks: `dgops_quality` starts) and `select_targets` (reminders due today, counts
only) → `wait_office_hours` (until 08:30 Bangkok of the run's day; reminders go out only in Thai
office hours on working days) → `send_reminders` (through the exactly-once mail ledger: kind
`reminder`, round = the policy round) → `call_list` (XLSX under `var/fieldwork/`) →
`manager_digest` (e-mail with the day's figures and a chart).

Params: `cycle_year` (พ.ศ.; empty = the cycle whose window contains the day).

**Past days** (a backfill, or *Trigger* with a past logical date): every task acts for the
run's day — snapshot and call list of that day, the office-hours wait is already over, and
reminders are sent as of the logical date-time. A run without a logical date (REST API
`logical_date: null`, asset events) acts for the moment it was queued.

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


def _cycle_year(env: TaskEnv) -> int | None:
    """The ``cycle_year`` param, else the cycle whose fieldwork window contains the run's day;
    a run started by an asset event: the event's year when the day is in its window."""
    from dgops.fieldwork import fieldwork_year

    with env.db.begin() as session:
        in_window = fieldwork_year(session, env.logical_day)
        if env.trigger_cycle_year is not None:
            return env.trigger_cycle_year if in_window == env.trigger_cycle_year else None
        chosen = env.params.get("cycle_year")
        return int(chosen) if chosen else in_window


def _year(env: TaskEnv) -> int:
    year = _cycle_year(env)
    if year is None:  # in_window stops such a run; this is a task cleared by hand
        raise AirflowFailException(f"{env.logical_day}: no cycle in its fieldwork window")
    return year


@task.short_circuit
def in_window() -> bool:
    """Go on only when the day is inside a cycle's fieldwork window."""
    from dgops_airflow import task_env

    with task_env() as env:
        year = _cycle_year(env)
    log.info("Day %s: cycle %s", env.logical_day, year)
    return year is not None


@task
def snapshot() -> int:
    """Store the day's counts per group."""
    from dgops_airflow import task_env

    from dgops.fieldwork import take_snapshot

    with task_env() as env:
        year = _year(env)
        with env.db.begin() as session:
            return take_snapshot(session, year, env.logical_day)


@task(outlets=[RESPONSES_SUBMITTED])
def responses_submitted() -> int:
    """Announce ``RESPONSES_SUBMITTED`` when responses await the quality checks (skipped when
    none do: no event, no quality run)."""
    from dgops_airflow import task_env

    from dgops.fieldwork import awaiting_checks

    with task_env() as env:
        year = _year(env)
        with env.db.begin() as session:
            waiting = awaiting_checks(session, year)
        if not waiting:
            raise AirflowSkipException(f"{year}: no submitted response awaits the checks")
        announce(RESPONSES_SUBMITTED, year)
    log.info("%s: %d submitted response(s) await the quality checks", year, waiting)
    return waiting


@task
def select_targets() -> dict[str, int]:
    """Which reminders are due today (counts by audience; the send step selects again)."""
    from collections import Counter

    from dgops_airflow import task_env

    from dgops.fieldwork import select_due

    with task_env() as env:
        year = _year(env)
        with env.db.begin() as session:
            plans = select_due(session, year, today=env.logical_day)
    counts = dict(Counter(p.audience for p in plans))
    log.info("Due today: %s", counts)
    return counts


@task
def send_reminders() -> dict[str, Any]:
    """Send the reminders due now through the mail ledger (counts only out)."""
    from dgops_airflow import task_env

    from dgops.fieldwork import run_reminders, send_moment

    with task_env() as env:
        now = send_moment(env.logical_day, env.logical_date, dt.datetime.now(dt.UTC))
        report = run_reminders(
            env.db,
            _year(env),
            now=now,
            mail_config=env.mail,
            actor=env.actor,
        )
    result = report.as_dict()
    log.info("Reminders: %s", result)
    return result


@task(trigger_rule="none_failed")
def call_list() -> dict[str, Any]:
    """Write the day's phone follow-up list (XLSX under var/fieldwork/)."""
    from dgops_airflow import task_env

    from dgops.fieldwork import call_list as make_call_list
    from dgops.fieldwork import write_call_list

    with task_env() as env:
        year, day = _year(env), env.logical_day
        with env.db.begin() as session:
            frame = make_call_list(session, year, today=day)
        path = env.settings.var_dir / "fieldwork" / f"call-list-{year}-{day}.xlsx"
    write_call_list(frame, path)
    return {"agencies": len(frame), "path": str(path)}


@task(trigger_rule="none_failed")
def manager_digest(calls: dict[str, Any]) -> dict[str, Any]:
    """E-mail the managers the day's figures and chart (once a day)."""
    from dgops_airflow import task_env

    from dgops.fieldwork import send_digest

    with task_env() as env:
        result = send_digest(
            env.db,
            _year(env),
            env.logical_day,
            env.mail,
            calls=int(calls["agencies"]),
            actor=env.actor,
        )
    log.info("Digest: %s", result)
    return result


@dgops_dag(
    "dgops_fieldwork",
    # Every day at midnight in Bangkok, and when a year's invitations are sent (a first
    # snapshot at once instead of at the next midnight).
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 0 * * *", timezone="Asia/Bangkok"),
        assets=INVITATIONS_SENT,
    ),
    # Before any survey year dgops may replay (the first survey was 2017): a run for a past
    # fieldwork day gets its tasks (a logical date before start_date would get none, silently);
    # catchup is off, so the scheduler still creates only the latest day.
    start_date=dt.date(2017, 1, 1),
    # A midnight run waits for office hours (08:30) before it sends.
    dagrun_timeout=dt.timedelta(hours=22),
    tags=["fieldwork"],
    doc_md=DOC_MD,
    cycle_year=cycle_year_param(when_empty="the cycle in its window"),
    retry_delay=dt.timedelta(minutes=5),
)
def dgops_fieldwork() -> None:
    start = in_window()
    snap = snapshot()
    targets = select_targets()
    # Runs start at midnight Bangkok time; e-mails wait for office hours of the run's own day
    # (a replay of a past day does not wait; the send step checks office hours again, and
    # sends nothing on a Thai day off).
    wait = RunDayTimeSensor(
        task_id="wait_office_hours",
        target_time=OFFICE_OPENS,
        mode="reschedule",
        poke_interval=600,
        timeout=dt.timedelta(hours=20).total_seconds(),
    )
    sent = send_reminders()
    calls = call_list()
    start >> snap >> targets >> wait >> sent >> calls
    snap >> responses_submitted()
    manager_digest(xcom(calls))


dgops_fieldwork()
