"""Fieldwork tracking: response rates by group, each agency's progress, daily snapshots, the
trend against last year, a projection to the deadline and the groups that are behind.

Every function takes the caller's session and a cycle year (BE or CE) and returns a DataFrame or
a small frozen dataclass; only :func:`take_snapshot` writes. See ``docs/fieldwork.md``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy.orm import Session

from dgops.tracking.policy import FieldworkPolicy, Manager, PolicyError, ReminderRound, load_policy
from dgops.tracking.projection import (
    Projection,
    behind_groups,
    expected_share,
    project_rate,
    targets_for,
)
from dgops.tracking.queries import (
    ALL_FIELD,
    ALL_VALUE,
    GROUP_FIELDS,
    RESPONDED,
    STATUSES,
    agency_progress,
    effective_deadlines,
    fieldwork_cycle,
    load_sql,
    response_rates,
)
from dgops.tracking.snapshot import previous_trend, take_snapshot, trend


def reminder_queue(
    session: Session, year: int, *, today: dt.date, horizon_days: int = 14
) -> pd.DataFrame:
    """The reminders due from ``today`` to ``today + horizon_days`` (see
    :func:`dgops.reminders.reminder_queue`)."""
    from dgops.reminders import reminder_queue as queue

    return queue(session, year, today=today, horizon_days=horizon_days)


__all__ = [
    "ALL_FIELD",
    "ALL_VALUE",
    "GROUP_FIELDS",
    "RESPONDED",
    "STATUSES",
    "FieldworkPolicy",
    "Manager",
    "PolicyError",
    "Projection",
    "ReminderRound",
    "agency_progress",
    "behind_groups",
    "effective_deadlines",
    "expected_share",
    "fieldwork_cycle",
    "load_policy",
    "load_sql",
    "previous_trend",
    "project_rate",
    "reminder_queue",
    "response_rates",
    "take_snapshot",
    "targets_for",
    "trend",
]
