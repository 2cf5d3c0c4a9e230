"""Ingesting Event Webhook events: idempotent by ``sg_event_id``, updating message status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dgops.mail.message import ARG_MESSAGE_KEY
from dgops.mail.models import (
    CorrectionStatus,
    DeliveryStatus,
    MailCorrection,
    MailEvent,
    MailMessage,
    MailRecipient,
)

HANDLED = {
    "processed": DeliveryStatus.PROCESSED,
    "deferred": DeliveryStatus.DEFERRED,
    "delivered": DeliveryStatus.DELIVERED,
    "open": DeliveryStatus.OPENED,
    "bounce": DeliveryStatus.BOUNCED,
    "dropped": DeliveryStatus.DROPPED,
    "spamreport": DeliveryStatus.SPAMREPORT,
}
"""Events that change a message's delivery status (others are stored only)."""

CORRECTION_EVENTS = {"bounce", "dropped"}

BLOCKED = "blocked"
"""A bounce whose ``type`` is ``blocked``: the receiving server refused this mail (reputation,
content, a full mailbox), not a wrong address. Kept per recipient, never a correction."""

_RECIPIENT_RANK = {
    "processed": 0,
    "deferred": 1,
    "delivered": 2,
    "opened": 3,
    BLOCKED: 4,
    "bounced": 4,
    "dropped": 4,
    "spamreport": 5,
}
_FAILED = {BLOCKED, "bounced", "dropped"}


@dataclass(frozen=True)
class IngestResult:
    """What one webhook request did. ``unmatched``: events that are not ours (another
    database sharing the SendGrid account, or no dgops identifiers), ignored."""

    received: int
    stored: int
    duplicates: int
    unmatched: int
    corrections: int


def _message_for(session: Session, event: Mapping[str, Any]) -> MailMessage | None:
    """Our message for an event, or None when it is not ours.

    Matched by ``dgops_key`` (random per ledger row, unique across databases), else by
    SendGrid's message id. Never by ``dgops_message_id``: ledger ids repeat across the
    databases (production, staging, a demo) that may share one SendGrid account.
    """
    key = event.get(ARG_MESSAGE_KEY)
    if key is not None:
        return session.scalar(select(MailMessage).where(MailMessage.message_key == str(key)))
    sg_id = str(event.get("sg_message_id") or "").split(".", 1)[0]
    if sg_id:
        return session.scalar(select(MailMessage).where(MailMessage.sg_message_id == sg_id))
    return None


def _occurred(event: Mapping[str, Any]) -> dt.datetime | None:
    ts = event.get("timestamp")
    if isinstance(ts, int | float):
        return dt.datetime.fromtimestamp(ts, dt.UTC)
    return None


def _recipient_status(kind: str, event: Mapping[str, Any]) -> str | None:
    status = HANDLED.get(kind)
    if status is None:
        return None
    if kind == "bounce" and str(event.get("type") or "").lower() == BLOCKED:
        return BLOCKED
    return status.value


def _sent_as(msg: MailMessage, email: str) -> str:
    for kind in ("to", "cc"):
        for r in (msg.recipients or {}).get(kind) or []:
            if isinstance(r, dict) and str(r.get("email", "")).strip().lower() == email:
                return kind
    return ""


def _update_recipient(
    session: Session,
    msg: MailMessage,
    email: str,
    status: str,
    reason: str,
    when: dt.datetime,
) -> None:
    row = session.scalar(
        select(MailRecipient).where(
            MailRecipient.message_id == msg.id, MailRecipient.email == email
        )
    )
    if row is None:
        session.add(
            MailRecipient(
                message_id=msg.id,
                email=email,
                kind=_sent_as(msg, email),
                status=status,
                reason=reason,
                updated_at=when,
            )
        )
        session.flush()
    elif _RECIPIENT_RANK[status] >= _RECIPIENT_RANK.get(row.status, -1):
        # Events arrive out of order: a late ``deferred`` never undoes ``delivered``.
        row.status, row.reason, row.updated_at = status, reason, when
        session.flush()


