"""Reminders of the fieldwork: schedule, selection, sending through the mail ledger."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy.orm import Session

QUEUE_COLUMNS = ["agency_id", "code", "name_th", "round", "due_at", "audience", "kind", "held"]


def reminder_queue(
    session: Session, year: int, *, today: dt.date, horizon_days: int = 14
) -> pd.DataFrame:
    """The reminders due from ``today`` to ``today + horizon_days`` (not built yet: empty)."""
    return pd.DataFrame(columns=QUEUE_COLUMNS)


__all__ = ["QUEUE_COLUMNS", "reminder_queue"]
