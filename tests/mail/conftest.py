"""Fixtures of the mail tests: a real sink on loopback, a small registry, a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mail_fixtures import API_KEY, ROOT, FakeClock, World, make_world
from sqlalchemy import Engine

from dgops.db import Database
from dgops.mail import MailConfig
from dgops_devtools import SinkServer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sink() -> Iterator[SinkServer]:
    with SinkServer(api_key=API_KEY) as server:
        yield server


@pytest.fixture
def config(sink: SinkServer) -> MailConfig:
    return MailConfig(
        base_url=sink.url,
        api_key=API_KEY,
        from_email="survey@dga.example.org",
        from_name="สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)",
        templates_dir=ROOT / "templates" / "email",
        timeout=2.0,
        max_attempts=4,
        backoff_base=0.5,
        activity_lag=0.0,
    )


@pytest.fixture
def world(engine: Engine) -> World:
    return make_world(engine)


@pytest.fixture
def db(engine: Engine) -> Database:
    return Database(engine)


@pytest.fixture
def sqlite_world(sqlite_engine: Engine) -> World:
    return make_world(sqlite_engine)


@pytest.fixture
def sqlite_db(sqlite_engine: Engine) -> Database:
    return Database(sqlite_engine)
