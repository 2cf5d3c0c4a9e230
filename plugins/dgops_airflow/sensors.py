"""Waiting for a time of the run's own day (Bangkok), so that replays and backfills of a past
day do what that day would have done.

Airflow's ``TimeSensor`` compares with the wall clock's *today*: a replay of last week's
fieldwork day started at 06:00 would wait until 08:30 this morning. :class:`RunDayTimeSensor`
waits for the time on the day the run acts for (:func:`dgops_airflow.tasks.run_moment`: the
logical date, or for a run without one the moment it was queued), so a past day's wait is over
at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from airflow.sdk import BaseSensorOperator

from dgops_airflow.tasks import run_moment


class RunDayTimeSensor(BaseSensorOperator):
    """Succeeds once it is ``target_time`` (Bangkok) on the run's day, or later."""

    def __init__(self, *, target_time: dt.time, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_time = target_time

    def target_moment(self, context: Any) -> dt.datetime:
        """``target_time`` in Bangkok on the calendar day of the run's moment."""
        from dgops.thai import BANGKOK, local_date

        day = local_date(run_moment(context))
        return dt.datetime.combine(day, self.target_time, tzinfo=BANGKOK)

    def poke(self, context: Any) -> bool:
        """Whether the wall clock has reached the target moment."""
        target = self.target_moment(context)
        self.log.info("Waiting until %s", target.isoformat())
        return dt.datetime.now(dt.UTC) >= target
