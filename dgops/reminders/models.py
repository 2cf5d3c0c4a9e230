"""Operators' holds and cancellations of reminders, per agency and cycle (migration 0007)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dgops.db.models import Base, enum_column, utcnow


class HoldMode(enum.StrEnum):
    HOLD = "hold"
    """Paused until released; rounds that fall due meanwhile are skipped."""
    CANCEL = "cancel"
    """No more reminders for this agency in this cycle."""


class ReminderHold(Base):
    """A hold or cancellation of one agency's reminders in one cycle."""

    __tablename__ = "reminder_hold"
    __table_args__ = (UniqueConstraint("cycle_id", "agency_id", name="uq_reminder_hold_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("survey_cycle.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    mode: Mapped[HoldMode] = mapped_column(enum_column(HoldMode, "reminder_hold_mode"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
