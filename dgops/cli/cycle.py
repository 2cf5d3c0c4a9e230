"""`dgops cycle`: survey cycles."""

from __future__ import annotations

import datetime as dt

import typer

from dgops.cli._common import actor, console, database, fail
from dgops.cycles import CycleError, create_cycle, list_cycles

app = typer.Typer(help="Survey cycles (one per Buddhist-era year).", no_args_is_help=True)


@app.command("create")
def create_cmd(
    year: int = typer.Option(..., help="Survey year, Buddhist era (2566) or Gregorian (2023)."),
    open_date: dt.datetime = typer.Option(
        ..., "--open", formats=["%Y-%m-%d"], help="Fieldwork opens (YYYY-MM-DD, Gregorian)."
    ),
    deadline: dt.datetime = typer.Option(
        ..., formats=["%Y-%m-%d"], help="Response deadline (YYYY-MM-DD, Gregorian)."
    ),
    framework: str | None = typer.Option(None, help="Framework version (default: the year)."),
    title: str | None = typer.Option(None, help="Thai title of the survey."),
) -> None:
    """Create a survey cycle."""
    try:
        with database() as db, db.begin() as session:
            cycle = create_cycle(
                session,
                year=year,
                open_date=open_date.date(),
                deadline=deadline.date(),
                framework_version=framework,
                title_th=title,
                actor=actor(),
            )
            console.print(
                f"created cycle {cycle.year_be} ({cycle.year_ce}), "
                f"framework {cycle.framework_version}, deadline {cycle.deadline}"
            )
    except CycleError as exc:
        fail(str(exc))


@app.command("list")
def list_cmd() -> None:
    """List the survey cycles."""
    with database() as db, db.begin() as session:
        for c in list_cycles(session):
            console.print(
                f"{c.year_be} ({c.year_ce})  framework {c.framework_version}  "
                f"{c.open_date} → {c.deadline}  {c.status.value}"
            )
