"""The late-answer rule (``AnswerWindow``): when an agency may still answer after its deadline."""

from __future__ import annotations

import datetime as dt

import pytest

from dgops.responses import AnswerWindow, LateError
from dgops.responses.models import Response, ResponseStatus

DEADLINE = dt.date(2023, 9, 30)


def window(today: dt.date, late_days: int = 3) -> AnswerWindow:
    return AnswerWindow(deadline=DEADLINE, late_days=late_days, today=today)


def test_should_accept_answers_until_the_last_late_day_and_mark_them_late() -> None:
    on_time, late, last, closed = (window(DEADLINE + dt.timedelta(days=d)) for d in (0, 1, 3, 4))
    assert not on_time.late
    assert late.late
    assert last.last_day == dt.date(2023, 10, 3)
    assert not last.closed_for(ResponseStatus.IN_PROGRESS)
    assert closed.closed_for(ResponseStatus.IN_PROGRESS)
    assert closed.closed_for("not_started")


def test_should_close_the_day_after_the_deadline_without_late_days() -> None:
    assert not window(DEADLINE, late_days=0).closed_for(ResponseStatus.IN_PROGRESS)
    assert window(DEADLINE + dt.timedelta(days=1), late_days=0).closed_for("in_progress")


def test_should_keep_a_returned_response_open_whatever_the_date() -> None:
    years_later = window(DEADLINE + dt.timedelta(days=400))
    assert not years_later.closed_for(ResponseStatus.RETURNED)


def test_should_refuse_a_closed_response_with_the_last_day_in_thai() -> None:
    response = Response(status=ResponseStatus.IN_PROGRESS)
    with pytest.raises(LateError) as caught:
        window(DEADLINE + dt.timedelta(days=10)).check(response)
    assert caught.value.last_day == dt.date(2023, 10, 3)
    assert "3 ตุลาคม 2566" in caught.value.message_th
