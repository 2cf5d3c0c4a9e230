"""`dgops privacy purge` and `dgops privacy export` from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from privacy_fixtures import World, make_world
from sqlalchemy import Engine
from typer.testing import CliRunner

from dgops.cli import app
from dgops.settings import get_settings

runner = CliRunner()


@pytest.fixture
def cli_world(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    monkeypatch.setenv("DGOPS_DATABASE_URL", sqlite_engine.url.render_as_string(False))
    monkeypatch.setenv("DGOPS_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DGOPS_PRIVACY_RETENTION_DAYS", "730")
    get_settings.cache_clear()
    yield make_world(sqlite_engine, tmp_path)
    get_settings.cache_clear()


def test_should_show_what_a_dry_run_would_remove_then_remove_it(cli_world: World) -> None:
    args = ["privacy", "purge", "--cycle", "2566", "--before", "2024-01-01"]

    dry = runner.invoke(app, [*args, "--dry-run"])
    assert cli_world.storage.path_for(cli_world.secret_sha).exists()
    real = runner.invoke(app, args)
    again = runner.invoke(app, args)

    assert dry.exit_code == 0, dry.output
    assert "ทดลอง" in dry.output
    assert "ผู้ติดต่อ (ชื่อ อีเมล โทรศัพท์): 2" in dry.output
    assert real.exit_code == 0, real.output
    assert "ไฟล์ที่ลบจากดิสก์: 1" in real.output
    assert not cli_world.storage.path_for(cli_world.secret_sha).exists()
    assert "ไม่มีข้อมูลที่ต้องลบแล้ว" in again.output


def test_should_refuse_a_date_inside_the_retention_period(cli_world: World) -> None:
    result = runner.invoke(app, ["privacy", "purge", "--cycle", "2566", "--before", "2099-01-01"])

    assert result.exit_code == 1
    assert cli_world.storage.path_for(cli_world.secret_sha).exists()


def test_should_export_an_agency_as_json_or_xlsx(cli_world: World, tmp_path: Path) -> None:
    out = tmp_path / "d0001.xlsx"

    to_stdout = runner.invoke(app, ["privacy", "export", "--agency", "D0001"])
    to_file = runner.invoke(app, ["privacy", "export", "--agency", "D0001", "--out", str(out)])
    unknown = runner.invoke(app, ["privacy", "export", "--agency", "NOPE"])

    assert to_stdout.exit_code == 0, to_stdout.output
    assert json.loads(to_stdout.stdout)["agency"]["code"] == "D0001"
    assert to_file.exit_code == 0, to_file.output
    assert out.read_bytes()[:2] == b"PK"
    assert unknown.exit_code == 1
