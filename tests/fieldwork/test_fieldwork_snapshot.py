from __future__ import annotations

import datetime as dt

from fieldwork_fixtures import OPEN, YEAR, FieldworkWorld
from sqlalchemy import Engine, func, select, update

from dgops.cycles import create_cycle
from dgops.db import Database
from dgops.fieldwork import previous_trend, take_snapshot, trend
from dgops.fieldwork.models import FieldworkSnapshot
from dgops.responses.models import Response, ResponseStatus


def test_should_replace_a_day_snapshot_when_taken_again(
    engine: Engine, world: FieldworkWorld
) -> None:
    day = OPEN + dt.timedelta(days=5)
    with Database(engine).begin() as session:
        first = take_snapshot(session, YEAR, day)
        again = take_snapshot(session, YEAR, day)
        stored = session.scalar(select(func.count()).select_from(FieldworkSnapshot))

    assert first == again == stored
    # the cycle, 2 levels, and 1 value each of type, mission, ministry and province
    assert stored == 1 + 2 + 1 + 1 + 1 + 1


def test_should_draw_the_trend_from_daily_snapshots(engine: Engine, world: FieldworkWorld) -> None:
    with Database(engine).begin() as session:
        take_snapshot(session, YEAR, OPEN + dt.timedelta(days=1))
        session.execute(
            update(Response)
            .where(Response.agency_id == world.ids["D2"])
            .values(status=ResponseStatus.SUBMITTED)
        )
        take_snapshot(session, YEAR, OPEN + dt.timedelta(days=2))
        whole = trend(session, YEAR)
        departments = trend(session, YEAR, by="level", value="department")

    assert list(whole["days_from_open"]) == [1, 2]
    assert list(whole["rate"]) == [40.0, 60.0]
    assert list(departments["responded"]) == [1, 2]


def test_should_rebuild_last_year_curve_from_submissions_when_it_kept_no_snapshots(
    engine: Engine, world: FieldworkWorld
) -> None:
    with Database(engine).begin() as session:
        create_cycle(session, year=YEAR + 1, open_date=dt.date(2026, 7, 1),
                     deadline=dt.date(2026, 8, 31), actor="t")  # fmt: skip
        prev = previous_trend(session, YEAR + 1)
        none = previous_trend(session, YEAR)

    assert none.empty
    by_day = prev.set_index("days_from_open")["responded"]
    assert (by_day[1], by_day[2], by_day[5], by_day[59]) == (0, 1, 2, 2)
    assert prev["total"].iloc[0] == 5
