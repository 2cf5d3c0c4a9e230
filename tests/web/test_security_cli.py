"""`dgops web throttled`: the operators' view of who must wait, and clearing it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from dgops.cli.web import app
from dgops.db.models import AuditLog
from dgops.settings import get_settings
from dgops.web import LoginThrottler, WebConfig
from dgops.web.models import LoginThrottle
from tests.web.conftest import World

runner = CliRunner()


@pytest.fixture
def cli_env(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DGOPS_DATABASE_URL", world.engine.url.render_as_string(False))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_should_list_and_clear_throttled_usernames(cli_env: None, world: World) -> None:
    throttler = LoginThrottler(WebConfig())
    keys = throttler.keys("DG66-D0001", "203.0.113.9")
    now = dt.datetime.now(dt.UTC)
    with world.db.begin() as s:
        for _ in range(7):
            throttler.fail(s, keys, now=now)
    listed = runner.invoke(app, ["throttled"])
    assert listed.exit_code == 0, listed.output
    assert "DG66-D0001" in listed.output
    assert "203.0.113.9" in listed.output
    assert "--clear" in listed.output
    cleared = runner.invoke(app, ["throttled", "--clear", "dg66-d0001"])
    assert cleared.exit_code == 0, cleared.output
    assert "cleared 1" in cleared.output
    with world.db.begin() as s:
        assert s.get(LoginThrottle, "user:DG66-D0001") is None
        assert s.get(LoginThrottle, "addr:203.0.113.9") is not None
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "web_throttle_cleared")).one()
        assert audit.entity_key == "dg66-d0001"
    assert runner.invoke(app, ["throttled", "--clear-all"]).exit_code == 0
    empty = runner.invoke(app, ["throttled"])
    assert "ไม่มี" in empty.output
