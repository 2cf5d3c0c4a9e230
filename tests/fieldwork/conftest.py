from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fieldwork_fixtures import FieldworkWorld, make_world
from sqlalchemy import Engine

from dgops.mail import MailConfig
from dgops_devtools import SinkServer

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "SG.reminders-test"


@pytest.fixture
def world(engine: Engine) -> FieldworkWorld:
    return make_world(engine)


@pytest.fixture
def sink() -> Iterator[SinkServer]:
    with SinkServer(api_key=API_KEY) as server:
        yield server


@pytest.fixture
def mail_config(sink: SinkServer) -> MailConfig:
    return MailConfig(
        base_url=sink.url,
        api_key=API_KEY,
        from_email="survey@dga.example.org",
        templates_dir=ROOT / "templates" / "email",
        activity_lag=0.0,
        backoff_base=0.0,
    )
