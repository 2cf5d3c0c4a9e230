"""`dgops remind`: reminder queue, the day's run, send-now, hold/cancel, extend, calls, digest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from dgops.cli._common import actor, console, database, fail
from dgops.cli.track import CYCLE, TODAY, parse_day, print_frame
from dgops.cycles import CycleError
from dgops.fieldwork import (
    HoldMode,
    Manager,
    ReminderError,
    call_list,
    extend_deadline,
    release_hold,
    reminder_queue,
    run_reminders,
    send_digest,
    send_now,
    set_hold,
    write_call_list,
)
from dgops.mail import MailConfig
from dgops.settings import get_settings
from dgops.thai import BANGKOK

app = typer.Typer(help="แจ้งเตือนหน่วยงาน / fieldwork reminders.", no_args_is_help=True)


def _now(today: str | None) -> tuple[dt.datetime, bool]:
    """(the moment to act at, whether office hours apply). ``--today`` acts at 10:00."""
    if today is None:
        return dt.datetime.now(BANGKOK), True
    return dt.datetime.combine(parse_day(today), dt.time(10), tzinfo=BANGKOK), False


@app.command("queue")
def queue_cmd(
    cycle: int = CYCLE,
    today: str | None = TODAY,
    horizon: int = typer.Option(14, help="Days ahead."),
    limit: int = typer.Option(100, help="Rows to print."),
) -> None:
    """Upcoming reminders (round, day, audience, wording, held)."""
    try:
        with database().begin() as session:
            frame = reminder_queue(session, cycle, today=parse_day(today), horizon_days=horizon)
    except CycleError as exc:
        fail(str(exc))
    print_frame(frame.drop(columns=["agency_id"]), f"คิวแจ้งเตือน / queue ({len(frame)})", limit)


@app.command("run")
def run_cmd(cycle: int = CYCLE, today: str | None = TODAY) -> None:
    """Send the reminders due now (office hours on Thai working days; never twice)."""
    now, hours = _now(today)
    try:
        report = run_reminders(
            database(),
            cycle,
            now=now,
            mail_config=MailConfig.from_settings(),
            actor=actor(),
            check_office_hours=hours,
        )
    except CycleError as exc:
        fail(str(exc))
    if report.skipped_reason:
        console.print(f"ไม่ส่ง / nothing sent: {report.skipped_reason}")
        return
    console.print(report.as_dict())


@app.command("send-now")
def send_now_cmd(
    cycle: int = CYCLE,
    agency: str = typer.Option(..., help="Agency code."),
    today: str | None = TODAY,
) -> None:
    """One reminder to one agency now (once per agency per day)."""
    try:
        report = send_now(
            database(),
            cycle,
            agency,
            today=parse_day(today),
            mail_config=MailConfig.from_settings(),
            actor=actor(),
        )
    except (CycleError, ReminderError) as exc:
        fail(str(exc))
    console.print(report.as_dict())


def _hold(cycle: int, agency: str, mode: HoldMode | None, reason: str) -> None:
    try:
        with database().begin() as session:
            if mode is None:
                done = release_hold(session, cycle, agency, actor=actor())
                console.print("ปลดการระงับแล้ว / released" if done else "ไม่ได้ระงับไว้ / none")
            else:
                set_hold(session, cycle, agency, mode, reason=reason, actor=actor())
                console.print(f"{agency}: {mode.value}")
    except (CycleError, ReminderError) as exc:
        fail(str(exc))


@app.command("hold")
def hold_cmd(
    cycle: int = CYCLE,
    agency: str = typer.Option(..., help="Agency code."),
    reason: str = typer.Option("", help="Why."),
    release: bool = typer.Option(False, "--release", help="Resume reminders."),
) -> None:
    """Pause an agency's reminders (or --release)."""
    _hold(cycle, agency, None if release else HoldMode.HOLD, reason)


@app.command("cancel")
def cancel_cmd(
    cycle: int = CYCLE,
    agency: str = typer.Option(..., help="Agency code."),
    reason: str = typer.Option("", help="Why."),
) -> None:
    """No more reminders for an agency this cycle (undo with `hold --release`)."""
    _hold(cycle, agency, HoldMode.CANCEL, reason)


@app.command("extend")
def extend_cmd(
    cycle: int = CYCLE,
    until: str = typer.Option(..., help="New deadline YYYY-MM-DD."),
    agency: str | None = typer.Option(None, help="Agency code."),
    group: str | None = typer.Option(None, help="FIELD=VALUE, e.g. level=provincial_office."),
    reason: str = typer.Option("", help="Why."),
) -> None:
    """Extend the deadline of an agency or a group; the schedule follows."""
    field, _, value = (group or "").partition("=")
    try:
        with database().begin() as session:
            ext = extend_deadline(
                session,
                cycle,
                parse_day(until),
                agency_code=agency,
                group_field=field or None,
                group_value=value or None,
                reason=reason,
                actor=actor(),
            )
            console.print(f"ขยายเวลาถึง {ext.new_deadline} / extended to {ext.new_deadline}")
    except (CycleError, ReminderError) as exc:
        fail(str(exc))


@app.command("call-list")
def call_list_cmd(
    cycle: int = CYCLE,
    today: str | None = TODAY,
    out: Path | None = typer.Option(None, help="XLSX path (default var/fieldwork/)."),
) -> None:
    """The prioritised phone follow-up list as XLSX."""
    day = parse_day(today)
    path = out or get_settings().var_dir / "fieldwork" / f"call-list-{cycle}-{day}.xlsx"
    try:
        with database().begin() as session:
            frame = call_list(session, cycle, today=day)
    except CycleError as exc:
        fail(str(exc))
    write_call_list(frame, path)
    console.print(f"{len(frame)} หน่วยงานที่ต้องโทรติดตาม / to call: {path}")


@app.command("digest")
def digest_cmd(
    cycle: int = CYCLE,
    today: str | None = TODAY,
    to: list[str] = typer.Option([], "--to", help="Manager e-mail (repeat); default policy."),
) -> None:
    """E-mail the managers the day's figures and chart (once a day)."""
    try:
        result = send_digest(
            database(),
            cycle,
            parse_day(today),
            MailConfig.from_settings(),
            managers=[Manager(t) for t in to] or None,
            actor=actor(),
        )
    except CycleError as exc:
        fail(str(exc))
    console.print(result)


COMMANDS = {"remind": app}
