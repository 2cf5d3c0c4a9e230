"""A small scored cycle on the test database (mini framework, demo answers)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from dgops.cycles import create_cycle
from dgops.db import Database
from dgops.framework import Framework, load_framework
from dgops.registry.models import Agency, AgencyLevel, AgencyType, Mission

MINI = Path(__file__).resolve().parents[1] / "recommend" / "data" / "mini.yaml"
TYPES = [AgencyType.GOVERNMENT_AGENCY, AgencyType.STATE_ENTERPRISE, AgencyType.PUBLIC_ORGANIZATION]


@pytest.fixture(scope="session")
def mini() -> Framework:
    return load_framework(MINI)


@pytest.fixture
def cycle_id(engine: Engine) -> int:
    """Cycle 2566 on the mini framework with 30 department-level agencies (ids 1..30)."""
    with Database(engine).begin() as session:
        cycle = create_cycle(
            session,
            year=2566,
            open_date=dt.date(2023, 7, 1),
            deadline=dt.date(2023, 8, 31),
            actor="test",
            framework_version="mini",
        )
        session.execute(
            insert(Agency),
            [
                {
                    "id": i,
                    "code": f"A{i:03d}",
                    "name_th": f"กรมทดสอบที่ {i}",
                    "level": AgencyLevel.DEPARTMENT,
                    "agency_type": TYPES[i % 3],
                    "mission": Mission.SERVICE if i % 2 else Mission.POLICY,
                    "active": True,
                }
                for i in range(1, 31)
            ],
        )
        return cycle.id
