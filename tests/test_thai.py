"""Thai time and writing: Bangkok time, Buddhist-era dates, Thai digits, working days."""

from __future__ import annotations

import datetime as dt

from dgops.thai import (
    BANGKOK,
    ThaiCalendar,
    local_date,
    short_date,
    thai_date,
    thai_datetime,
    thai_digits,
    to_be,
    to_ce,
    to_local,
)


def test_should_convert_between_gregorian_and_buddhist_era_years() -> None:
    assert to_be(2023) == 2566
    assert to_ce(2566) == 2023


def test_should_write_a_thai_date_with_arabic_or_thai_digits() -> None:
    assert thai_date(dt.date(2023, 8, 31)) == "31 สิงหาคม 2566"
    assert thai_date("2023-08-31") == "31 สิงหาคม 2566"
    assert thai_date(dt.date(2019, 11, 1), digits=True) == "๑ พฤศจิกายน ๒๕๖๒"


def test_should_show_an_aware_moment_on_the_bangkok_calendar() -> None:
    # 20:00 UTC on 31 August is already 1 September in Bangkok.
    moment = dt.datetime(2023, 8, 31, 20, 0, tzinfo=dt.UTC)
    assert thai_date(moment) == "1 กันยายน 2566"
    assert local_date(moment) == dt.date(2023, 9, 1)


def test_should_take_a_naive_moment_as_utc_for_times() -> None:
    naive = dt.datetime(2023, 9, 3, 7, 5)
    assert to_local(naive).tzinfo == BANGKOK
    assert thai_datetime(naive) == "3 กันยายน 2566 14:05 น."
    assert short_date(naive) == "3 ก.ย. 66"
    assert short_date(dt.date(2023, 8, 3)) == "3 ส.ค. 66"


def test_should_write_thai_digits() -> None:
    assert thai_digits("สพร 2566/ว123") == "สพร ๒๕๖๖/ว๑๒๓"


def test_should_skip_weekends_public_holidays_and_special_days_off() -> None:
    calendar = ThaiCalendar.with_days_off([dt.date(2023, 7, 27)])  # declared by the operator
    assert calendar.day_off_reason(dt.date(2023, 7, 29)) == "วันหยุดสุดสัปดาห์"
    assert calendar.day_off_reason(dt.date(2023, 7, 27)) == "วันหยุดพิเศษ"
    assert "วันเฉลิมพระชนมพรรษา" in str(calendar.day_off_reason(dt.date(2023, 7, 28)))
    # 28 July, the weekend, 31 July (a government day off), 1-2 August (Buddhist holidays)
    assert calendar.next_working_day(dt.date(2023, 7, 27)) == dt.date(2023, 8, 3)
    assert calendar.previous_working_day(dt.date(2023, 7, 31)) == dt.date(2023, 7, 26)
    assert calendar.is_working_day(dt.date(2023, 8, 3))
