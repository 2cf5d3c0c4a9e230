"""Clarification e-mails: the findings that sent a response back, in Thai, per agency."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dgops.cycles.models import SurveyCycle
from dgops.mail import OutgoingMessage, recipients_from_contacts
from dgops.quality.models import CheckOutcome, FindingStatus, QualityCheck, QualityFinding, Severity
from dgops.registry.models import Agency
from dgops.responses.models import Response

__all__ = ["KIND", "clarification_messages"]

KIND = "clarification"


def clarification_messages(
    session: Session, run_id: int, *, portal_url: str
) -> list[OutgoingMessage]:
    """One ``clarification`` message per response this run returned (round = its returns)."""
    from dgops.framework import load_framework
    from dgops.quality.workflow import _value_text

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
        fw = frameworks.setdefault(cycle.framework_version, load_framework(cycle.framework_version))
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
                    "value": _value_text(f.value),
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