def message_delivery(statuses: Mapping[str, tuple[str, str]]) -> DeliveryStatus | None:
    """A message's delivery status from its recipients' (email → (sent as, status)).

    The agency got the mail when any ``to`` recipient did; a cc's bounce does not make the
    message bounced. A spam report from anyone is shown (it harms the sender's reputation).
    """
    if not statuses:
        return None
    if any(st == "spamreport" for _, st in statuses.values()):
        return DeliveryStatus.SPAMREPORT
    primary = [st for kind, st in statuses.values() if kind == "to"] or [
        st for _, st in statuses.values()
    ]
    if not primary:
        return None
    reached = [st for st in primary if st in ("delivered", "opened")]
    waiting = [st for st in primary if st in ("processed", "deferred")]
    if reached:
        best = max(reached, key=_RECIPIENT_RANK.__getitem__)
    elif waiting:
        best = max(waiting, key=_RECIPIENT_RANK.__getitem__)
    else:
        best = "dropped" if "dropped" in primary else "bounced"
    return DeliveryStatus(best)


def ingest_events(session: Session, events: Iterable[Mapping[str, Any]]) -> IngestResult:
    """Store new events of our messages (a repeated ``sg_event_id`` is ignored), keep each
    recipient's delivery status, derive the message's, and put addresses that bounced (not
    ``blocked``) or were dropped on the correction list. Events that are not ours are ignored.
    """
    received = stored = duplicates = unmatched = corrections = 0
    touched: dict[int, MailMessage] = {}
    for event in events:
        received += 1
        event_id = str(event.get("sg_event_id") or "")
        kind = str(event.get("event") or "")
        if not event_id or not kind:
            unmatched += 1
            continue
        if session.scalar(select(MailEvent.id).where(MailEvent.sg_event_id == event_id)):
            duplicates += 1
            continue
        msg = _message_for(session, event)
        if msg is None:
            unmatched += 1  # not ours: no status, no correction, nothing stored
            continue
        email = str(event.get("email") or "").strip().lower()
        reason = str(event.get("reason") or event.get("response") or event.get("type") or "")
        occurred = _occurred(event)
        try:
            with session.begin_nested():
                session.add(
                    MailEvent(
                        sg_event_id=event_id,
                        message_id=msg.id,
                        event=kind[:32],
                        email=email[:254],
                        reason=reason,
                        occurred_at=occurred,
                        payload=dict(event),
                    )
                )
        except IntegrityError:  # the same event delivered twice at once
            duplicates += 1
            continue
        stored += 1
        status = _recipient_status(kind, event)
        when = occurred or dt.datetime.now(dt.UTC)
        if status is not None and email:
            _update_recipient(session, msg, email[:254], status, reason, when)
            msg.last_event_at = when
            touched[msg.id] = msg
        if kind in CORRECTION_EVENTS and email and status != BLOCKED:
            corrections += 1
            _add_correction(session, email, kind, reason, msg, occurred)
    for msg in touched.values():
        rows = session.execute(
            select(MailRecipient.email, MailRecipient.kind, MailRecipient.status).where(
                MailRecipient.message_id == msg.id
            )
        )
        msg.delivery_status = message_delivery({e: (k, st) for e, k, st in rows})
    session.flush()
    return IngestResult(received, stored, duplicates, unmatched, corrections)


def _add_correction(
    session: Session,
    email: str,
    kind: str,
    reason: str,
    msg: MailMessage | None,
    occurred: dt.datetime | None,
) -> None:
    now = occurred or dt.datetime.now(dt.UTC)
    row = session.scalar(select(MailCorrection).where(MailCorrection.email == email))
    if row is None:
        session.add(
            MailCorrection(
                email=email,
                agency_id=msg.agency_id if msg else None,
                message_id=msg.id if msg else None,
                event=kind,
                reason=reason,
                status=CorrectionStatus.OPEN,
                occurrences=1,
                first_seen=now,
                last_seen=now,
            )
        )
        session.flush()
        return
    row.occurrences += 1
    row.event, row.reason, row.last_seen = kind, reason, now
    row.status = CorrectionStatus.OPEN
    row.resolved_at = row.resolved_by = None
    if msg is not None:
        row.agency_id, row.message_id = msg.agency_id, msg.id
