"""Survey cycles: one per Buddhist-era year, with its framework, dates and status."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.cycles.models import CycleStatus, SurveyCycle
from dgops.db import record_audit
from dgops.thai import to_be, to_ce

__all__ = ["CycleError", "create_cycle", "get_cycle", "list_cycles"]


class CycleError(ValueError):
    """A cycle cannot be created or found as asked."""


def normalise_year(year: int) -> int:
    """Accept either calendar and return the Buddhist-era year (years ≥ 2400 are BE)."""
    return year if year >= 2400 else to_be(year)


def create_cycle(
    session: Session,
    *,
    year: int,
    open_date: dt.date,
    deadline: dt.date,
    actor: str,
    framework_version: str | None = None,
    title_th: str | None = None,
) -> SurveyCycle:
    """Create the cycle for ``year`` (BE or CE). Raises :class:`CycleError` if it exists."""
    year_be = normalise_year(year)
    if deadline < open_date:
        raise CycleError(f"deadline {deadline} is before the open date {open_date}")
    if session.scalar(select(SurveyCycle).where(SurveyCycle.year_be == year_be)) is not None:
        raise CycleError(f"cycle {year_be} already exists")
    cycle = SurveyCycle(
        year_be=year_be,
        year_ce=to_ce(year_be),
        framework_version=framework_version or str(year_be),
        title_th=title_th or f"การสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ ประจำปี พ.ศ. {year_be}",
        open_date=open_date,
        deadline=deadline,
        status=CycleStatus.PLANNING,
    )
    session.add(cycle)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="create",
        entity="survey_cycle",
        entity_key=str(year_be),
        cycle_id=cycle.id,
        details={
            "framework_version": cycle.framework_version,
            "open_date": open_date.isoformat(),
            "deadline": deadline.isoformat(),
        },
    )
    return cycle


def get_cycle(session: Session, year: int) -> SurveyCycle:
    """The cycle of ``year`` (BE or CE). Raises :class:`CycleError` if there is none."""
    year_be = normalise_year(year)
    cycle = session.scalar(select(SurveyCycle).where(SurveyCycle.year_be == year_be))
    if cycle is None:
        raise CycleError(f"no survey cycle for {year_be}; create it with `dgops cycle create`")
    return cycle


def list_cycles(session: Session) -> list[SurveyCycle]:
    return list(session.scalars(select(SurveyCycle).order_by(SurveyCycle.year_be)))
