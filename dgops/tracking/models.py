"""The daily fieldwork snapshot: counts per status for every group, one row set per day.

The schema is created by ``sql/migrations/versions/0007_fieldwork.py``; a test checks both agree.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dgops.db.models import Base, utcnow


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
