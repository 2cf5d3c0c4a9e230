"""Where the invitations of a cycle stand: counts by ledger state, failures, held, problems."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.cycles import get_cycle
from dgops.invite.plan import ROUND, InviteProblem, plan_invitations
from dgops.letters import INVITATION
from dgops.mail import MailConfig, MailMessage, SendStatus
from dgops.registry.models import Agency, CycleAgency
from dgops.settings import Settings

STATUS_TH = {
    "accepted": "ส่งแล้ว (SendGrid รับแล้ว)",
    "pending": "รอส่ง",
    "not_started": "ยังไม่เริ่ม",
    "sending": "ไม่แน่ใจว่าส่งแล้ว (รอตรวจสอบ)",
    "failed": "ล้มเหลว (รอแก้ไข)",
    "held": "รอผู้ดูแลตัดสินใจ",
}

UNSETTLED = ("pending", "sending", "failed", "held")
"""Ledger states of an invitation that a run has not settled: still to send, maybe sent (to be
reconciled), refused by SendGrid, or waiting for an operator. ``not_started`` is not among
them: an agency left out of the run (``agency_codes``, blocked) is not the run's business."""


@dataclass(frozen=True)
class FailedInvitation:
    """An invitation that needs an operator: agency code, ledger id, state and reason."""

    agency_code: str
    ledger_id: int
    status: str
    error_code: int | None
    error: str


@dataclass
class InvitationSummary:
    """The invitations of one cycle (enrolled, active agencies)."""

    cycle_year: int
    enrolled: int
    by_status: dict[str, int]
    """``accepted``, ``pending``, ``sending``, ``failed``, ``held``, ``not_started``."""
    by_delivery: dict[str, int]
    attention: list[FailedInvitation] = field(default_factory=list)
    """Failed and held invitations with their reasons."""
    problems: list[InviteProblem] = field(default_factory=list)

    @property
    def unsettled(self) -> dict[str, int]:
        """Invitations that still need work, by ledger state (``pending``, ``sending``,
        ``failed``, ``held``; states with none left out): empty when the run is settled."""
        return {s: self.by_status[s] for s in UNSETTLED if self.by_status.get(s)}

    @property
    def complete(self) -> bool:
        """Every enrolled agency's invitation was accepted by SendGrid."""
        return self.by_status.get("accepted", 0) == self.enrolled

    def as_dict(self) -> dict[str, Any]:
        """Counts only (no personal data): for XCom and logs."""
        return {
            "cycle_year": self.cycle_year,
            "enrolled": self.enrolled,
            "by_status": dict(self.by_status),
            "by_delivery": dict(self.by_delivery),
            "problems": dict(
                Counter(f"{'blocked:' if p.blocking else ''}{p.code}" for p in self.problems)
            ),
            "attention": len(self.attention),
        }


def invitation_summary(
    session: Session,
    cycle_year: int,
    *,
    mail_config: MailConfig | None = None,
    settings: Settings | None = None,
) -> InvitationSummary:
    """Counts by ledger state of the cycle's invitations (kind ``invitation``, round 1), the
    failed and held ones with their reasons, and the current pre-send problems."""
    cycle = get_cycle(session, cycle_year)
    enrolled = list(
        session.scalars(
            select(Agency.id)
            .join(CycleAgency, CycleAgency.agency_id == Agency.id)
            .where(CycleAgency.cycle_id == cycle.id, Agency.active.is_(True))
        )
    )
    rows = session.execute(
        select(MailMessage, Agency.code)
        .join(Agency, Agency.id == MailMessage.agency_id)
        .join(
            CycleAgency,
            (CycleAgency.agency_id == Agency.id) & (CycleAgency.cycle_id == cycle.id),
        )
        .where(
            MailMessage.cycle_id == cycle.id,
            MailMessage.kind == INVITATION,
            MailMessage.round == ROUND,
            Agency.active.is_(True),
        )
        .order_by(Agency.code)
    ).all()
    by_status = {s.value: 0 for s in SendStatus}
    by_delivery: Counter[str] = Counter()
    attention = []
    for m, code in rows:
        by_status[SendStatus(m.status).value] += 1
        if m.delivery_status is not None:
            by_delivery[str(m.delivery_status.value)] += 1
        if m.status in (SendStatus.FAILED, SendStatus.HELD):
            attention.append(
                FailedInvitation(code, m.id, SendStatus(m.status).value, m.error_code, m.error)
            )
    by_status["not_started"] = len(enrolled) - len(rows)
    plan = plan_invitations(session, cycle_year, mail_config=mail_config, settings=settings)
    return InvitationSummary(
        cycle_year=cycle.year_be,
        enrolled=len(enrolled),
        by_status=by_status,
        by_delivery=dict(by_delivery),
        attention=attention,
        problems=list(plan.problems),
    )
