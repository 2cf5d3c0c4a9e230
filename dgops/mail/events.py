"""Ingesting Event Webhook events: idempotent by ``sg_event_id``, updating message status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dgops.mail.message import ARG_MESSAGE_ID
from dgops.mail.models import (
    CorrectionStatus,
    DeliveryStatus,
    MailCorrection,
    MailEvent,
    MailMessage,
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

_RANK = {
    DeliveryStatus.PROCESSED: 0,
    DeliveryStatus.DEFERRED: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.OPENED: 3,
    DeliveryStatus.BOUNCED: 4,
    DeliveryStatus.DROPPED: 4,
    DeliveryStatus.SPAMREPORT: 5,
}
"""Events arrive out of order; a message's status only moves up this ladder."""

CORRECTION_EVENTS = {"bounce", "dropped"}


@dataclass(frozen=True)
class IngestResult:
    received: int
    stored: int
    duplicates: int
    unmatched: int
    corrections: int


def _message_for(session: Session, event: Mapping[str, Any]) -> MailMessage | None:
    raw = event.get(ARG_MESSAGE_ID)
    if raw is not None and str(raw).isdigit():
        msg = session.get(MailMessage, int(str(raw)))
        if msg is not None:
            return msg
    sg_id = str(event.get("sg_message_id") or "").split(".", 1)[0]
    if sg_id:
        return session.scalar(select(MailMessage).where(MailMessage.sg_message_id == sg_id))
    return None


def _occurred(event: Mapping[str, Any]) -> dt.datetime | None:
    ts = event.get("timestamp")
    if isinstance(ts, int | float):
        return dt.datetime.fromtimestamp(ts, dt.UTC)
    return None


def ingest_events(session: Session, events: Iterable[Mapping[str, Any]]) -> IngestResult:
    """Store new events (a repeated ``sg_event_id`` is ignored), move each message's delivery
    status forward and put bounced or dropped addresses on the correction list."""
    received = stored = duplicates = unmatched = corrections = 0
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
            unmatched += 1
        email = str(event.get("email") or "").strip().lower()
        reason = str(event.get("reason") or event.get("response") or event.get("type") or "")
        occurred = _occurred(event)
        try:
            with session.begin_nested():
                session.add(
                    MailEvent(
                        sg_event_id=event_id,
                        message_id=msg.id if msg else None,
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
        status = HANDLED.get(kind)
        if msg is not None and status is not None:
            current = msg.delivery_status
            if current is None or _RANK[status] >= _RANK[current]:
                msg.delivery_status = status
            msg.last_event_at = occurred or dt.datetime.now(dt.UTC)
        if kind in CORRECTION_EVENTS and email:
            corrections += 1
            _add_correction(session, email, kind, reason, msg, occurred)
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
