"""A cycle with a few agencies, and a hash profile cheap enough for unit tests."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dgops.credentials import CredentialPolicy, HashProfile
from dgops.cycles.models import SurveyCycle
from dgops.db import Database
from dgops.registry.models import Agency, AgencyLevel

CHEAP = HashProfile(time_cost=1, memory_cost=64, parallelism=1)


@pytest.fixture
def policy() -> CredentialPolicy:
    return CredentialPolicy(
        activation_profile=CHEAP, password_profile=CHEAP, max_failed_attempts=3, hash_workers=2
    )


def seed(session: Session, n: int = 3) -> tuple[SurveyCycle, list[Agency]]:
    cycle = SurveyCycle(
        year_be=2566,
        year_ce=2023,
        framework_version="2566",
        title_th="การสำรวจ",
        open_date=dt.date(2023, 7, 1),
        deadline=dt.date(2023, 9, 30),
    )
    agencies = [
        Agency(code=f"D{i:04d}", name_th=f"กรมทดสอบ {i}", level=AgencyLevel.DEPARTMENT)
        for i in range(1, n + 1)
    ]
    session.add_all([cycle, *agencies])
    session.flush()
    return cycle, agencies


@pytest.fixture
def seeded(engine: Engine) -> tuple[Engine, int]:
    with Database(engine).begin() as s:
        cycle, _ = seed(s)
        return engine, cycle.id
