"""The fieldwork tables: the daily snapshot (counts per status for every group, one row set per
day) and operators' holds and cancellations of reminders, per agency and cycle.

The schema is created by ``sql/migrations/versions/0007_fieldwork.py``; a test checks both agree.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dgops.db.models import Base, enum_column, utcnow


class FieldworkSnapshot(Base):
    """Counts of one group (``group_field`` = ``group_value``; ``all`` for the whole cycle)."""

    __tablename__ = "fieldwork_snapshot"
    __table_args__ = (
        UniqueConstraint(
            "cycle_id", "day", "group_field", "group_value", name="uq_fieldwork_snapshot_key"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("survey_cycle.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[dt.date] = mapped_column(Date)
    group_field: Mapped[str] = mapped_column(String(32))
    group_value: Mapped[str] = mapped_column(String(200))
    total: Mapped[int] = mapped_column(Integer, default=0)
    not_started: Mapped[int] = mapped_column(Integer, default=0)
    in_progress: Mapped[int] = mapped_column(Integer, default=0)
    submitted: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    verified: Mapped[int] = mapped_column(Integer, default=0)
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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
