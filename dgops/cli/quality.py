"""``dgops quality``: check submitted responses, list and accept findings, review evidence."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from dgops.cli._common import actor, console, engine, fail

app = typer.Typer(help="คุณภาพข้อมูล / data quality of submitted responses.", no_args_is_help=True)
evidence_app = typer.Typer(
    help="ตรวจหลักฐานรายข้อ / review evidence per claim.", no_args_is_help=True
)
app.add_typer(evidence_app, name="evidence")
COMMANDS = {"quality": app}


@app.command("suites")
def suites(
    framework: str = typer.Option(..., "--framework", help="framework id, e.g. 2566"),
    directory: Path | None = typer.Option(None, "--dir", help="default: expectations/"),
    check: bool = typer.Option(False, "--check", help="only report whether they are in sync"),
) -> None:
    """(Re)generate the suites of a framework year from its framework file."""
    from dgops.framework import FrameworkError, load_framework
    from dgops.quality import check_suites_in_sync, write_suites

    try:
        fw = load_framework(framework)
    except FrameworkError as exc:
        fail(str(exc))
    if check:
        problems = check_suites_in_sync(fw, directory)
        for p in problems:
            console.print(p)
        raise typer.Exit(1 if problems else 0)
    for path in write_suites(fw, directory):
        console.print(f"wrote {path}")


@app.command("run")
def run(
    cycle: int = typer.Option(..., "--cycle", help="survey year (BE), e.g. 2566"),
    no_docs: bool = typer.Option(False, "--no-docs", help="skip building Data Docs"),
    no_mail: bool = typer.Option(False, "--no-mail", help="do not e-mail the agencies"),
) -> None:
    """Validate submitted responses, store findings, return or verify them, e-mail returns."""
    from dgops.db import Database, session_scope
    from dgops.quality import (
        SuiteError,
        run_summary,
        send_clarifications,
        settle_run,
        store_findings,
        validate_cycle,
    )

    eng = engine()
    who = actor()
    try:
        with session_scope(eng) as s:
            outcome = validate_cycle(s, cycle, actor=who, build_docs=not no_docs)
        with session_scope(eng) as s:
            store_findings(s, outcome.run_id, actor=who)
            settle_run(s, outcome.run_id, actor=who)
    except SuiteError as exc:
        fail(str(exc))
    mail: dict[str, int] = {}
    if not no_mail:
        from dgops.mail import MailConfig
        from dgops.settings import get_settings

        mail = send_clarifications(
            Database(eng),
            outcome.run_id,
            mail_config=MailConfig.from_settings(),
            portal_url=get_settings().portal_url,
        )
    with session_scope(eng) as s:
        summary = run_summary(s, outcome.run_id)
    summary["mail"] = mail
    console.print_json(json.dumps(summary, ensure_ascii=False))


@app.command("findings")
def findings(
    cycle: int = typer.Option(..., "--cycle"),
    agency: str | None = typer.Option(None, "--agency", help="agency code"),
    status: str = typer.Option("open", "--status", help="open|accepted|superseded|all"),
) -> None:
    """List findings (open by default) per agency and question."""
    from sqlalchemy import select

    from dgops.cycles import get_cycle
    from dgops.db import session_scope
    from dgops.quality import QualityFinding
    from dgops.registry.models import Agency

    with session_scope(engine()) as s:
        c = get_cycle(s, cycle)
        stmt = (
            select(QualityFinding, Agency.code)
            .join(Agency, Agency.id == QualityFinding.agency_id)
            .where(QualityFinding.cycle_id == c.id)
            .order_by(Agency.code, QualityFinding.question_id, QualityFinding.id)
        )
        if status != "all":
            stmt = stmt.where(QualityFinding.status == status)
        if agency:
            stmt = stmt.where(Agency.code == agency)
        table = Table("id", "agency", "question", "severity", "rule", "value", "message", "status")
        for f, code in s.execute(stmt):
            table.add_row(
                str(f.id),
                code,
                f.question_id or "-",
                str(f.severity),
                f.rule,
                json.dumps(f.value, ensure_ascii=False)[:40],
                f.message_th,
                str(f.status),
            )
        console.print(table)


@app.command("accept")
def accept(
    finding_id: int = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="why the finding is accepted"),
) -> None:
    """Accept a finding with a reason (audited); verifies the response when none is left."""
    from dgops.db import session_scope
    from dgops.quality import QualityError, accept_finding

    try:
        with session_scope(engine()) as s:
            f = accept_finding(s, finding_id, reason=reason, actor=actor())
            console.print(f"accepted finding {f.id} ({f.rule}, {f.question_id or '-'})")
    except QualityError as exc:
        fail(str(exc))


@evidence_app.command("list")
def evidence_list(
    cycle: int = typer.Option(..., "--cycle"),
    agency: str | None = typer.Option(None, "--agency"),
) -> None:
    """Claims at level 3 and above with their evidence files and review decision."""
    from sqlalchemy import select

    from dgops.cycles import get_cycle
    from dgops.db import session_scope
    from dgops.framework import load_framework
    from dgops.quality import evidence_claims
    from dgops.registry.models import Agency

    with session_scope(engine()) as s:
        c = get_cycle(s, cycle)
        agency_id = s.scalar(select(Agency.id).where(Agency.code == agency)) if agency else None
        claims = evidence_claims(s, c.id, load_framework(c.framework_version), agency_id=agency_id)
        table = Table("agency", "question", "level", "answer", "files", "decision", "reason")
        for cl in claims:
            table.add_row(
                cl.agency_code,
                cl.question_id,
                str(cl.level),
                json.dumps(cl.answer, ensure_ascii=False)[:30],
                ", ".join(cl.files) or "-",
                cl.decision or "-",
                cl.reason or "",
            )
        console.print(table)


def _review(cycle: int, agency: str, question: str, decision: str, reason: str) -> None:
    from sqlalchemy import select

    from dgops.cycles import get_cycle
    from dgops.db import session_scope
    from dgops.framework import load_framework
    from dgops.quality import review_evidence
    from dgops.registry.models import Agency
    from dgops.responses.models import Response

    with session_scope(engine()) as s:
        c = get_cycle(s, cycle)
        response = s.scalar(
            select(Response)
            .join(Agency, Agency.id == Response.agency_id)
            .where(Response.cycle_id == c.id, Agency.code == agency)
        )
        if response is None:
            fail(f"ไม่พบแบบสำรวจของ {agency} / no response of {agency} in {cycle}")
        try:
            q = load_framework(c.framework_version).question(question)
        except KeyError:
            fail(f"ไม่มีข้อ {question} / unknown question {question}")
        try:
            review_evidence(s, response, q, decision=decision, reason=reason, actor=actor())
        except ValueError as exc:
            fail(str(exc))
    console.print(f"{decision}: {agency} {question}")


@evidence_app.command("accept")
def evidence_accept(
    cycle: int = typer.Option(..., "--cycle"),
    agency: str = typer.Option(..., "--agency"),
    question: str = typer.Option(..., "--question"),
    reason: str = typer.Option("", "--reason"),
) -> None:
    """Accept the evidence of one claim."""
    _review(cycle, agency, question, "accepted", reason)


@evidence_app.command("reject")
def evidence_reject(
    cycle: int = typer.Option(..., "--cycle"),
    agency: str = typer.Option(..., "--agency"),
    question: str = typer.Option(..., "--question"),
    reason: str = typer.Option(..., "--reason"),
) -> None:
    """Reject the evidence of one claim: it is scored as "not done" (the answer is kept)."""
    _review(cycle, agency, question, "rejected", reason)
