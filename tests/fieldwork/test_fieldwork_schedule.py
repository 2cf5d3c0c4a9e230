from __future__ import annotations

import datetime as dt
import uuid

from fieldwork_fixtures import OPEN, YEAR, FieldworkWorld
from sqlalchemy import Engine

from dgops.db import Database
from dgops.fieldwork import (
    HoldMode,
    extend_deadline,
    reminder_queue,
    select_due,
    send_moment,
    set_hold,
)
from dgops.mail import MailMessage, SendStatus
from dgops.thai import BANGKOK, ThaiCalendar

DAY8 = OPEN + dt.timedelta(days=7)  # Tuesday 8 July 2025: a week after the invitations


def _accepted_reminder(engine: Engine, world: FieldworkWorld, code: str, rnd: int,
                       day: dt.date) -> None:  # fmt: skip
    with Database(engine).begin() as session:
        session.add(
            MailMessage(cycle_id=world.cycle_id, agency_id=world.ids[code], kind="reminder",
                        round=rnd, message_key=str(uuid.uuid4()), status=SendStatus.ACCEPTED,
                        accepted_at=dt.datetime.combine(day, dt.time(3), tzinfo=dt.UTC))
        )  # fmt: skip


def test_should_know_thai_holidays_and_special_days_off() -> None:
    calendar = ThaiCalendar.with_days_off([dt.date(2025, 7, 14)])

    assert calendar.day_off_reason(dt.date(2025, 7, 28))  # the King's birthday
    assert calendar.day_off_reason(dt.date(2025, 7, 14)) == "วันหยุดพิเศษ"
    assert calendar.next_working_day(dt.date(2025, 7, 10)) == dt.date(2025, 7, 15)
    assert calendar.previous_working_day(dt.date(2025, 7, 13)) == dt.date(2025, 7, 9)


def test_should_remind_the_nonresponders_a_week_after_the_invitation(
    engine: Engine, world: FieldworkWorld
) -> None:
    with Database(engine).begin() as session:
        before = select_due(session, YEAR, today=DAY8 - dt.timedelta(days=1))
        due = select_due(session, YEAR, today=DAY8)

    assert before == []
    by_code = {p.code: p for p in due}
    assert sorted(by_code) == ["D2", "D3", "P1"]
    assert {p.round for p in due} == {1}
    assert by_code["D2"].template == "reminder_in_progress"
    assert by_code["D3"].template == "reminder_not_started"
    assert {p.audience for p in due} == {"agency"}


def test_should_send_nothing_on_a_day_off(engine: Engine, world: FieldworkWorld) -> None:
    with Database(engine).begin() as session:
        assert select_due(session, YEAR, today=dt.date(2025, 7, 12)) == []  # Saturday


def test_should_not_repeat_a_round_nor_break_the_minimum_gap(
    engine: Engine, world: FieldworkWorld
) -> None:
    _accepted_reminder(engine, world, "D3", 1, DAY8)
    with Database(engine).begin() as session:
        due = {p.code for p in select_due(session, YEAR, today=DAY8)}
        next_day = {p.code for p in select_due(session, YEAR, today=DAY8 + dt.timedelta(days=1))}

    assert "D3" not in due
    assert "D3" not in next_day


def test_should_escalate_to_the_head_then_to_the_province(
    engine: Engine, world: FieldworkWorld
) -> None:
    for rnd, day in ((1, DAY8), (2, dt.date(2025, 8, 22))):
        _accepted_reminder(engine, world, "P1", rnd, day)
    with Database(engine).begin() as session:
        head = next(p for p in select_due(session, YEAR, today=dt.date(2025, 8, 26))
                    if p.code == "P1")  # fmt: skip
    _accepted_reminder(engine, world, "P1", 3, dt.date(2025, 8, 26))
    with Database(engine).begin() as session:
        parent = next(p for p in select_due(session, YEAR, today=dt.date(2025, 8, 28))
                      if p.code == "P1")  # fmt: skip

    assert (head.round, head.audience, head.template) == (3, "head", "escalation_head")
    assert (parent.round, parent.audience) == (4, "parent")


