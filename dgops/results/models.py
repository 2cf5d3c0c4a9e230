"""Tables of scoring results: a run per scoring of a cycle, per-agency scores and
recommendations, national policy recommendations, result letters and earlier years' published
scores.

A new run of a cycle marks the previous one superseded. A run is a draft until an operator
releases it (``released_at``); letters, e-mails, the results page and the publication read only
the cycle's latest released run. Released runs are never deleted.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from dgops.db.models import Base, enum_column, utcnow


class ScoreRunStatus(enum.StrEnum):
    CURRENT = "current"
    SUPERSEDED = "superseded"


class ScoreKind(enum.StrEnum):
    OVERALL = "overall"
    PILLAR = "pillar"
    SUB_INDICATOR = "sub_indicator"


class RecommendationClass(enum.StrEnum):
    OUTSTANDING = "outstanding"
    FAIRLY_OUTSTANDING = "fairly_outstanding"
    ACCELERATE = "accelerate"


class ScoreRun(Base):
    """One scoring of a cycle's responses with one framework version."""

    __tablename__ = "score_run"
    __table_args__ = (
        Index(
            "uq_score_run_current_per_cycle",
            "cycle_id",
            unique=True,
            sqlite_where=text("status = 'current'"),
            postgresql_where=text("status = 'current'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("survey_cycle.id", ondelete="CASCADE"), index=True
    )
    framework_version: Mapped[str] = mapped_column(String(32))
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    status: Mapped[ScoreRunStatus] = mapped_column(
        enum_column(ScoreRunStatus, "score_run_status"), default=ScoreRunStatus.CURRENT
    )
    n_agencies: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    supersede_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Why this run replaces a released one (required when scoring after a release)."""


class ScoreValue(Base):
    """One agency's score for the overall index, a pillar or a sub-indicator (full precision)."""

    __tablename__ = "score_value"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("score_run.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[ScoreKind] = mapped_column(enum_column(ScoreKind, "score_kind"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    score: Mapped[float | None] = mapped_column(Double, nullable=True)
    level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    group_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    rank_national: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank_peer: Mapped[int | None] = mapped_column(Integer, nullable=True)
    peer_size: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AgencyRecommendation(Base):
    """A sub-indicator of one agency, classed against its peers, with DGA-style advice."""

    __tablename__ = "agency_recommendation"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("score_run.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    sub_indicator: Mapped[str] = mapped_column(String(32), primary_key=True)
    pillar: Mapped[str] = mapped_column(String(32))
    rec_class: Mapped[RecommendationClass] = mapped_column(
        enum_column(RecommendationClass, "recommendation_class")
    )
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    score: Mapped[float | None] = mapped_column(Double, nullable=True)
    peer_mean: Mapped[float | None] = mapped_column(Double, nullable=True)
    impact: Mapped[float | None] = mapped_column(Double, nullable=True)
    level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    advice_th: Mapped[str] = mapped_column(Text, default="")
    lead_unit: Mapped[str] = mapped_column(String(200), default="")
    support_units: Mapped[list[str]] = mapped_column(JSON, default=list)


class NationalRecommendation(Base):
    """A policy recommendation of the national report, per theme, chosen from weaknesses."""

    __tablename__ = "national_recommendation"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("score_run.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(64), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    title_th: Mapped[str] = mapped_column(String(300))
    summary_th: Mapped[str] = mapped_column(Text, default="")
    actions_th: Mapped[list[str]] = mapped_column(JSON, default=list)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ResultLetterKind(enum.StrEnum):
    RESULT = "result"
    CORRECTION = "correction"


class ResultLetter(Base):
    """The result letter one agency was issued for one released run.

    A correction letter (a later released run for an agency already issued a letter) has its
    own number and refers to the letter it corrects (``corrects_id``).
    """

    __tablename__ = "result_letter"
    __table_args__ = (UniqueConstraint("run_id", "agency_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("survey_cycle.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("score_run.id", ondelete="CASCADE"))
    kind: Mapped[ResultLetterKind] = mapped_column(
        enum_column(ResultLetterKind, "result_letter_kind")
    )
    number: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("result_letter.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PublishedScore(Base):
    """An earlier year's published per-agency score (imported, for year-on-year comparisons
    before dgops ran that year): overall, a pillar or a sub-indicator, with its level."""

    __tablename__ = "published_score"

    year_be: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[ScoreKind] = mapped_column(enum_column(ScoreKind, "score_kind"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    score: Mapped[float | None] = mapped_column(Double, nullable=True)
    level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source: Mapped[str] = mapped_column(String(300), default="")
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
