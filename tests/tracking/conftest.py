from __future__ import annotations

import pytest
from sqlalchemy import Engine
from tracking_fixtures import FieldworkWorld, make_world


@pytest.fixture
def world(engine: Engine) -> FieldworkWorld:
    return make_world(engine)
