"""Tables of the agency registry: agencies, their contacts, and who is surveyed in a cycle."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dgops.db.models import Base, enum_column, utcnow


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


class Agency(Base):
    """A surveyed public agency, identified by a stable code across years."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_th: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300), nullable=True)
    level: Mapped[AgencyLevel] = mapped_column(enum_column(AgencyLevel, "agency_level"))
    agency_type: Mapped[AgencyType | None] = mapped_column(
        enum_column(AgencyType, "agency_type"), nullable=True
    )
    mission: Mapped[Mission | None] = mapped_column(enum_column(Mission, "mission"), nullable=True)
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
    role: Mapped[ContactRole] = mapped_column(enum_column(ContactRole, "contact_role"))
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
