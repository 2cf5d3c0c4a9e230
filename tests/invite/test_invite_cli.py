"""`dgops invite run | status | problems` through the real command line and a real sink."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from invite_fixtures import API_KEY, World
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from dgops.cli.invite import app
from dgops.db import Database
from dgops.letters import pdf_text
from dgops.registry.models import Agency, ContactRole
from dgops.settings import get_settings
from dgops_devtools import SinkServer

runner = CliRunner()


@pytest.fixture
def cli_env(
    sqlite_engine: Engine, sink: SinkServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    # The CLI reads its database and SendGrid endpoint from the environment (settings).
    monkeypatch.setenv("DGOPS_DATABASE_URL", sqlite_engine.url.render_as_string(False))
    monkeypatch.setenv("DGOPS_SENDGRID_BASE_URL", sink.url)
    monkeypatch.setenv("DGOPS_SENDGRID_API_KEY", API_KEY)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_should_invite_the_cycle_then_show_everything_accepted(
    cli_env: None, sqlite_world: World, sink: SinkServer
) -> None:
    first = runner.invoke(app, ["run", "--cycle", "2566", "--batch-size", "3"])
    second = runner.invoke(app, ["run", "--cycle", "2566"])
    status = runner.invoke(app, ["status", "--cycle", "2566"])

    assert first.exit_code == 0, first.output
    assert "2 batches" in first.output
    assert len(sink.received()) == 4
    assert second.exit_code == 0, second.output
    assert "sent before" in second.output
    assert status.exit_code == 0, status.output
    assert "accepted" in status.output
    assert "│ 4" in status.output.split("accepted", 1)[1].splitlines()[0]


def test_should_invite_only_the_named_agencies(
    cli_env: None, sqlite_world: World, sink: SinkServer
) -> None:
    result = runner.invoke(app, ["run", "--cycle", "2566", "--agency", "D0002"])

    assert result.exit_code == 0, result.output
    assert [m.custom_args["dgops_agency"] for m in sink.received()] == ["D0002"]


def test_should_send_nothing_on_a_dry_run_and_write_the_sample_letter(
    cli_env: None, sqlite_world: World, sink: SinkServer, tmp_path: Path
) -> None:
    sample = tmp_path / "sample.pdf"

    result = runner.invoke(
        app, ["run", "--cycle", "2566", "--dry-run", "--sample-out", str(sample)]
    )

    assert result.exit_code == 0, result.output
    assert sink.received() == []
    assert "ตัวอย่าง" in pdf_text(sample.read_bytes())


def test_should_list_problems_before_sending(
    cli_env: None, sqlite_engine: Engine, sqlite_world: World
) -> None:
    with Database(sqlite_engine).begin() as session:
        agency = session.scalar(select(Agency).where(Agency.code == "D0003"))
        assert agency is not None
        for c in agency.contacts:
            if c.role == ContactRole.CIO:
                c.email = "cio3@@bad"

    result = runner.invoke(app, ["problems", "--cycle", "2566"])

    assert result.exit_code == 0, result.output
    assert "D0003" in result.output
    assert "malformed_address" in result.output


def test_should_refuse_an_unknown_cycle(cli_env: None, sqlite_world: World) -> None:
    result = runner.invoke(app, ["run", "--cycle", "2599"])

    assert result.exit_code == 1
