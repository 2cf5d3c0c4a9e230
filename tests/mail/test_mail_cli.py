"""`dgops mail status | release | reconcile | corrections` through the real command line."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest
from mail_fixtures import API_KEY, FakeClock, ScriptedTransport, World
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from dgops.cli.mail import app
from dgops.db import Database
from dgops.mail import MailConfig, MailMessage, SendStatus, send_batch
from dgops.mail.transport import ActivityUnavailable, Rejected, Uncertain
from dgops.settings import get_settings
from dgops_devtools import SinkServer

runner = CliRunner()


@pytest.fixture
def cli_env(
    sqlite_engine: Engine, sink: SinkServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    # The CLI reads its database and SendGrid endpoint from the environment.
    monkeypatch.setenv("DGOPS_DATABASE_URL", sqlite_engine.url.render_as_string(False))
    monkeypatch.setenv("DGOPS_SENDGRID_BASE_URL", sink.url)
    monkeypatch.setenv("DGOPS_SENDGRID_API_KEY", API_KEY)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_should_show_counts_failures_and_held_messages_and_release_one(
    cli_env: None, sqlite_engine: Engine, sqlite_world: World, config: MailConfig
) -> None:
    transport = ScriptedTransport([Rejected(400, "bad from"), Uncertain("dropped")])
    transport.activity_error = ActivityUnavailable("HTTP 403")
    clock = FakeClock()
    db = Database(sqlite_engine)
    send_batch(
        db,
        config,
        sqlite_world.messages()[:3],
        workers=1,
        transport_factory=transport,
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(0),
    )
    with db.begin() as s:
        held = s.scalar(select(MailMessage.id).where(MailMessage.status == SendStatus.HELD))

    status = runner.invoke(app, ["status", "--cycle", "2566"])
    released = runner.invoke(app, ["release", "--id", str(held), "--decision", "resend"])
    again = runner.invoke(app, ["release", "--id", str(held), "--decision", "resend"])

    assert status.exit_code == 0, status.output
    assert "accepted" in status.output
    assert "held" in status.output
    assert "HTTP 400: bad from" in status.output
    assert "รอผู้ดูแล" in status.output
    assert released.exit_code == 0, released.output
    assert "pending" in released.output
    assert again.exit_code == 1


def test_should_reconcile_uncertain_messages_against_the_configured_endpoint(
    cli_env: None, sqlite_engine: Engine, sqlite_world: World, config: MailConfig
) -> None:
    class Crash(Exception):
        pass

    def crash(step: str, _id: int) -> None:
        if step == "http_returned":
            raise Crash

    with pytest.raises(Crash):
        send_batch(Database(sqlite_engine), config, sqlite_world.messages()[:1], on_step=crash)

    result = runner.invoke(app, ["reconcile", "--cycle", "2566"])

    # Just sent: another run's message may still be in flight, so it is left alone.
    assert result.exit_code == 0, result.output
    assert "uncertain" in result.output


def test_should_say_when_the_correction_list_is_empty(cli_env: None) -> None:
    result = runner.invoke(app, ["corrections"])

    assert result.exit_code == 0
    assert "ไม่มีที่อยู่อีเมลที่ต้องแก้ไข" in result.output


def test_should_take_the_uncertainty_window_from_the_command_line_and_say_how_long_to_wait(
    cli_env: None, sqlite_engine: Engine, sqlite_world: World, config: MailConfig
) -> None:
    class Crash(Exception):
        pass

    def crash(step: str, _id: int) -> None:
        if step == "http_returned":
            raise Crash

    with pytest.raises(Crash):
        send_batch(Database(sqlite_engine), config, sqlite_world.messages()[:1], on_step=crash)

    default = runner.invoke(app, ["reconcile", "--cycle", "2566"])
    short = runner.invoke(app, ["reconcile", "--cycle", "2566", "--lag", "0", "--batch-size", "5"])
    bad = runner.invoke(app, ["reconcile", "--cycle", "2566", "--batch-size", "0"])

    waits = [
        int(m.group(1)) for r in (default, short) if (m := re.search(r"retry in (\d+) s", r.output))
    ]
    assert default.exit_code == 0, default.output
    assert short.exit_code == 0, short.output
    assert len(waits) == 2
    assert 630 <= waits[0] <= 635  # timeout 30 + window 600 + 5
    assert 30 <= waits[1] <= 35  # timeout 30 + window 0 + 5
    assert "uncertain 1" in short.output  # the outcome table: one line per message
    assert bad.exit_code == 1
