from __future__ import annotations

import datetime as dt

import pytest
from fieldwork_fixtures import OPEN, YEAR, FieldworkWorld
from sqlalchemy import Engine

from dgops.db import Database
from dgops.fieldwork import agency_progress, response_rates


def test_should_count_responses_by_status_for_the_whole_cycle(
    engine: Engine, world: FieldworkWorld
) -> None:
    with Database(engine).begin() as session:
        rates = response_rates(session, YEAR)

    row = rates.loc["ทั้งหมด"]
    assert (row["total"], row["responded"], row["not_started"]) == (5, 2, 2)
    assert row["rate"] == 40.0
    assert row["target"] == 95.0
    assert row["gap"] == -55.0


def test_should_give_rates_per_group_and_within_a_filter(
    engine: Engine, world: FieldworkWorld
) -> None:
    with Database(engine).begin() as session:
        by_level = response_rates(session, YEAR, by="level")
        provinces = response_rates(session, YEAR, by="province", filters={"level": "department"})

    assert by_level.loc["department", "rate"] == pytest.approx(100 / 3, abs=0.01)
    assert by_level.loc["provincial_office", "responded"] == 1
    assert by_level.loc["provincial_office", "target"] == 85.0
    assert provinces.empty  # departments have no province


def test_should_refuse_an_unknown_grouping(engine: Engine, world: FieldworkWorld) -> None:
    with Database(engine).begin() as session, pytest.raises(ValueError, match="unknown group"):
        response_rates(session, YEAR, by="colour")


def test_should_describe_each_agency_progress(engine: Engine, world: FieldworkWorld) -> None:
    today = OPEN + dt.timedelta(days=9)
    with Database(engine).begin() as session:
        df = agency_progress(session, YEAR, today=today).set_index("code")

    assert list(df.index) == ["D1", "D2", "D3", "P1", "PO"]
    assert df.loc["D2", "status"] == "in_progress"
    assert df.loc["D2", "days_since_invitation"] == 9
    assert df.loc["D2", "days_in_status"] == 6
    assert df.loc["D3", "days_in_status"] == 9
    assert df.loc["D3", "contact_email"] == "it@d3.example.org"  # the coordinator first
    assert bool(df.loc["D3", "bounced"]) is True
    assert bool(df.loc["D1", "bounced"]) is False
    assert df.loc["D1", "reminders_sent"] == 0
    assert not df["reminder_hold"].any()


def test_should_list_only_the_nonresponders_when_asked(
    engine: Engine, world: FieldworkWorld
) -> None:
    with Database(engine).begin() as session:
        df = agency_progress(
            session, YEAR, only_nonresponders=True, filters={"level": "department"}
        )

    assert sorted(df["code"]) == ["D2", "D3"]
