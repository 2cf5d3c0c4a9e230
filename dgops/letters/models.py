"""Tables of official letter numbers: a gap-free counter per issuing unit and BE year."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dgops.db.models import Base, utcnow


class LetterCounter(Base):
    """The last number issued by ``unit`` in Buddhist-era year ``year_be``."""

    __tablename__ = "letter_counter"

    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    year_be: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class LetterNumber(Base):
    """A number given to one letter: (cycle, agency, kind) keeps it across re-renders."""

    __tablename__ = "letter_number"
    __table_args__ = (
        UniqueConstraint("unit", "year_be", "seq"),
        UniqueConstraint("cycle_id", "agency_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(64))
    year_be: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("survey_cycle.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    allocated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
