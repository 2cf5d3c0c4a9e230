"""SQLAlchemy 2.x models of the survey database.

The schema itself is owned by the Alembic migrations in ``sql/migrations``; these models mirror it
and a test checks that the two agree on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as VARCHAR with a CHECK constraint: portable, and new values need no ALTER TYPE.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class CycleStatus(enum.StrEnum):
    PLANNING = "planning"
    OPEN = "open"
    CLOSED = "closed"
    SCORED = "scored"
    PUBLISHED = "published"


class AgencyLevel(enum.StrEnum):
    DEPARTMENT = "department"
    PROVINCIAL_OFFICE = "provincial_office"
    PROVINCIAL_CIO = "provincial_cio"
    LOCAL_GOVERNMENT = "local_government"


class AgencyType(enum.StrEnum):
    GOVERNMENT_AGENCY = "government_agency"
    STATE_ENTERPRISE = "state_enterprise"
    PUBLIC_ORGANIZATION = "public_organization"
    INDEPENDENT_ORGANIZATION = "independent_organization"
    OTHER = "other"


class Mission(enum.StrEnum):
    POLICY = "policy"
    SERVICE = "service"


class ContactRole(enum.StrEnum):
    HEAD = "head"
    CIO = "cio"
    DCIO = "dcio"
    COORDINATOR = "coordinator"
    BACKUP = "backup"


class ResponseStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    VERIFIED = "verified"


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
        _enum(CycleStatus, "cycle_status"), default=CycleStatus.PLANNING
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


class Agency(Base):
    """A surveyed public agency, identified by a stable code across years."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_th: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300), nullable=True)
    level: Mapped[AgencyLevel] = mapped_column(_enum(AgencyLevel, "agency_level"))
    agency_type: Mapped[AgencyType | None] = mapped_column(
        _enum(AgencyType, "agency_type"), nullable=True
    )
    mission: Mapped[Mission | None] = mapped_column(_enum(Mission, "mission"), nullable=True)
    ministry: Mapped[str | None] = mapped_column(String(200), nullable=True)
    province: Mapped[str | None] = mapped_column(String(100), nullable=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id", ondelete="SET NULL"), nullable=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    parent: Mapped[Agency | None] = relationship(remote_side=[id])
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="agency",
        cascade="all, delete-orphan",
        order_by="Contact.id",
    )


Index("ix_agency_level_active", Agency.level, Agency.active)


class Contact(Base):
    """A person at an agency, in one role (head for the salutation, CIO, coordinator, ...)."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    role: Mapped[ContactRole] = mapped_column(_enum(ContactRole, "contact_role"))
    name: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(64), nullable=True)

    agency: Mapped[Agency] = relationship(back_populates="contacts")


class CycleAgency(Base):
    """Which agencies are surveyed in which cycle."""

    __tablename__ = "cycle_agency"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("survey_cycle.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    enrolled_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Response(Base):
    """An agency's answer sheet for one cycle; its status is what later stages read."""

    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("cycle_id", "agency_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("survey_cycle.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    status: Mapped[ResponseStatus] = mapped_column(
        _enum(ResponseStatus, "response_status"), default=ResponseStatus.NOT_STARTED
    )
    channel: Mapped[str] = mapped_column(String(32), default="online")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    submitted_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class Answer(Base):
    """One answer; ``value`` is JSON (a string, number, bool or list of option ids)."""

    __tablename__ = "answer"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    response: Mapped[Response] = relationship(back_populates="answers")


class ResponseEvent(Base):
    """A status transition of a response: who, when, through which channel, and why."""

    __tablename__ = "response_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    from_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_status: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")


class AuditLog(Base):
    """Who changed what and when. ``details`` holds the changed fields (never secrets)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str] = mapped_column(String(200))
    cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_cycle.id", ondelete="SET NULL"), nullable=True
    )
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- Scoring results (owned by dgops.results; migration 0002) -----------------------------------
# A score run per cycle; per agency scores (overall, pillar, sub-indicator), per agency
# recommendations and national policy recommendations hang off the run. A new run of a cycle
# marks the previous one superseded; readers take the run whose status is current.

from sqlalchemy import Double, text  # noqa: E402  (kept inside this appended block)


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
        _enum(ScoreRunStatus, "score_run_status"), default=ScoreRunStatus.CURRENT
    )
    n_agencies: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ScoreValue(Base):
    """One agency's score for the overall index, a pillar or a sub-indicator (full precision)."""

    __tablename__ = "score_value"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("score_run.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[ScoreKind] = mapped_column(_enum(ScoreKind, "score_kind"), primary_key=True)
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
        _enum(RecommendationClass, "recommendation_class")
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
