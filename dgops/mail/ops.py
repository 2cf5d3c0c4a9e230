"""Operator views and decisions: status of a cycle's mail, held messages, the correction list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dgops.db import record_audit
from dgops.mail.ledger import count_by_status
from dgops.mail.models import (
    CorrectionStatus,
    DeliveryStatus,
    MailCorrection,
    MailMessage,
    SendStatus,
)
from dgops.registry.models import Agency


class MailOpsError(ValueError):
    """An operator action that does not apply to the message as it is."""


@dataclass(frozen=True)
class MessageLine:
    """One message as an operator sees it."""

    id: int
    agency_code: str
    agency_name: str
    kind: str
    round: int
    status: str
    attempts: int
    error_code: int | None
    error: str


@dataclass
class MailStatus:
    """Counts by state and the messages that need a look."""

    by_status: dict[SendStatus, int]
    by_delivery: dict[str, int]
    failed: list[MessageLine] = field(default_factory=list)
    held: list[MessageLine] = field(default_factory=list)
    uncertain: list[MessageLine] = field(default_factory=list)
    deferred: list[MessageLine] = field(default_factory=list)


def _lines(
    session: Session, cycle_id: int, kind: str | None, status: SendStatus
) -> list[MessageLine]:
    q = (
        select(MailMessage, Agency.code, Agency.name_th)
        .join(Agency, Agency.id == MailMessage.agency_id)
        .where(MailMessage.cycle_id == cycle_id, MailMessage.status == status)
        .order_by(Agency.code, MailMessage.kind, MailMessage.round)
    )
    if kind:
        q = q.where(MailMessage.kind == kind)
    return [
        MessageLine(
            m.id, code, name, m.kind, m.round, m.status.value, m.attempts, m.error_code, m.error
        )
        for m, code, name in session.execute(q)
    ]


def mail_status(session: Session, cycle_id: int, kind: str | None = None) -> MailStatus:
    """The state of a cycle's mail (optionally one kind)."""
    q = select(MailMessage.delivery_status, func.count()).where(MailMessage.cycle_id == cycle_id)
    if kind:
        q = q.where(MailMessage.kind == kind)
    by_delivery = {
        (d.value if isinstance(d, DeliveryStatus) else str(d or "none")): int(n)
        for d, n in session.execute(q.group_by(MailMessage.delivery_status))
    }
    status = MailStatus(by_status=count_by_status(session, cycle_id, kind), by_delivery=by_delivery)
    status.failed = _lines(session, cycle_id, kind, SendStatus.FAILED)
    status.held = _lines(session, cycle_id, kind, SendStatus.HELD)
    status.uncertain = _lines(session, cycle_id, kind, SendStatus.SENDING)
    status.deferred = [
        line for line in _lines(session, cycle_id, kind, SendStatus.PENDING) if line.error
    ]
    return status


def release(
    session: Session,
    message_id: int,
    *,
    decision: str,
    actor: str,
    sg_message_id: str | None = None,
    note: str = "",
) -> MailMessage:
    """An operator's decision on a ``held`` (or ``failed``) message.

    ``decision="sent"``: the operator checked it was sent → ``accepted``.
    ``decision="resend"``: it may be sent again → ``pending`` (the next run sends it).
    """
    msg = session.get(MailMessage, message_id, with_for_update=True)
    if msg is None:
        raise MailOpsError(f"no mail message {message_id}")
    if msg.status not in (SendStatus.HELD, SendStatus.FAILED):
        raise MailOpsError(
            f"message {message_id} is {msg.status.value}; only held or failed ones can be released"
        )
    if decision == "sent":
        if msg.status == SendStatus.FAILED:
            raise MailOpsError("a failed message was rejected by SendGrid; it cannot be 'sent'")
        new = SendStatus.ACCEPTED
        msg.sg_message_id = sg_message_id or msg.sg_message_id
        msg.accepted_at = dt.datetime.now(dt.UTC)
    elif decision == "resend":
        new = SendStatus.PENDING
    else:
        raise MailOpsError(f"decision must be 'sent' or 'resend', not {decision!r}")
    old = msg.status
    msg.status = new
    msg.error = f"released by {actor}: {decision}" + (f" ({note})" if note else "")
    record_audit(
        session,
        actor=actor,
        action="mail_release",
        entity="mail_message",
        entity_key=str(message_id),
        cycle_id=msg.cycle_id,
        details={"from": old.value, "to": new.value, "decision": decision, "note": note},
    )
    session.flush()
    return msg


@dataclass(frozen=True)
class CorrectionLine:
    """An address to fix in the registry."""

    id: int
    email: str
    agency_code: str
    agency_name: str
    event: str
    reason: str
    occurrences: int
    last_seen: dt.datetime
    status: str


def list_corrections(session: Session, *, include_resolved: bool = False) -> list[CorrectionLine]:
    """The correction list: bounced or dropped addresses, newest first."""
    q = (
        select(MailCorrection, Agency.code, Agency.name_th)
        .outerjoin(Agency, Agency.id == MailCorrection.agency_id)
        .order_by(MailCorrection.last_seen.desc(), MailCorrection.id)
    )
    if not include_resolved:
        q = q.where(MailCorrection.status == CorrectionStatus.OPEN)
    return [
        CorrectionLine(
            c.id,
            c.email,
            code or "",
            name or "",
            c.event,
            c.reason,
            c.occurrences,
            c.last_seen,
            c.status.value,
        )
        for c, code, name in session.execute(q)
    ]


def resolve_correction(session: Session, email: str, *, actor: str) -> MailCorrection:
    """Mark an address as fixed (the contact was corrected or confirmed)."""
    row = session.scalar(select(MailCorrection).where(MailCorrection.email == email.lower()))
    if row is None:
        raise MailOpsError(f"{email} is not on the correction list")
    row.status = CorrectionStatus.RESOLVED
    row.resolved_by = actor
    row.resolved_at = dt.datetime.now(dt.UTC)
    record_audit(
        session,
        actor=actor,
        action="mail_correction_resolved",
        entity="mail_correction",
        entity_key=str(row.id),
        details={"event": row.event},
    )
    return row
