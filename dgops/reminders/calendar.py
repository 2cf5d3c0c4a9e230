"""Thai working days: weekdays that are neither public holidays (``holidays``) nor special days
off declared by the government (an operator-supplied list)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def thai_holidays(year: int) -> dict[dt.date, str]:
    """Thai public holidays of a (CE) year with their Thai names, substitution days included."""
    calendar = holidays.country_holidays("TH", years=year, language="th")
    return dict(calendar.items())


@dataclass(frozen=True)
class ThaiCalendar:
    """Working days and office hours in Thailand."""

    special_days_off: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def with_days_off(cls, days: Iterable[dt.date]) -> ThaiCalendar:
        return cls(frozenset(days))

    def day_off_reason(self, day: dt.date) -> str | None:
        """Why ``day`` is not a working day (Thai), or None when it is one."""
        if day.weekday() >= 5:
            return "วันหยุดสุดสัปดาห์"
        if day in self.special_days_off:
            return "วันหยุดพิเศษ"
        return thai_holidays(day.year).get(day)

    def is_working_day(self, day: dt.date) -> bool:
        return self.day_off_reason(day) is None

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def previous_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the one before."""
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day
