"""Tables of the publication stage: the confirmed codes of free-text answers.

An operator codes the free-text answers of a question into the categories of its code frame
(:mod:`dgops.publish.coding`); the confirmed code of each answer is stored here with a hash of
the text it was confirmed for, so that an answer changed after coding counts as uncoded again
instead of keeping a code that no longer describes it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from dgops.db.models import Base, utcnow


class CodedAnswer(Base):
    """The confirmed code of one agency's free-text answer to one question of a cycle."""

    __tablename__ = "coded_answer"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("survey_cycle.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    answer_sha256: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the answer text the code was confirmed for."""
    confirmed_by: Mapped[str] = mapped_column(String(100))
    confirmed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
