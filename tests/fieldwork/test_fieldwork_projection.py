from __future__ import annotations

import datetime as dt

import pandas as pd
from fieldwork_fixtures import OPEN, YEAR, FieldworkWorld
from sqlalchemy import Engine

from dgops.db import Database
from dgops.fieldwork import behind_groups, load_policy, project_rate
from dgops.fieldwork.projection import expected_share, projection_from_curves


def _curve(points: list[tuple[int, float]]) -> pd.DataFrame:
    return pd.DataFrame(points, columns=["days_from_open", "rate"])


def test_should_project_with_last_year_conversion_of_the_remaining_agencies() -> None:
    previous = _curve([(0, 0.0), (30, 50.0), (60, 90.0)])

    p = projection_from_curves(
        _curve([]), previous, rate_now=40.0, total=300, day_now=30, day_deadline=60
    )

    # last year 80% of the agencies still out on day 30 answered by the deadline
    assert p.method == "previous_cycle"
    assert p.expected_at_deadline == 88.0
    assert p.low < 88.0 < p.high <= 100.0
    assert p.days_to_deadline == 30


def test_should_project_from_the_recent_pace_without_last_year() -> None:
    current = _curve([(10, 10.0), (11, 12.0), (12, 14.0), (13, 16.0)])

    p = projection_from_curves(
        current, _curve([]), rate_now=16.0, total=100, day_now=13, day_deadline=23
    )

    assert p.method == "recent_pace"
    assert p.expected_at_deadline == 36.0
    assert p.low == p.high == 36.0  # a perfectly steady pace has no spread


def test_should_admit_it_cannot_project_from_a_single_day() -> None:
    p = projection_from_curves(
        _curve([(1, 5.0)]), _curve([]), rate_now=5.0, total=10, day_now=1, day_deadline=20
    )

    assert (p.method, p.low, p.high) == ("insufficient_data", 5.0, 100.0)


def test_should_follow_the_policy_curve_without_last_year() -> None:
    policy = load_policy(YEAR)

    assert expected_share(policy, 0.5) == 0.45
    assert expected_share(policy, 2.0) == 1.0


def test_should_project_the_live_rate_of_a_group(engine: Engine, world: FieldworkWorld) -> None:
    with Database(engine).begin() as session:
        p = project_rate(session, YEAR, by="level", value="provincial_office",
                         today=OPEN + dt.timedelta(days=10))  # fmt: skip

    assert p.rate_now == 50.0
    assert p.days_to_deadline == 49


def test_should_flag_groups_under_their_expected_curve(
    engine: Engine, world: FieldworkWorld
) -> None:
    late = OPEN + dt.timedelta(days=50)
    with Database(engine).begin() as session:
        early = behind_groups(session, YEAR, OPEN + dt.timedelta(days=1))
        behind = behind_groups(session, YEAR, late)

    assert early.empty
    flagged = set(zip(behind["group_field"], behind["group_value"], strict=True))
    assert ("level", "department") in flagged
    assert ("all", "ทั้งหมด") in flagged
    assert (behind["shortfall"] > 5).all()
