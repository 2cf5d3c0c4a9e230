"""Read-side of fieldwork: agencies' progress and response rates, from ``sql/tracking/*.sql``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from dgops.cycles import get_cycle
from dgops.cycles.models import CycleExtension, SurveyCycle
from dgops.fieldwork.policy import load_policy
from dgops.responses.models import Response, ResponseStatus
from dgops.settings import PROJECT_ROOT, get_settings
from dgops.thai import BANGKOK

GROUP_FIELDS: tuple[str, ...] = ("level", "agency_type", "mission", "ministry", "province")
"""The groupings every report uses."""
ALL_FIELD = "all"
ALL_VALUE = "ทั้งหมด"
STATUSES: tuple[str, ...] = tuple(s.value for s in ResponseStatus)
RESPONDED: tuple[str, ...] = ("submitted", "returned", "verified")
"""Statuses that count as responded."""
OPEN_STATUSES: tuple[str, ...] = ("not_started", "in_progress")
"""Statuses of the agencies still to answer (reminded, called)."""
CONTACT_ORDER: tuple[str, ...] = ("coordinator", "cio", "head")
"""Whom to talk to at an agency, in order of preference."""


@lru_cache(maxsize=16)
def _sql_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load_sql(name: str) -> str:
    """The text of ``sql/tracking/<name>.sql`` (from the configured home, else the checkout)."""
    for root in (get_settings().sql_dir, PROJECT_ROOT / "sql"):
        path = root / "tracking" / f"{name}.sql"
        if path.is_file():
            return _sql_text(path)
    raise FileNotFoundError(f"sql/tracking/{name}.sql")


def run_sql(session: Session, name: str, **params: Any) -> pd.DataFrame:
    """Run a tracking query and return its rows as a DataFrame."""
    result = session.execute(text(load_sql(name)), params)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def cycle_of(session: Session, year: int) -> SurveyCycle:
    """The cycle of ``year`` (BE or CE); raises ``dgops.cycles.CycleError`` when unknown."""
    return get_cycle(session, year)


def utc_series(series: pd.Series) -> pd.Series:
    """Timestamps as read from either database, as aware UTC datetimes."""
    # SQLite hands back text, PostgreSQL aware datetimes; naive values are stored UTC.
    out: pd.Series = pd.to_datetime(series, utc=True, format="mixed")
    return out


def _days_since(stamp: pd.Series, today: dt.date) -> pd.Series:
    # Calendar days in Thailand: invited on Monday, Tuesday is one day later.
    local = stamp.dt.tz_convert(BANGKOK).dt.tz_localize(None).dt.normalize()
    days: pd.Series = (pd.Timestamp(today) - local).dt.days.astype("Int64")
    return days


def apply_filters(frame: pd.DataFrame, filters: Mapping[str, str] | None) -> pd.DataFrame:
    """Keep the rows whose group fields equal ``filters``; unknown fields raise ValueError."""
    for key, value in (filters or {}).items():
        if key not in GROUP_FIELDS:
            raise ValueError(f"unknown group field {key!r}; use one of {GROUP_FIELDS}")
        frame = frame[frame[key] == value]
    return frame


def contacts_frame(session: Session, cycle_id: int) -> pd.DataFrame:
    """Contacts of the enrolled agencies (agency_id, role, name, title, email, phone, bounced)."""
    return run_sql(session, "contacts", cycle_id=cycle_id)


def _main_contact(contacts: pd.DataFrame) -> pd.DataFrame:
    if contacts.empty:
        return pd.DataFrame(
            columns=["contact_name", "contact_phone", "contact_email", "bounced"]
        ).rename_axis("agency_id")
    c = contacts[contacts["role"].isin(CONTACT_ORDER)].copy()
    c["rank"] = c["role"].map({r: i for i, r in enumerate(CONTACT_ORDER)})
    c = c.sort_values(["agency_id", "rank"], kind="stable")
    first = c.drop_duplicates("agency_id").set_index("agency_id")
    bounced = contacts.groupby("agency_id")["bounced"].max().astype(bool)
    out = pd.DataFrame(
        {
            "contact_name": first["name"],
            "contact_phone": first["phone"],
            "contact_email": first["email"],
        }
    )
    return out.join(bounced.rename("bounced"), how="outer")


def agency_progress(
    session: Session,
    year: int,
    *,
    filters: Mapping[str, str] | None = None,
    status: str | None = None,
    only_nonresponders: bool = False,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """One row per enrolled agency: group fields, status, days since invitation, reminders sent,
    the latest e-mail event, days in the current status, the main contact (coordinator, else
    CIO, else head), whether a contact bounced, and whether reminders are held.

    ``today`` (default: the current date) is what the day counts are measured to.
    """
    cycle = cycle_of(session, year)
    day = today or dt.date.today()
    df = run_sql(session, "agency_progress", cycle_id=cycle.id)
    df = df.drop_duplicates("agency_id", keep="first")
    df = apply_filters(df, filters)
    if status is not None:
        df = df[df["status"] == status]
    if only_nonresponders:
        df = df[~df["status"].isin(RESPONDED)]
    for col in ("invited_at", "last_reminder_at", "last_status_at", "last_email_event_at"):
        df[col] = utc_series(df[col])
    df["submitted_at"] = utc_series(df["submitted_at"])
    df["days_since_invitation"] = _days_since(df["invited_at"], day)
    since = df["last_status_at"].fillna(df["invited_at"])
    since = since.fillna(pd.Timestamp(cycle.open_date, tz="UTC"))
    df["days_in_status"] = _days_since(since, day)
    df["reminders_sent"] = df["reminders_sent"].astype(int)
    df["reminder_hold"] = df["hold_mode"].notna()
    contacts = _main_contact(contacts_frame(session, cycle.id))
    df = df.join(contacts, on="agency_id")
    df["bounced"] = df["bounced"].fillna(False).astype(bool)
    return df.reset_index(drop=True)[
        [
            "agency_id",
            "code",
            "name_th",
            "level",
            "agency_type",
            "mission",
            "ministry",
            "province",
            "status",
            "days_since_invitation",
            "reminders_sent",
            "last_reminder_at",
            "last_email_event",
            "last_email_event_at",
            "days_in_status",
            "contact_name",
            "contact_phone",
            "contact_email",
            "bounced",
            "reminder_hold",
            "hold_mode",
            "parent_id",
            "invited_at",
            "submitted_at",
        ]
    ]


def status_counts(session: Session, cycle_id: int) -> pd.DataFrame:
    """Enrolled agencies counted by group fields and status (``response_counts.sql``)."""
    df = run_sql(session, "response_counts", cycle_id=cycle_id)
    df["n"] = df["n"].astype(int)
    return df


def rates_from_counts(
    counts: pd.DataFrame,
    by: str | None,
    targets: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """Per-status totals and rate of each group of ``by`` (or the whole, ``ทั้งหมด``)."""
    if by is not None and by not in GROUP_FIELDS:
        raise ValueError(f"unknown group field {by!r}; use one of {GROUP_FIELDS}")
    if by is None:
        key = pd.Series(ALL_VALUE, index=counts.index)
        field = ALL_FIELD
    else:
        key = counts[by]
        field = by
    keyed = counts.assign(_g=key).dropna(subset=["_g"])
    table = keyed.groupby(["_g", "status"])["n"].sum().unstack(fill_value=0)
    table = table.reindex(columns=list(STATUSES), fill_value=0).astype(int)
    table["total"] = table[list(STATUSES)].sum(axis=1)
    table["responded"] = table[list(RESPONDED)].sum(axis=1)
    table["rate"] = (100.0 * table["responded"] / table["total"].where(table["total"] > 0)).round(2)
    wanted = (targets or {}).get(field, {})
    table["target"] = [wanted.get(str(v)) for v in table.index]
    table["gap"] = [
        None if t is None else round(float(r) - float(t), 2)
        for r, t in zip(table["rate"], table["target"], strict=True)
    ]
    table.index.name = by or "group"
    table.columns.name = None
    return table[["total", *STATUSES, "responded", "rate", "target", "gap"]]


def response_rates(
    session: Session,
    year: int,
    *,
    by: str | None = None,
    filters: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Response counts by status and rate (%) for the cycle or per group of ``by``, with the
    group's target and the gap to it (rate − target)."""
    cycle = cycle_of(session, year)
    counts = apply_filters(status_counts(session, cycle.id), filters)
    return rates_from_counts(counts, by, load_policy(cycle.year_be).targets)


