"""Fixtures of the invitation tests: a real sink on loopback, a small cycle, mail settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from invite_fixtures import API_KEY, ROOT, World, make_world
from sqlalchemy import Engine

from dgops.mail import MailConfig
from dgops.settings import Settings
from dgops_devtools import SinkServer


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def sink(outbox: Path) -> Iterator[SinkServer]:
    with SinkServer(api_key=API_KEY, outbox=outbox) as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=ROOT, var_dir=tmp_path / "var", portal_url="https://survey.example.org")


@pytest.fixture
def config(sink: SinkServer, settings: Settings) -> MailConfig:
    return MailConfig.from_settings(
        settings, base_url=sink.url, api_key=API_KEY, timeout=2.0, activity_lag=0.0
    )


@pytest.fixture
def world(engine: Engine) -> World:
    return make_world(engine)


@pytest.fixture
def sqlite_world(sqlite_engine: Engine) -> World:
    return make_world(sqlite_engine)
