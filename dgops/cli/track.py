"""`dgops track`: response rates, agencies' progress, daily snapshots, projection, laggards."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import typer
from rich.table import Table

from dgops.cli._common import console, database, fail
from dgops.cycles import CycleError
from dgops.fieldwork import (
    GROUP_FIELDS,
    agency_progress,
    behind_groups,
    project_rate,
    response_rates,
    take_snapshot,
)

app = typer.Typer(help="ติดตามการตอบแบบสำรวจ / fieldwork tracking.", no_args_is_help=True)

CYCLE = typer.Option(..., help="Survey year (BE 2566 or CE 2023).")
TODAY = typer.Option(None, help="The day to act as (YYYY-MM-DD); default today.")


def parse_day(value: str | None) -> dt.date:
    """The ``--today`` (or any YYYY-MM-DD) option as a date; today when not given."""
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"--today: ไม่ใช่วันที่ YYYY-MM-DD / not a date: {value}")


def _filters(values: list[str]) -> dict[str, str]:
    out = {}
    for item in values:
        key, _, val = item.partition("=")
        if key not in GROUP_FIELDS or not val:
            fail(f"--filter FIELD=VALUE with FIELD in {', '.join(GROUP_FIELDS)}: {item}")
        out[key] = val
    return out


def print_frame(frame: pd.DataFrame, title: str, limit: int | None = None) -> None:
    """Print a frame as a table (its first ``limit`` rows when given)."""
    table = Table(title=title)
    shown = frame.reset_index() if frame.index.name else frame
    for col in shown.columns:
        table.add_column(str(col))
    for row in shown.head(limit).itertuples(index=False) if limit else shown.itertuples(False):
        table.add_row(*("" if pd.isna(v) else str(v) for v in row))
    console.print(table)


@app.command("snapshot")
def snapshot_cmd(cycle: int = CYCLE, today: str | None = TODAY) -> None:
    """Store the day's counts per group (a re-run of the day replaces it)."""
    day = parse_day(today)
    try:
        with database().begin() as session:
            n = take_snapshot(session, cycle, day)
    except CycleError as exc:
        fail(str(exc))
    console.print(f"บันทึกภาพรวมวันที่ {day} แล้ว {n} แถว / snapshot rows: {n}")


@app.command("rates")
def rates_cmd(
    cycle: int = CYCLE,
    by: str | None = typer.Option(None, help=f"Group by one of {', '.join(GROUP_FIELDS)}."),
    filter: list[str] = typer.Option([], "--filter", help="FIELD=VALUE (repeat)."),
) -> None:
    """Response counts by status and rate (%), with targets and gaps."""
    try:
        with database().begin() as session:
            frame = response_rates(session, cycle, by=by, filters=_filters(filter))
    except (CycleError, ValueError) as exc:
        fail(str(exc))
    print_frame(frame, f"อัตราการตอบ / response rates {cycle}")


@app.command("agencies")
def agencies_cmd(
    cycle: int = CYCLE,
    today: str | None = TODAY,
    status: str | None = typer.Option(None, help="Only this status."),
    nonresponders: bool = typer.Option(False, "--nonresponders", help="Only non-responders."),
    filter: list[str] = typer.Option([], "--filter", help="FIELD=VALUE (repeat)."),
    out: str | None = typer.Option(None, help="Write all rows to this CSV file."),
    limit: int = typer.Option(50, help="Rows to print."),
) -> None:
    """Each agency: status, days since invitation, reminders, last e-mail event, days stuck."""
    try:
        with database().begin() as session:
            frame = agency_progress(
                session,
                cycle,
                filters=_filters(filter),
                status=status,
                only_nonresponders=nonresponders,
                today=parse_day(today),
            )
    except (CycleError, ValueError) as exc:
        fail(str(exc))
    if out:
        frame.to_csv(out, index=False, encoding="utf-8-sig")
        console.print(f"เขียน {len(frame)} แถว: {out}")
    cols = [
        "code",
        "name_th",
        "status",
        "days_since_invitation",
        "reminders_sent",
        "last_email_event",
        "days_in_status",
        "contact_phone",
        "bounced",
        "reminder_hold",
    ]
    print_frame(frame[cols], f"หน่วยงาน / agencies ({len(frame)})", limit)


@app.command("project")
def project_cmd(
    cycle: int = CYCLE,
    today: str | None = TODAY,
    by: str | None = typer.Option(None, help="Group field."),
    value: str | None = typer.Option(None, help="Group value."),
) -> None:
    """Projected rate at the deadline with its 95% band."""
    try:
        with database().begin() as session:
            p = project_rate(session, cycle, by=by, value=value, today=parse_day(today))
    except (CycleError, ValueError) as exc:
        fail(str(exc))
    console.print(
        f"ตอนนี้ {p.rate_now:.1f}% → คาดการณ์ ณ วันสิ้นสุด {p.expected_at_deadline:.1f}% "
        f"(ช่วง {p.low:.1f}–{p.high:.1f}), อีก {p.days_to_deadline} วัน, วิธี {p.method}"
    )


@app.command("behind")
def behind_cmd(cycle: int = CYCLE, today: str | None = TODAY) -> None:
    """Groups under their expected curve (exit code 3 when any)."""
    try:
        with database().begin() as session:
            frame = behind_groups(session, cycle, parse_day(today))
    except CycleError as exc:
        fail(str(exc))
    if frame.empty:
        console.print("ไม่มีกลุ่มที่ล่าช้า / no group behind")
        return
    print_frame(frame, "กลุ่มที่ต่ำกว่าเส้นที่คาดไว้ / groups behind")
    raise typer.Exit(3)


COMMANDS = {"track": app}