def effective_deadlines(session: Session, cycle: SurveyCycle, agencies: pd.DataFrame) -> pd.Series:
    """Each agency's deadline (index agency_id): its own extension, else the latest extension
    of a group it belongs to, else the cycle's deadline."""
    deadline = pd.Series(cycle.deadline, index=agencies["agency_id"].to_numpy(), dtype=object)
    rows = session.scalars(select(CycleExtension).where(CycleExtension.cycle_id == cycle.id)).all()
    group_rows = [r for r in rows if r.agency_id is None]
    for r in sorted(group_rows, key=lambda x: x.new_deadline):
        if r.group_field in GROUP_FIELDS:
            mask = (agencies[r.group_field] == r.group_value).to_numpy()
            deadline[mask] = r.new_deadline
    for r in sorted((r for r in rows if r.agency_id is not None), key=lambda x: x.created_at):
        if r.agency_id is not None and r.agency_id in deadline.index:
            deadline[int(r.agency_id)] = r.new_deadline
    return deadline


def fieldwork_year(session: Session, day: dt.date, year: int | None = None) -> int | None:
    """The cycle a fieldwork run for ``day`` works on: ``year`` when given (an operator's
    choice), else the cycle whose fieldwork window contains ``day`` (None: no fieldwork)."""
    if year:
        return year
    cycle = fieldwork_cycle(session, day)
    return None if cycle is None else cycle.year_be


def awaiting_checks(session: Session, year: int) -> int:
    """How many of the cycle's responses are submitted and not yet checked (quality's input)."""
    cycle = cycle_of(session, year)
    stmt = select(func.count()).where(
        Response.cycle_id == cycle.id, Response.status == ResponseStatus.SUBMITTED
    )
    return int(session.scalar(stmt) or 0)


def fieldwork_cycle(session: Session, day: dt.date) -> SurveyCycle | None:
    """The cycle whose fieldwork window (opening day to its latest deadline, extensions
    included) contains ``day``; the most recent one if windows overlap."""
    for cycle in session.scalars(select(SurveyCycle).order_by(SurveyCycle.year_be.desc())):
        last = max([cycle.deadline, *(e.new_deadline for e in cycle.extensions)])
        if cycle.open_date <= day <= last:
            return cycle
    return None
