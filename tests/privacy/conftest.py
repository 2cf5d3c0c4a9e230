"""Fixtures of the privacy tests: the world of privacy_fixtures on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from privacy_fixtures import World, make_world
from sqlalchemy import Engine


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> World:
    return make_world(engine, tmp_path)
