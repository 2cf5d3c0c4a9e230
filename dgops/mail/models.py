"""Tables of the mail machinery: the send ledger, webhook events and the correction list.

The schema is created by ``sql/migrations/versions/0004_mail.py``; a test checks both agree.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from dgops.db.models import Base, enum_column, utcnow


class SendStatus(enum.StrEnum):
    """Where a message is in the send ledger.

    ``pending`` → ``sending`` (committed before the API call) → ``accepted`` (SendGrid answered
    202 with an X-Message-Id) or ``failed`` (permanent 4xx). A message left in ``sending`` is
    uncertain; reconciliation makes it ``accepted``, ``pending`` again (SendGrid says it never
    received it) or ``held`` for an operator when that cannot be known.
    """

    PENDING = "pending"
    SENDING = "sending"
    ACCEPTED = "accepted"
    FAILED = "failed"
    HELD = "held"


class DeliveryStatus(enum.StrEnum):
    """The furthest delivery state the Event Webhook reported for a message."""

    PROCESSED = "processed"
    DEFERRED = "deferred"
    DELIVERED = "delivered"
    OPENED = "opened"
    BOUNCED = "bounced"
    DROPPED = "dropped"
    SPAMREPORT = "spamreport"


class CorrectionStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class MailMessage(Base):
    """One e-mail of the survey year: exactly one per (cycle, agency, kind, round)."""

    __tablename__ = "mail_message"
    __table_args__ = (
        UniqueConstraint("cycle_id", "agency_id", "kind", "round", name="uq_mail_message_key"),
        Index("ix_mail_message_cycle_status", "cycle_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("survey_cycle.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    round: Mapped[int] = mapped_column(Integer, default=1)
    message_key: Mapped[str] = mapped_column(String(36), unique=True)
    """Random, globally unique; sent as a custom arg and used to find the message in SendGrid."""
    status: Mapped[SendStatus] = mapped_column(
        enum_column(SendStatus, "mail_send_status"), default=SendStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sg_message_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    subject: Mapped[str] = mapped_column(String(500), default="")
    recipients: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    delivery_status: Mapped[DeliveryStatus | None] = mapped_column(
        enum_column(DeliveryStatus, "mail_delivery_status"), nullable=True
    )
    sending_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_event_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class MailEvent(Base):
    """One Event Webhook event, stored once per ``sg_event_id``."""

    __tablename__ = "mail_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sg_event_id: Mapped[str] = mapped_column(String(128), unique=True)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_message.id", ondelete="SET NULL"), nullable=True, index=True
    )
    event: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(254), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MailRecipient(Base):
    """Delivery status of one recipient of one message (to or cc), from webhook events.

    A bounce of one cc is that person's problem, not the agency's: the message's own
    ``delivery_status`` is derived from its recipients (see ``dgops.mail.events``).
    """

    __tablename__ = "mail_recipient"
    __table_args__ = (UniqueConstraint("message_id", "email", name="uq_mail_recipient_email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("mail_message.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(8), default="")
    """``to`` or ``cc`` as sent (empty when the address was not in the ledger's recipients)."""
    status: Mapped[str] = mapped_column(String(32))
    """processed, deferred, delivered, opened, blocked, bounced, dropped or spamreport."""
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MailCorrection(Base):
    """An address that bounced or was dropped: operators fix the contact before the next send."""

    __tablename__ = "mail_correction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id", ondelete="SET NULL"), nullable=True, index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_message.id", ondelete="SET NULL"), nullable=True
    )
    event: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CorrectionStatus] = mapped_column(
        enum_column(CorrectionStatus, "mail_correction_status"), default=CorrectionStatus.OPEN
    )
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
