"""Fixtures of the registry tests: a database with a survey cycle to import into."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from dgops.cycles import create_cycle
from dgops.db import Database


@pytest.fixture
def cycle_engine(engine: Engine) -> Engine:
    """The database with survey cycle 2566 created."""
    with Database(engine).begin() as session:
        create_cycle(
            session,
            year=2566,
            open_date=dt.date(2023, 7, 1),
            deadline=dt.date(2023, 9, 30),
            actor="test",
        )
    return engine
