"""Daily snapshots of counts per group, the trend they draw, and the previous cycle's curve."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from dgops.cycles.models import SurveyCycle
from dgops.fieldwork.models import FieldworkSnapshot
from dgops.fieldwork.queries import (
    ALL_FIELD,
    ALL_VALUE,
    GROUP_FIELDS,
    RESPONDED,
    STATUSES,
    agency_progress,
    cycle_of,
    rates_from_counts,
    status_counts,
)

TREND_COLUMNS = ["day", "days_from_open", "total", "responded", "rate"]


def snapshot_rows(counts: pd.DataFrame) -> list[dict[str, Any]]:
    """The snapshot rows (group_field, group_value, total and one count per status)."""
    rows: list[dict[str, Any]] = []
    for field in (None, *GROUP_FIELDS):
        table = rates_from_counts(counts, field)
        for value, r in table.iterrows():
            rows.append(
                {
                    "group_field": field or ALL_FIELD,
                    "group_value": str(value),
                    "total": int(r["total"]),
                    **{s: int(r[s]) for s in STATUSES},
                }
            )
    return rows


def take_snapshot(session: Session, year: int, day: dt.date) -> int:
    """Store today's counts per group for the cycle; a second run of the same day replaces the
    first (idempotent per (cycle, day)). Returns the number of rows written."""
    cycle = cycle_of(session, year)
    rows = snapshot_rows(status_counts(session, cycle.id))
    session.execute(
        delete(FieldworkSnapshot).where(
            FieldworkSnapshot.cycle_id == cycle.id, FieldworkSnapshot.day == day
        )
    )
    now = dt.datetime.now(dt.UTC)
    if rows:
        session.execute(
            insert(FieldworkSnapshot),
            [{"cycle_id": cycle.id, "day": day, "taken_at": now, **r} for r in rows],
        )
    session.flush()
    return len(rows)


def _trend_of(session: Session, cycle: SurveyCycle, field: str, value: str) -> pd.DataFrame:
    stmt = (
        select(
            FieldworkSnapshot.day,
            FieldworkSnapshot.total,
            *(getattr(FieldworkSnapshot, s) for s in RESPONDED),
        )
        .where(
            FieldworkSnapshot.cycle_id == cycle.id,
            FieldworkSnapshot.group_field == field,
            FieldworkSnapshot.group_value == value,
        )
        .order_by(FieldworkSnapshot.day)
    )
    rows = session.execute(stmt).all()
    if not rows:
        return pd.DataFrame(columns=TREND_COLUMNS)
    df = pd.DataFrame(rows, columns=["day", "total", *RESPONDED])
    df["responded"] = df[list(RESPONDED)].sum(axis=1).astype(int)
    df["days_from_open"] = [(d - cycle.open_date).days for d in df["day"]]
    df["rate"] = (100.0 * df["responded"] / df["total"].where(df["total"] > 0)).round(2)
    return df[TREND_COLUMNS]


def _key(by: str | None, value: str | None) -> tuple[str, str]:
    if by is None:
        return ALL_FIELD, ALL_VALUE
    if by not in GROUP_FIELDS:
        raise ValueError(f"unknown group field {by!r}; use one of {GROUP_FIELDS}")
    if value is None:
        raise ValueError("a group value is needed with `by`")
    return by, value


def trend(
    session: Session, year: int, *, by: str | None = None, value: str | None = None
) -> pd.DataFrame:
    """The daily curve of a group (the whole cycle by default) from the stored snapshots:
    day, days_from_open, total, responded, rate."""
    field, val = _key(by, value)
    return _trend_of(session, cycle_of(session, year), field, val)


def _reconstructed(
    session: Session, cycle: SurveyCycle, by: str | None, value: str | None
) -> pd.DataFrame:
    """A curve rebuilt from submission times, for a cycle that kept no snapshots."""
    df = agency_progress(session, cycle.year_be, filters={by: value} if by and value else None)
    total = len(df)
    if total == 0:
        return pd.DataFrame(columns=TREND_COLUMNS)
    stamps = df.loc[df["status"].isin(RESPONDED), "submitted_at"].dropna()
    days = sorted((s.date() - cycle.open_date).days for s in stamps)
    span = max((cycle.deadline - cycle.open_date).days, max(days, default=0))
    counts = pd.Series(days, dtype=int).value_counts()
    cum = counts.reindex(range(span + 1), fill_value=0).cumsum()
    cum += sum(1 for d in days if d < 0)
    out = pd.DataFrame(
        {
            "day": [cycle.open_date + dt.timedelta(days=int(i)) for i in cum.index],
            "days_from_open": cum.index.astype(int),
            "total": total,
            "responded": cum.to_numpy().astype(int),
        }
    )
    out["rate"] = (100.0 * out["responded"] / total).round(2)
    return out[TREND_COLUMNS]


def previous_cycle(session: Session, cycle: SurveyCycle) -> SurveyCycle | None:
    """The cycle of the year before, if it is in the database."""
    return session.scalar(select(SurveyCycle).where(SurveyCycle.year_be == cycle.year_be - 1))


def previous_trend(
    session: Session, year: int, *, by: str | None = None, value: str | None = None
) -> pd.DataFrame:
    """The previous cycle's curve aligned on days_from_open: its snapshots, else rebuilt from
    its responses' submission times; an empty frame when there is no previous cycle."""
    field, val = _key(by, value)
    cycle = cycle_of(session, year)
    prev = previous_cycle(session, cycle)
    if prev is None:
        return pd.DataFrame(columns=TREND_COLUMNS)
    stored = _trend_of(session, prev, field, val)
    if len(stored):
        return stored
    return _reconstructed(session, prev, by, value)
