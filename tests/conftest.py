"""Shared fixtures: databases on SQLite and (when available) a real PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from libreoffice import Convert, libreoffice
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from dgops.db import make_engine, upgrade
from dgops.db.schema import load_all_models

METADATA = load_all_models()

PG_URL_ENV = "DGOPS_TEST_POSTGRES_URL"
IN_CI = os.environ.get("CI") == "true"
ROOT = Path(__file__).resolve().parent.parent


def pytest_report_header(config: pytest.Config) -> str:
    if os.environ.get(PG_URL_ENV):
        return f"dgops: PostgreSQL tests run against {make_url(os.environ[PG_URL_ENV]).host}"
    return (
        f"dgops: PostgreSQL tests are SKIPPED ({PG_URL_ENV} is not set; "
        "`make test` sets it when PostgreSQL is installed)"
    )


def _postgres_admin_url() -> str:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        if IN_CI:
            pytest.fail(f"CI=true but {PG_URL_ENV} is not set: .ci/run must start PostgreSQL")
        pytest.skip(f"PostgreSQL not available ({PG_URL_ENV} is not set)")
    return url


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session (or xdist worker)."""
    admin_url = make_url(_postgres_admin_url())
    name = f"dgops_t_{uuid.uuid4().hex[:10]}"
    admin = make_engine(
        admin_url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_all(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in METADATA.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(METADATA.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(scope="session")
def _sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("db") / "dgops.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _postgresql_engine(postgres_database: str) -> Iterator[Engine]:
    engine = make_engine(postgres_database)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated database, empty at the start of each test, on SQLite and on PostgreSQL."""
    eng: Engine = request.getfixturevalue(f"_{request.param}_engine")
    _truncate_all(eng)
    yield eng
    _truncate_all(eng)


@pytest.fixture
def sqlite_engine(_sqlite_engine: Engine) -> Iterator[Engine]:
    """The SQLite database only, for tests whose subject is not the database."""
    _truncate_all(_sqlite_engine)
    yield _sqlite_engine
    _truncate_all(_sqlite_engine)


@pytest.fixture(scope="session")
def soffice(tmp_path_factory: pytest.TempPathFactory) -> Convert:
    """Convert a file with LibreOffice (see tests/libreoffice.py); skips when it is missing."""
    return libreoffice(tmp_path_factory)
