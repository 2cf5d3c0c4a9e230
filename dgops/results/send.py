"""Send the released results: issue the letters, render them, e-mail them exactly once.

:func:`send_results` is what ``dgops results send`` and the ``dgops_results`` DAG call. In
order, each step safe to repeat:

1. issue letters for the released run (:func:`dgops.results.issue_result_letters`, one
   transaction: numbers and ``result_letter`` rows; a re-run keeps them);
2. per batch, render each agency's letter (one agency whose letter fails is reported and
   skipped, the others go on) and send it through the mail ledger (kind ``result``, or
   ``result_correction`` with the run id as the round): a letter already accepted is never
   sent again; bounced addresses go to the correction list as for every e-mail.

Rendered letters are kept under ``<var_dir>/results/<year>/run-<id>/`` for operators and the
portal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dgops.cycles import get_cycle
from dgops.db import Database
from dgops.framework import Framework
from dgops.letters import IssuerSettings, load_issuer
from dgops.mail import (
    Attachment,
    MailConfig,
    Outcome,
    OutgoingMessage,
    TransportFactory,
    recipients_from_contacts,
    send_batch,
)
from dgops.registry.models import Agency
from dgops.results.issue import (
    IssueReport,
    ResultLetterInfo,
    issue_result_letters,
    letter_infos,
)
from dgops.results.models import ResultLetterKind
from dgops.results.release import require_released
from dgops.results.view import AgencyResult, load_results
from dgops.settings import Settings
from dgops.thai import local_date

__all__ = [
    "MAIL_KIND",
    "MAIL_KIND_CORRECTION",
    "LetterRenderer",
    "SendResultsReport",
    "letter_dir",
    "letter_file_name",
    "send_results",
]

MAIL_KIND = "result"
MAIL_KIND_CORRECTION = "result_correction"

LetterRenderer = Callable[[AgencyResult, ResultLetterInfo], bytes]
"""Renders one agency's letter as PDF bytes."""


def letter_dir(settings: Settings, year_be: int, run_id: int) -> Path:
    """Where the letters of a released run are kept."""
    return settings.var_dir / "results" / str(year_be) / f"run-{run_id}"


def letter_file_name(code: str, info: ResultLetterInfo) -> str:
    """``result-<code>.pdf`` or ``correction-<code>-<run>.pdf``."""
    if info.kind == ResultLetterKind.CORRECTION.value:
        return f"correction-{code}-{info.run_id}.pdf"
    return f"result-{code}.pdf"


@dataclass
class SendResultsReport:
    """What :func:`send_results` did (counts and agency codes only)."""

    year_be: int
    run_id: int
    issue: IssueReport
    rendered: int = 0
    accepted: int = 0
    already_sent: int = 0
    failed_render: list[tuple[str, str]] = field(default_factory=list)
    """(agency code, reason) of letters that could not be rendered: not sent."""
    not_sent: list[tuple[str, str]] = field(default_factory=list)
    """(agency code, reason) of e-mails the ledger did not accept (problems, failures)."""
    out_dir: Path | None = None


def _default_renderer() -> LetterRenderer:
    from dgops.results.letter import render_result_letter  # letters are heavy: on first use

    def render(result: AgencyResult, info: ResultLetterInfo) -> bytes:
        return render_result_letter(result, info, fmt="pdf")

    return render


def _message(
    result: AgencyResult,
    info: ResultLetterInfo,
    agency: Agency,
    pdf: bytes,
    *,
    cycle_id: int,
    title: str,
    portal_url: str,
) -> OutgoingMessage:
    correction = info.kind == ResultLetterKind.CORRECTION.value
    context: dict[str, Any] = {
        "agency_name": result.name_th,
        "survey_title": title,
        "year_be": result.year_be,
        "portal_url": portal_url,
        "salutation": info.head_title or f"หัวหน้าหน่วยงาน {result.name_th}",
        "letter_number": info.number,
        "letter_date": info.issued_on,
    }
    if correction and info.corrects is not None:
        context.update(
            corrects_number=info.corrects[0],
            corrects_date=info.corrects[1],
            reason=info.reason_th or "",
        )
    return OutgoingMessage(
        cycle_id=cycle_id,
        agency_id=result.agency_id,
        agency_code=result.code,
        kind=MAIL_KIND_CORRECTION if correction else MAIL_KIND,
        round=info.run_id if correction else 1,
        cycle_label=str(result.year_be),
        recipients=recipients_from_contacts(agency.contacts),
        context=context,
        attachments=(Attachment(letter_file_name(result.code, info), pdf),),
    )


