"""Thai time and writing: the Bangkok time zone, Buddhist-era years and dates, Thai digits and
the working-day calendar. Every other module takes these from here (one copy of each rule).

Dates come from pythainlp (``thai_strftime``), holidays from the ``holidays`` package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "BANGKOK",
    "BE_OFFSET",
    "ThaiCalendar",
    "local_date",
    "short_date",
    "thai_date",
    "thai_datetime",
    "thai_digits",
    "thai_holidays",
    "to_be",
    "to_ce",
    "to_local",
]

BANGKOK = ZoneInfo("Asia/Bangkok")
"""Thailand's time zone (UTC+7, no daylight saving)."""

BE_OFFSET = 543
"""Buddhist-era year = Gregorian year + 543."""


def to_be(year_ce: int) -> int:
    """Gregorian year → Buddhist-era year (2023 → 2566)."""
    return year_ce + BE_OFFSET


def to_ce(year_be: int) -> int:
    """Buddhist-era year → Gregorian year (2566 → 2023)."""
    return year_be - BE_OFFSET


def to_local(moment: dt.datetime) -> dt.datetime:
    """A moment in Bangkok time; a naive datetime is taken as UTC (how the database stores it)."""
    aware = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
    return aware.astimezone(BANGKOK)


def local_date(moment: dt.datetime) -> dt.date:
    """The Bangkok calendar day of a moment (naive = UTC)."""
    return to_local(moment).date()


def thai_digits(text: str) -> str:
    """Arabic digits → Thai digits (``2566/123`` → ``๒๕๖๖/๑๒๓``), for official letters."""
    from pythainlp.util import arabic_digit_to_thai_digit

    return str(arabic_digit_to_thai_digit(text))


def _as_datetime(value: dt.date | dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        # An aware moment is shown on the Bangkok calendar; a naive one as it is.
        return value.astimezone(BANGKOK) if value.tzinfo is not None else value
    return dt.datetime(value.year, value.month, value.day)


def thai_date(value: dt.date | dt.datetime | str, *, digits: bool = False) -> str:
    """``2023-08-31`` → ``31 สิงหาคม 2566``; with ``digits=True`` → ``๓๑ สิงหาคม ๒๕๖๖``."""
    from pythainlp.util import thai_strftime

    text = str(thai_strftime(_as_datetime(value), "%-d %B %Y"))
    return thai_digits(text) if digits else text


def thai_datetime(value: dt.datetime) -> str:
    """``3 กันยายน 2566 14:05 น.`` in Bangkok time (naive = UTC)."""
    from pythainlp.util import thai_strftime

    return str(thai_strftime(to_local(value), "%-d %B %Y %H:%M น."))


def short_date(value: dt.date | dt.datetime) -> str:
    """``3 ส.ค. 66`` (Buddhist era; datetimes in Bangkok time, naive = UTC)."""
    from pythainlp.util import thai_strftime

    if isinstance(value, dt.datetime):
        value = to_local(value)
    else:
        value = dt.datetime(value.year, value.month, value.day)
    return str(thai_strftime(value, "%-d %b %y"))


@lru_cache(maxsize=16)
def thai_holidays(year: int) -> dict[dt.date, str]:
    """Thai public holidays of a (CE) year with their Thai names, substitution days included."""
    import holidays

    calendar = holidays.country_holidays("TH", years=year, language="th")
    return dict(calendar.items())


@dataclass(frozen=True)
class ThaiCalendar:
    """Working days in Thailand: weekdays that are neither public holidays nor special days off
    declared by the government (an operator-supplied list)."""

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
