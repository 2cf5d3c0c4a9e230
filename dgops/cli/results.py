"""`dgops results`: release a scoring run, preview and send the result letters, follow them,
export the released results, and import earlier years' published scores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.table import Table

from dgops.cli._common import actor, console, database, fail

app = typer.Typer(
    help="Results to agencies: release a scoring run, result letters (preview, send, status), "
    "the operators' export, earlier years' published scores.",
    no_args_is_help=True,
)
letters_app = typer.Typer(help="Result letters.", no_args_is_help=True)
app.add_typer(letters_app, name="letters")
COMMANDS = {"results": app}

CYCLE = typer.Option(..., "--cycle", help="Survey year (BE 2566 or CE 2023).")


@app.command("release")
def release_cmd(
    cycle: int = CYCLE,
    run: int = typer.Option(
        ..., "--run", help="The scoring run to release (dgops score prints it)."
    ),
) -> None:
    """Release a scoring run: from now on agencies' letters and pages show it.

    Only the cycle's current run can be released, once it has recommendations. Releasing a
    run that replaces an earlier release (scored with --supersede) means `dgops results send`
    sends a correction letter to every agency already sent a letter whose results changed.
    """
    from dgops.cycles import CycleError, get_cycle
    from dgops.results import ReleaseError, release_run

    try:
        with database() as db, db.begin() as session:
            year = get_cycle(session, cycle)
            out = release_run(session, year.id, run, actor=actor())
    except (CycleError, ReleaseError) as exc:
        fail(str(exc))
    if out.already:
        console.print(
            f"run {out.run_id} was already released "
            f"({out.released_at:%Y-%m-%d %H:%M} UTC by {out.released_by})"
        )
        return
    console.print(f"released run {out.run_id} of {cycle} (by {out.released_by})")
    if out.replaces_run_id is not None:
        console.print(
            f"it replaces run {out.replaces_run_id}: agencies already sent a letter get a "
            f"correction letter with `dgops results send --cycle {cycle}`"
        )
    else:
        console.print(f"next: `dgops results send --cycle {cycle}`")


@letters_app.command("preview")
def preview_cmd(
    cycle: int = CYCLE,
    agency: list[str] = typer.Option(
        [], "--agency", help="Agency code (repeatable; default: the first three)."
    ),
    out: Path = typer.Option(Path("var/preview"), "--out", help="Folder for the sample letters."),
    fmt: str = typer.Option("pdf", "--format", help="pdf or docx."),
) -> None:
    """Render sample result letters of the released run, marked as samples; nothing is issued."""
    from dgops.cycles import CycleError, get_cycle
    from dgops.results import ReleaseError, ResultLetterInfo, load_results, render_result_letter
    from dgops.thai import local_date

    if fmt not in ("pdf", "docx"):
        fail("--format is pdf or docx")
    try:
        with database() as db, db.begin() as session:
            results = load_results(session, get_cycle(session, cycle))
    except (CycleError, ReleaseError) as exc:
        fail(str(exc))
    ids = results.agency_ids()
    codes = {str(results.agencies.at[i, "code"]): i for i in ids}
    wanted = agency or [str(results.agencies.at[i, "code"]) for i in ids[:3]]
    unknown = [c for c in wanted if c not in codes]
    if unknown:
        fail(f"not agencies of {cycle}'s results: {', '.join(unknown)}")
    out.mkdir(parents=True, exist_ok=True)
    today = local_date(dt.datetime.now(dt.UTC))
    for code in wanted:
        result = results.agency(codes[code])
        assert result is not None
        info = ResultLetterInfo(number="(ตัวอย่าง)", issued_on=today, run_id=results.run.id)
        path = out / f"preview-result-{code}.{fmt}"
        path.write_bytes(render_result_letter(result, info, fmt=fmt))  # type: ignore[arg-type]
        console.print(f"{path}")


@app.command("send")
def send_cmd(
    cycle: int = CYCLE,
    agency: list[str] = typer.Option([], "--agency", help="Only these agency codes (repeatable)."),
    date: str | None = typer.Option(None, "--date", help="Letter date YYYY-MM-DD (default today)."),
    batch_size: int = typer.Option(500, "--batch-size", min=1, help="Agencies per batch."),
) -> None:
    """Issue, render and e-mail the result letters of the released run (exactly once each).

    Safe to run again: letters keep their numbers, accepted e-mails are not sent again, and
    only what is missing goes out. After a superseding release, agencies already sent a letter
    whose results changed get a correction letter; unchanged ones get nothing new.
    """
    from dgops.cycles import CycleError
    from dgops.mail import MailConfig
    from dgops.results import ReleaseError, send_results
    from dgops.settings import get_settings

    settings = get_settings()
    issued_on = dt.date.fromisoformat(date) if date else None
    try:
        with database() as db:
            report = send_results(
                db,
                settings,
                MailConfig.from_settings(settings),
                cycle,
                actor=actor(),
                issued_on=issued_on,
                agency_codes=agency,
                batch_size=batch_size,
            )
    except (CycleError, ReleaseError, ValueError) as exc:
        fail(str(exc))
    issue = report.issue
    console.print(
        f"run {report.run_id}: letters issued now {issue.issued} (corrections {issue.corrections}),"
        f" issued before {issue.already}; rendered {report.rendered}; e-mails accepted "
        f"{report.accepted}, already sent {report.already_sent}"
    )
    if issue.unchanged:
        console.print(
            f"{len(issue.unchanged)} agencies' results did not change: no correction letter "
            f"({', '.join(issue.unchanged[:10])}{' ...' if len(issue.unchanged) > 10 else ''})"
        )
    for code, reason in report.failed_render:
        console.print(f"[red]letter not rendered[/] {code}: {reason}", highlight=False)
    for code, reason in report.not_sent:
        console.print(f"[yellow]not sent[/] {code}: {reason}", highlight=False)
    console.print(f"letters: {report.out_dir}")
    if report.failed_render or report.not_sent:
        raise typer.Exit(1)


@app.command("status")
def status_cmd(cycle: int = CYCLE) -> None:
    """Which run is released, and how far its letters and e-mails are."""
    from collections import Counter

    from dgops.cycles import CycleError, get_cycle
    from dgops.mail import mail_status
    from dgops.results import (
        MAIL_KIND,
        MAIL_KIND_CORRECTION,
        current_run,
        issued_frame,
        released_run,
    )

    try:
        with database() as db, db.begin() as session:
            year = get_cycle(session, cycle)
            released = released_run(session, year.id)
            current = current_run(session, year.id)
            letters = issued_frame(session, year.id)
            mail = {k: mail_status(session, year.id, k) for k in (MAIL_KIND, MAIL_KIND_CORRECTION)}
            rel = (
                (released.id, released.released_at, released.released_by, released.n_agencies)
                if released
                else None
            )
            draft = current.id if current is not None and current.released_at is None else None
    except CycleError as exc:
        fail(str(exc))
    if rel is None:
        console.print(
            f"{cycle}: no released results yet" + (f" (draft run {draft})" if draft else "")
        )
        return
    console.print(
        f"{cycle}: released run {rel[0]} ({rel[3]} agencies) "
        f"at {rel[1]:%Y-%m-%d %H:%M} UTC by {rel[2]}"
    )
    if draft:
        console.print(
            f"[yellow]draft run {draft} is not released[/] (agencies still see run {rel[0]})"
        )
    table = Table(title="result letters")
    table.add_column("run")
    table.add_column("kind")
    table.add_column("letters", justify="right")
    for (run_id, kind), n in sorted(
        Counter(zip(letters["run_id"], letters["kind"], strict=True)).items()
    ):
        table.add_row(str(run_id), str(kind), str(n))
    console.print(table)
    for kind, status in mail.items():
        counts = (
            ", ".join(f"{getattr(k, 'value', k)} {n}" for k, n in status.by_status.items()) or "-"
        )
        console.print(f"e-mail {kind}: {counts}")
        for line in status.failed + status.held:
            console.print(
                f"  [yellow]{line.agency_code}[/] {line.status}: {line.error}", highlight=False
            )


@app.command("export")
def export_cmd(
    cycle: int = CYCLE,
    out: Path = typer.Option(..., "--out", help="The XLSX file to write."),
) -> None:
    """One XLSX of every agency's released results, letters and e-mail states (operators)."""
    from sqlalchemy import select

    from dgops.cycles import CycleError, get_cycle
    from dgops.mail import MailMessage
    from dgops.results import (
        MAIL_KIND,
        MAIL_KIND_CORRECTION,
        ReleaseError,
        issued_frame,
        load_results,
        results_workbook,
    )

    try:
        with database() as db, db.begin() as session:
            year = get_cycle(session, cycle)
            results = load_results(session, year)
            letters = issued_frame(session, year.id)
            rows = session.execute(
                select(MailMessage.agency_id, MailMessage.status)
                .where(
                    MailMessage.cycle_id == year.id,
                    MailMessage.kind.in_([MAIL_KIND, MAIL_KIND_CORRECTION]),
                )
                .order_by(MailMessage.id)
            ).all()
    except (CycleError, ReleaseError) as exc:
        fail(str(exc))
    states = {int(a): getattr(s, "value", str(s)) for a, s in rows}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(results_workbook(results, letters, states))
    console.print(f"{out}: {len(results.agency_ids())} agencies of run {results.run.id}")