def send_results(
    db: Database,
    settings: Settings,
    mail_config: MailConfig,
    year: int,
    *,
    actor: str,
    issued_on: dt.date | None = None,
    agency_codes: Sequence[str] = (),
    batch_size: int = 500,
    renderer: LetterRenderer | None = None,
    issuer: IssuerSettings | None = None,
    transport_factory: TransportFactory | None = None,
    send_workers: int = 4,
    framework: Framework | None = None,
) -> SendResultsReport:
    """Issue, render and e-mail the result letters of the cycle's released run.

    ``agency_codes`` limits the run to those agencies (default: every agency of the run).
    ``framework`` defaults to the shipped one of the run; ``renderer`` and
    ``transport_factory`` are for tests.
    """
    render = renderer or _default_renderer()
    issuer = issuer or load_issuer()
    issued_on = issued_on or local_date(dt.datetime.now(dt.UTC))
    with db.begin() as session:
        cycle = get_cycle(session, year)
        run = require_released(session, cycle.id, cycle.year_be)
        results = load_results(session, cycle, run=run, framework=framework)
        wanted = results.agency_ids()
        if agency_codes:
            by_code = {str(results.agencies.at[i, "code"]): i for i in wanted}
            unknown = [c for c in agency_codes if c not in by_code]
            if unknown:
                raise ValueError(
                    f"not agencies of cycle {cycle.year_be}'s results: {', '.join(unknown)}"
                )
            wanted = [by_code[c] for c in agency_codes]
        issue = issue_result_letters(
            session,
            run,
            wanted,
            year_be=cycle.year_be,
            issuer=issuer,
            issued_on=issued_on,
            actor=actor,
        )
        infos = letter_infos(session, run, issuer, wanted)
        cycle_id, title, run_id = cycle.id, cycle.title_th, run.id
    out = letter_dir(settings, year, run_id)
    out.mkdir(parents=True, exist_ok=True)
    report = SendResultsReport(year_be=year, run_id=run_id, issue=issue, out_dir=out)
    ids = [i for i in wanted if i in infos]
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        with db.begin() as session:
            agencies = {
                a.id: a
                for a in session.scalars(
                    select(Agency)
                    .where(Agency.id.in_(chunk))
                    .options(selectinload(Agency.contacts))
                )
            }
            messages = []
            for agency_id in chunk:
                result = results.agency(agency_id)
                info = infos[agency_id]
                if result is None:
                    continue
                try:
                    pdf = render(result, info)
                except Exception as exc:  # one bad agency is reported; the batch goes on
                    report.failed_render.append((result.code, f"{type(exc).__name__}: {exc}"))
                    continue
                path = out / letter_file_name(result.code, info)
                tmp = path.with_name(f".{path.name}.tmp")
                tmp.write_bytes(pdf)
                tmp.replace(path)
                report.rendered += 1
                messages.append(
                    _message(
                        result,
                        info,
                        agencies[agency_id],
                        pdf,
                        cycle_id=cycle_id,
                        title=title,
                        portal_url=settings.portal_url,
                    )
                )
        sent = send_batch(
            db,
            mail_config,
            messages,
            workers=send_workers,
            transport_factory=transport_factory,
            actor=actor,
        )
        report.accepted += sent.count(Outcome.ACCEPTED) + sent.count(Outcome.RECONCILED)
        report.already_sent += sent.count(Outcome.ALREADY_ACCEPTED)
        report.not_sent += [(p.agency_code, p.detail) for p in sent.problems if p.blocking]
        done = {Outcome.ACCEPTED, Outcome.RECONCILED, Outcome.ALREADY_ACCEPTED}
        report.not_sent += [
            (r.agency_code, f"{r.outcome}: {r.detail}".rstrip(": "))
            for r in sent.results
            if r.outcome not in done
        ]
    return report
