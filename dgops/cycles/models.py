"""Tables of the survey cycles: one per Buddhist-era year, and deadline extensions."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dgops.db.models import Base, enum_column, utcnow


class CycleStatus(enum.StrEnum):
    PLANNING = "planning"
    OPEN = "open"
    CLOSED = "closed"
    SCORED = "scored"
    PUBLISHED = "published"


class SurveyCycle(Base):
    """One survey year."""

    __tablename__ = "survey_cycle"
    __table_args__ = (
        CheckConstraint("year_be = year_ce + 543", name="be_is_ce_plus_543"),
        CheckConstraint("deadline >= open_date", name="deadline_after_open"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year_be: Mapped[int] = mapped_column(Integer, unique=True)
    year_ce: Mapped[int] = mapped_column(Integer)
    framework_version: Mapped[str] = mapped_column(String(32))
    title_th: Mapped[str] = mapped_column(String(300))
    open_date: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[CycleStatus] = mapped_column(
        enum_column(CycleStatus, "cycle_status"), default=CycleStatus.PLANNING
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    extensions: Mapped[list[CycleExtension]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan"
    )


class CycleExtension(Base):
    """A deadline extension for one agency or for a group (``group_field`` = ``group_value``)."""

    __tablename__ = "cycle_extension"
    __table_args__ = (
        CheckConstraint(
            "(agency_id IS NOT NULL) OR (group_field IS NOT NULL AND group_value IS NOT NULL)",
            name="agency_or_group",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("survey_cycle.id", ondelete="CASCADE"))
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id", ondelete="CASCADE"), nullable=True
    )
    group_field: Mapped[str | None] = mapped_column(String(32), nullable=True)
    group_value: Mapped[str | None] = mapped_column(String(200), nullable=True)
    new_deadline: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cycle: Mapped[SurveyCycle] = relationship(back_populates="extensions")