@app.command("import-previous")
def import_previous_cmd(
    year: int = typer.Option(..., "--year", help="The year the file's results are of (BE or CE)."),
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="XLSX/ODS/CSV of published results."
    ),
    agency_map: Path | None = typer.Option(
        None,
        "--agency-map",
        exists=True,
        dir_okay=False,
        help="old_code,new_code file for agencies renamed or merged since.",
    ),
    framework: str | None = typer.Option(
        None,
        "--framework",
        help="That year's framework id (default: the shipped one of the year, if any).",
    ),
) -> None:
    """Load a past year's published per-agency scores and levels (all or nothing).

    Columns: an agency code column (text), overall, overall_level, and per pillar or
    sub-indicator code of that year's framework a score column and optionally <code>_level.
    The year's earlier import is replaced. Agencies not in the registry are listed, not loaded.
    """
    from dgops.cycles import normalise_year
    from dgops.framework import FrameworkError, load_framework
    from dgops.results import PublishedScoresError, import_published, read_agency_map

    year_be = normalise_year(year)
    try:
        fw = None
        if framework is not None:
            fw = load_framework(framework)
        else:
            try:
                fw = load_framework(str(year_be))
            except FrameworkError:
                fw = None
        mapping = read_agency_map(agency_map) if agency_map else None
        with database() as db, db.begin() as session:
            report = import_published(
                session, year_be, file, actor=actor(), framework=fw, agency_map=mapping
            )
    except (PublishedScoresError, FrameworkError) as exc:
        fail(str(exc))
    console.print(
        f"{file.name}{' › ' + report.sheet if report.sheet else ''}: {report.agencies} agencies, "
        f"{report.scores} scores of {year_be} ({', '.join(report.columns)})"
        + (f"; replaced {report.replaced} earlier rows" if report.replaced else "")
    )
    for new, olds in report.merged.items():
        console.print(f"merged: {new} ← mean of {', '.join(olds)}")
    if report.unmatched:
        console.print(
            f"[yellow]{len(report.unmatched)} codes match no agency in the registry "
            "(not loaded):[/] " + ", ".join(report.unmatched),
            highlight=False,
        )
