"""Fixtures of response intake: a small framework, a cycle and two agencies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from responses_fixtures import MINI, World
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dgops.cycles import create_cycle
from dgops.framework import Framework, load_framework
from dgops.registry.models import Agency, AgencyLevel


@pytest.fixture(scope="session")
def mini() -> Framework:
    return load_framework(MINI)


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    """An open session on a database with cycle 2566 (framework 'mini') and agencies D0001,
    D0002. The session is rolled back at the end."""
    with Session(engine) as session:
        cycle = create_cycle(
            session,
            year=2566,
            open_date=dt.date(2023, 7, 1),
            deadline=dt.date(2023, 9, 30),
            actor="test",
            framework_version="mini",
        )
        ids = {}
        for code, name in (("D0001", "กรมทดสอบหนึ่ง"), ("D0002", "กรมทดสอบสอง")):
            agency = Agency(code=code, name_th=name, level=AgencyLevel.DEPARTMENT)
            session.add(agency)
            session.flush()
            ids[code] = agency.id
        yield World(session, cycle.id, ids)
        session.rollback()
