"""`dgops responses`: offline questionnaires (template, import), show, return and verify."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.cli._common import actor, console, database, fail, progress
from dgops.cycles import CycleError, get_cycle
from dgops.cycles.models import SurveyCycle
from dgops.framework import Framework, load_framework
from dgops.registry.models import Agency, CycleAgency
from dgops.responses import (
    FileReport,
    ImportProblem,
    ImportReport,
    ResponseError,
    answers_of,
    build_template,
    comments_of,
    evidence_of,
    get_response,
    import_wide,
    import_xlsx,
    progress_of,
    return_response,
    template_filename,
    transitions_of,
    verify_response,
)
from dgops.responses.models import Response
from dgops.tabular import ReadLimits

app = typer.Typer(
    help="Responses (แบบสำรวจที่หน่วยงานตอบ): offline XLSX questionnaires, import, show, return.",
    no_args_is_help=True,
)
COMMANDS = {"responses": app}

CYCLE = typer.Option(..., "--cycle", help="Survey year (Buddhist era 2566, or 2023).")


def _cycle(session: Session, year: int) -> tuple[SurveyCycle, Framework]:
    try:
        cycle = get_cycle(session, year)
    except CycleError as exc:
        fail(str(exc))
    return cycle, load_framework(cycle.framework_version)


def _agency(session: Session, code: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        fail(f"ไม่พบหน่วยงานรหัส {code} (agency {code} not found)")
    return agency


@app.command("template")
def template_cmd(
    cycle: int = CYCLE,
    agency: str | None = typer.Option(None, "--agency", help="Agency code, e.g. D0001."),
    all_: bool = typer.Option(False, "--all", help="One file per agency of the cycle."),
    out: Path = typer.Option(..., "--out", help="Output file (one agency) or folder (--all)."),
    prefill: bool = typer.Option(
        False, "--prefill", help="Fill in the answers already stored (e.g. a returned response)."
    ),
) -> None:
    """Write the offline questionnaire (XLSX) of one agency, or of every agency (--all)."""
    if bool(agency) == all_:
        fail("give either --agency CODE or --all")
    with database() as db, db.begin() as session:
        cyc, fw = _cycle(session, cycle)
        if agency:
            agencies = [_agency(session, agency)]
        else:
            enrolled = select(CycleAgency.agency_id).where(CycleAgency.cycle_id == cyc.id)
            stmt = select(Agency).order_by(Agency.code)
            if session.scalar(enrolled.limit(1)) is not None:
                stmt = stmt.where(Agency.id.in_(enrolled))
            else:
                stmt = stmt.where(Agency.active.is_(True))
            agencies = list(session.scalars(stmt))
            out.mkdir(parents=True, exist_ok=True)
        with progress("templates", total=len(agencies)) as bar:
            for a in agencies:
                answers = {}
                if prefill:
                    response = session.scalar(
                        select(Response).where(
                            Response.cycle_id == cyc.id, Response.agency_id == a.id
                        )
                    )
                    if response is not None:
                        answers = answers_of(session, response)
                data = build_template(fw, a, cyc, answers=answers)
                target = out / template_filename(a.code, cyc.year_be) if all_ else out
                target.write_bytes(data)
                bar.advance(bar.task_ids[0])
    console.print(f"wrote {len(agencies)} questionnaire(s) to {out}")


def _problem_table(problems: Sequence[ImportProblem], title: str) -> Table:
    table = Table(title=title)
    for name in ("file", "sheet", "cell", "question", "message"):
        table.add_column(name, overflow="fold")
    for p in problems:
        cell = f"{p.column or ''}{p.row}" if p.row is not None else (p.column or "")
        value = f"\nค่า/value: {p.value}" if p.value is not None else ""
        table.add_row(
            Path(p.file).name,
            p.sheet or "",
            cell,
            p.question_id or "",
            f"{p.message_th}\n{p.message_en}{value}",
        )
    return table


def _print_report(report: ImportReport) -> None:
    if report.errors:
        console.print(_problem_table(report.errors, "ข้อผิดพลาด / errors (file not imported)"))
    if report.warnings:
        console.print(_problem_table(report.warnings, "คำเตือน / warnings"))
    console.print(
        f"imported {len(report.imported)} file(s), failed {len(report.failed)} "
        f"(นำเข้าสำเร็จ {len(report.imported)} ไฟล์ ไม่สำเร็จ {len(report.failed)} ไฟล์)"
    )


@app.command("import")
def import_cmd(
    path: Path = typer.Argument(..., help="A filled questionnaire (.xlsx) or a folder of them."),
    cycle: int = CYCLE,
    agency: str | None = typer.Option(
        None, "--agency", help="The agency the file must belong to (single file)."
    ),
    draft: bool = typer.Option(
        False, "--draft", help="Save the answers but leave the response in progress."
    ),
    mapping: Path | None = typer.Option(
        None,
        "--mapping",
        help="Wide CSV/XLSX from another survey tool: its YAML column-mapping file.",
    ),
    max_mb: int = typer.Option(20, help="Largest file accepted, in MB."),
) -> None:
    """Import offline questionnaires: each file all-or-nothing, in its own transaction."""
    limits = ReadLimits(max_bytes=max_mb * 2**20)
    if not path.exists():
        fail(f"{path} does not exist")
    db = database()
    if mapping is not None:
        with db, db.begin() as session:
            try:
                report = import_wide(
                    session,
                    path,
                    mapping,
                    cycle_year=cycle,
                    actor=actor(),
                    draft=draft,
                    limits=limits,
                )
            except (ResponseError, CycleError) as exc:
                fail(str(exc))
        _print_report(report)
        raise typer.Exit(0 if report.ok else 1)
    from dgops.responses import list_files

    total = len(list_files(path))
    with db, progress("import", total=total) as bar:

        def tick(_: FileReport) -> None:
            bar.advance(bar.task_ids[0])

        try:
            report = import_xlsx(
                db,
                path,
                cycle_year=cycle,
                actor=actor(),
                agency_code=agency,
                draft=draft,
                limits=limits,
                on_file=tick,
            )
        except CycleError as exc:
            fail(str(exc))
    _print_report(report)
    raise typer.Exit(0 if report.ok else 1)


@app.command("show")
def show_cmd(
    cycle: int = CYCLE,
    agency: str = typer.Option(..., "--agency", help="Agency code, e.g. D0001."),
) -> None:
    """Status, progress, answers by pillar, comments and transitions of one response."""
    with database() as db, db.begin() as session:
        cyc, fw = _cycle(session, cycle)
        a = _agency(session, agency)
        try:
            r = get_response(session, cyc.id, a.id, create=False)
        except ResponseError:
            console.print(f"{a.code} {a.name_th}: ยังไม่เริ่มตอบ (not_started, no response yet)")
            return
        prog = progress_of(session, r, fw)
        console.print(f"[bold]{a.code} {a.name_th}[/] — ปี {cyc.year_be}")
        console.print(
            f"status: [bold]{r.status}[/]  channel: {r.channel}  "
            f"progress: {prog.answered}/{prog.required}"
            + (
                f"  submitted {r.submitted_at:%Y-%m-%d %H:%M} by {r.submitted_by}"
                if r.submitted_at
                else ""
            )
        )
        if prog.missing:
            console.print(f"missing (ยังไม่ได้ตอบ): {', '.join(prog.missing)}")
        if prog.evidence_missing:
            console.print(f"evidence missing (ขาดหลักฐาน): {', '.join(prog.evidence_missing)}")
        answers = answers_of(session, r)
        shown = fw.evaluate_show_if(answers)
        for pillar in fw.pillars:
            done, need = prog.by_pillar[pillar.code]
            table = Table(title=f"{pillar.code} {pillar.name_th} ({done}/{need})")
            for name in ("question", "answer", ""):
                table.add_column(name, overflow="fold")
            for sub in pillar.sub_indicators:
                for q in sub.questions:
                    value = answers.get(q.id)
                    note = "hidden" if not shown[q.id] else ""
                    table.add_row(q.id, "" if value is None else str(value), note)
            console.print(table)
        for c in comments_of(session, r):
            state = "resolved" if c.resolved_at else "open"
            console.print(f"comment [{state}] {c.question_id or '-'} {c.created_by}: {c.body}")
        for e in evidence_of(session, r):
            console.print(f"evidence {e.question_id}: {e.filename} ({e.content_type}, {e.size} B)")
        for ev in transitions_of(session, r):
            console.print(
                f"{ev.at:%Y-%m-%d %H:%M} {ev.from_status} → {ev.to_status} "
                f"({ev.channel}, {ev.actor}) {ev.reason}"
            )


@app.command("return")
def return_cmd(
    cycle: int = CYCLE,
    agency: str = typer.Option(..., "--agency", help="Agency code, e.g. D0001."),
    comment: str = typer.Option(..., "--comment", help="What the agency must clarify (Thai)."),
    question: str | None = typer.Option(None, "--question", help="The question it is about."),
) -> None:
    """Send a submitted or verified response back to the agency with a comment."""
    with database() as db, db.begin() as session:
        cyc, fw = _cycle(session, cycle)
        if question is not None and question not in fw.question_ids:
            fail(f"unknown question {question}")
        a = _agency(session, agency)
        try:
            r = get_response(session, cyc.id, a.id, create=False)
            return_response(session, r, comments=[(question, comment)], actor=actor())
        except ResponseError as exc:
            fail(str(exc))
    console.print(f"{agency}: returned (ส่งกลับให้หน่วยงานแก้ไขแล้ว)")


@app.command("verify")
def verify_cmd(
    cycle: int = CYCLE,
    agency: str = typer.Option(..., "--agency", help="Agency code, e.g. D0001."),
    reason: str = typer.Option("", "--reason", help="Note for the record."),
) -> None:
    """Mark a submitted response as verified."""
    with database() as db, db.begin() as session:
        cyc, _ = _cycle(session, cycle)
        a = _agency(session, agency)
        try:
            r = get_response(session, cyc.id, a.id, create=False)
            verify_response(session, r, actor=actor(), channel="operator", reason=reason)
        except ResponseError as exc:
            fail(str(exc))
    console.print(f"{agency}: verified (ตรวจสอบแล้ว)")
