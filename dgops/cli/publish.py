"""`dgops publish` (the seminar package of a released run) and `dgops coding` (free-text
answers coded through an XLSX round trip)."""

from __future__ import annotations

from pathlib import Path

import typer

from dgops.cli._common import actor, console, database, fail

publish_app = typer.Typer(
    help="Build the seminar package (report, tables, slides, charts, open data) of a released run.",
    invoke_without_command=True,
)
coding_app = typer.Typer(
    help="Code free-text answers: export with suggestions, import confirmed codes."
)
COMMANDS = {"publish": publish_app, "coding": coding_app}


@publish_app.callback()
def publish_cmd(
    cycle: int = typer.Option(..., help="Survey year (BE 2566 or CE 2023)."),
    out: Path = typer.Option(..., help="Folder the dated package folder is written into."),
    slides: bool = typer.Option(True, help="Also write the PPTX slides."),
) -> None:
    """Write the package of the cycle's released run and print its folder."""
    from dgops.publish import CodingError, publish_cycle
    from dgops.results import ReleaseError

    try:
        with database().begin() as session:
            outcome = publish_cycle(session, cycle, out, slides=slides)
    except (ReleaseError, CodingError) as exc:
        fail(str(exc))
    for part, seconds in outcome.timings.items():
        console.print(f"  {part}: {seconds:.2f} s")
    console.print(
        f"{outcome.n_tables} tables, {len(outcome.files)} files, {outcome.uncoded} uncoded answers"
    )
    console.print(str(outcome.folder))


@coding_app.command("export")
def coding_export(
    cycle: int = typer.Option(..., help="Survey year (BE or CE)."),
    out: Path = typer.Option(..., help="The coding workbook to write (.xlsx)."),
    config: Path | None = typer.Option(None, help="Publication config (default: the framework's)."),
) -> None:
    """Write every answer of the coded questions with a suggested code, for confirmation."""
    from dgops.publish import CodingError, export_coding

    try:
        with database().begin() as session:
            done = export_coding(session, cycle, out, config_path=config)
    except CodingError as exc:
        fail(str(exc))
    for q, (n, suggested, confirmed) in done.counts.items():
        console.print(f"{q}: {n} answers, {suggested} with a suggestion, {confirmed} confirmed")
    console.print(str(done.path))


@coding_app.command("import")
def coding_import(
    path: Path = typer.Argument(..., help="The coding workbook with the column รหัสที่ยืนยัน."),
    cycle: int = typer.Option(..., help="Survey year (BE or CE)."),
    config: Path | None = typer.Option(None, help="Publication config (default: the framework's)."),
) -> None:
    """Store the confirmed codes (all or nothing: every problem is listed with its cell)."""
    from dgops.publish import CodingError, import_coding

    try:
        with database().begin() as session:
            done = import_coding(session, cycle, path, actor=actor(), config_path=config)
    except CodingError as exc:
        fail(str(exc))
    for q, (n, changed) in done.counts.items():
        console.print(f"{q}: {n} confirmed codes, {changed} changed")