def test_should_skip_held_agencies_and_drop_cancelled_ones_from_the_queue(
    engine: Engine, world: FieldworkWorld
) -> None:
    with Database(engine).begin() as session:
        set_hold(session, YEAR, "D2", HoldMode.HOLD, reason="ขอเลื่อน", actor="op")
        set_hold(session, YEAR, "D3", HoldMode.CANCEL, reason="ยุบรวม", actor="op")
    with Database(engine).begin() as session:
        due = {p.code for p in select_due(session, YEAR, today=DAY8)}
        queue = reminder_queue(session, YEAR, today=DAY8, horizon_days=60)

    assert due == {"P1"}
    assert "D3" not in set(queue["code"])
    assert queue[queue["code"] == "D2"]["held"].all()


def test_should_move_the_deadline_rounds_with_an_extension(
    engine: Engine, world: FieldworkWorld
) -> None:
    with Database(engine).begin() as session:
        extend_deadline(session, YEAR, dt.date(2025, 9, 30), agency_code="D3", actor="op")
        extend_deadline(session, YEAR, dt.date(2025, 9, 15), group_field="level",
                        group_value="provincial_office", actor="op")  # fmt: skip
    with Database(engine).begin() as session:
        queue = reminder_queue(session, YEAR, today=dt.date(2025, 8, 1), horizon_days=90)

    last = queue.groupby("code")["due_at"].max()
    assert last["D2"] == dt.date(2025, 8, 28)  # the cycle's deadline 29 Aug, minus one day
    assert last["D3"] == dt.date(2025, 9, 29)
    p1 = list(queue[queue["code"] == "P1"]["due_at"])
    # 12 Sep is the -3 round; the -1 round (14 Sep, a Sunday, back to Friday 12) keeps the
    # two-day gap and goes out on Monday 15, the extended deadline itself.
    assert p1[-2:] == [dt.date(2025, 9, 12), dt.date(2025, 9, 15)]


def test_should_address_the_last_escalation_to_the_provincial_office(
    engine: Engine, world: FieldworkWorld
) -> None:
    from dgops.cycles import get_cycle
    from dgops.fieldwork import PlannedReminder, build_message
    from dgops.settings import get_settings

    plan = PlannedReminder(world.ids["P1"], "P1", 4, "parent", "escalation_parent",
                           "not_started", 3, dt.date(2025, 8, 29))  # fmt: skip
    with Database(engine).begin() as session:
        built = build_message(session, get_cycle(session, YEAR), plan, settings=get_settings(),
                              today=dt.date(2025, 8, 28))  # fmt: skip

    assert built is not None
    audience, message = built
    assert audience == "parent"
    assert message.context["parent_name"] == "สำนักงานจังหวัดเชียงใหม่"
    emails = {r.email: r.role.value for r in message.recipients}
    assert emails == {
        "it@po.example.org": "coordinator",
        "head@p1.example.org": "head",
        "cio@p1.example.org": "cio",
    }


def test_should_act_at_the_wall_clock_today_and_at_the_logical_moment_otherwise() -> None:
    day = dt.date(2025, 7, 8)
    # Airflow's logical date of a daily run: the day's midnight in Bangkok, given in UTC.
    logical = dt.datetime(2025, 7, 7, 17, 0, tzinfo=dt.UTC)
    ten_o_clock = dt.datetime(2025, 7, 8, 3, 0, tzinfo=dt.UTC)  # 10:00 in Bangkok, same day
    assert send_moment(day, logical, ten_o_clock) == ten_o_clock

    # 00:30 next day in Bangkok (17:30 UTC the day before): a retry after midnight acts at its
    # own (midnight) logical moment, outside office hours, not the next day's reminders.
    late = dt.datetime(2025, 7, 8, 17, 30, tzinfo=dt.UTC)
    assert send_moment(day, logical, late) == logical

    # A manual run for 10:00 on a past day acts at 10:00 that day.
    manual = dt.datetime.combine(day, dt.time(10), tzinfo=BANGKOK)
    assert send_moment(day, manual, dt.datetime(2025, 9, 1, 3, 0, tzinfo=dt.UTC)) == manual
    # Naive moments are UTC: 20:00 UTC on 7 July is 03:00 on 8 July in Bangkok.
    assert send_moment(day, logical, dt.datetime(2025, 7, 7, 20, 0)) == dt.datetime(
        2025, 7, 7, 20, 0
    )
