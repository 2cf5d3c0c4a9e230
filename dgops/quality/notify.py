"""Clarification e-mails: the findings that sent a response back, in Thai, per agency.

This module sits above :mod:`dgops.quality.workflow` (it reads the run the workflow settled and
formats values the same way); the workflow never imports it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dgops.cycles.models import SurveyCycle
from dgops.db import Database
from dgops.framework import load_framework
from dgops.mail import MailConfig, OutgoingMessage, recipients_from_contacts, send_batch
from dgops.quality.models import CheckOutcome, FindingStatus, QualityCheck, QualityFinding, Severity
from dgops.quality.workflow import ACTOR, MAIL_KIND, value_text
from dgops.registry.models import Agency
from dgops.responses.models import Response

__all__ = ["KIND", "clarification_messages", "send_clarifications"]

KIND = MAIL_KIND


def clarification_messages(
    session: Session, run_id: int, *, portal_url: str
) -> list[OutgoingMessage]:
    """One ``clarification`` message per response this run returned (round = its returns)."""
    checks = session.scalars(
        select(QualityCheck).where(
            QualityCheck.run_id == run_id, QualityCheck.outcome == CheckOutcome.RETURNED
        )
    ).all()
    out: list[OutgoingMessage] = []
    frameworks: dict[str, Any] = {}
    for check in checks:
        response = session.get(Response, check.response_id)
        assert response is not None
        cycle = session.get(SurveyCycle, response.cycle_id)
        agency = session.scalar(
            select(Agency)
            .options(selectinload(Agency.contacts))
            .where(Agency.id == check.agency_id)
        )
        assert cycle is not None
        assert agency is not None
        if cycle.framework_version not in frameworks:  # once: not setdefault's eager argument
            frameworks[cycle.framework_version] = load_framework(cycle.framework_version)
        fw = frameworks[cycle.framework_version]
        findings = session.scalars(
            select(QualityFinding)
            .where(
                QualityFinding.run_id == run_id,
                QualityFinding.response_id == check.response_id,
                QualityFinding.severity == Severity.ERROR,
                QualityFinding.status.in_([FindingStatus.OPEN, FindingStatus.SUPERSEDED]),
            )
            .order_by(QualityFinding.id)
        ).all()
        items = []
        for f in findings:
            text = ""
            if f.question_id:
                try:
                    text = fw.question(f.question_id).text_th
                except KeyError:
                    text = ""
            items.append(
                {
                    "question_id": f.question_id or "-",
                    "question_text": text,
                    "message": f.message_th,
                    "value": value_text(f.value),
                }
            )
        out.append(
            OutgoingMessage(
                cycle_id=cycle.id,
                agency_id=agency.id,
                agency_code=agency.code,
                kind=KIND,
                round=max(check.round, 1),
                cycle_label=str(cycle.year_be),
                recipients=recipients_from_contacts(agency.contacts),
                context={
                    "agency_name": agency.name_th,
                    "year_be": cycle.year_be,
                    "round": max(check.round, 1),
                    "findings": items,
                    "portal_url": portal_url.rstrip("/"),
                },
            )
        )
    return out


def send_clarifications(
    db: Database,
    run_id: int,
    *,
    mail_config: MailConfig,
    portal_url: str,
    transport_factory: Any = None,
    actor: str = ACTOR,
) -> dict[str, int]:
    """E-mail each agency whose response this run returned, through the send ledger (kind
    ``clarification``, round = the number of returns): exactly once, safe to re-run."""
    with db.begin() as session:
        messages = clarification_messages(session, run_id, portal_url=portal_url)
    if not messages:
        return {}
    report = send_batch(
        db,
        mail_config,
        messages,
        workers=2,
        transport_factory=transport_factory,
        actor=actor,
    )
    return dict(report.counts)
