"""Tables of the data-quality stage: runs, per-response checks, findings, evidence reviews."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dgops.db.models import Base, enum_column, utcnow


class Severity(enum.StrEnum):
    """``error`` blocks scoring (the response goes back to the agency); ``warning`` is for
    the operators' review."""

    ERROR = "error"
    WARNING = "warning"


class FindingStatus(enum.StrEnum):
    """``open`` until the agency resubmits (``superseded`` by the next check) or an operator
    accepts it with a reason (``accepted``)."""

    PENDING = "pending"
    """Found by a run whose findings are not stored yet (between validate and store)."""
    OPEN = "open"
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"


class CheckOutcome(enum.StrEnum):
    """What a run decided for one response."""

    PENDING = "pending"
    RETURNED = "returned"
    VERIFIED = "verified"
    SKIPPED = "skipped"


class ReviewDecision(enum.StrEnum):
    """An operator's decision on the evidence of one claim."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"


class QualityRun(Base):
    """One checkpoint run over a cycle's submitted responses."""

    __tablename__ = "quality_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("survey_cycle.id", ondelete="CASCADE"), index=True
    )
    framework_version: Mapped[str] = mapped_column(String(20))
    suites: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    settled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    actor: Mapped[str] = mapped_column(String(100))
    n_responses: Mapped[int] = mapped_column(Integer, default=0)
    n_errors: Mapped[int] = mapped_column(Integer, default=0)
    n_warnings: Mapped[int] = mapped_column(Integer, default=0)


class QualityCheck(Base):
    """One response checked by one run, and what the run decided for it."""

    __tablename__ = "quality_check"
    __table_args__ = (UniqueConstraint("run_id", "response_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("quality_run.id", ondelete="CASCADE"), index=True
    )
    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    outcome: Mapped[CheckOutcome] = mapped_column(
        enum_column(CheckOutcome, "quality_check_outcome"), default=CheckOutcome.PENDING
    )
    round: Mapped[int] = mapped_column(Integer, default=0)
    """How many times the response has been returned, including by this run."""
    n_errors: Mapped[int] = mapped_column(Integer, default=0)
    n_warnings: Mapped[int] = mapped_column(Integer, default=0)


class QualityFinding(Base):
    """An expectation that failed for one response (and question), with the offending value."""

    __tablename__ = "quality_finding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("quality_run.id", ondelete="CASCADE"), index=True
    )
    cycle_id: Mapped[int] = mapped_column(ForeignKey("survey_cycle.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    suite: Mapped[str] = mapped_column(String(100))
    rule: Mapped[str] = mapped_column(String(64))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "quality_severity"))
    message_th: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    status: Mapped[FindingStatus] = mapped_column(
        enum_column(FindingStatus, "quality_finding_status"), default=FindingStatus.OPEN, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Why an operator accepted it (kept with the finding; also in the audit trail)."""


class EvidenceReview(Base):
    """An operator's review of the evidence behind one claim. A rejection scores the claim as
    "not done" (``override_value``) without touching the agency's answer."""

    __tablename__ = "evidence_review"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("survey_cycle.id", ondelete="CASCADE"), index=True
    )
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    decision: Mapped[ReviewDecision] = mapped_column(
        enum_column(ReviewDecision, "evidence_decision")
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    override_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    reviewed_by: Mapped[str] = mapped_column(String(100))
    reviewed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
