"""`dgops demo registry` and `dgops demo run` through the real command line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dgops.cli.demo import app
from dgops.settings import get_settings

runner = CliRunner()


def test_should_write_a_csv_registry_and_print_its_counts(tmp_path: Path) -> None:
    out = tmp_path / "registry.csv"

    result = runner.invoke(app, ["registry", "--scale", "2023", "--seed", "9", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert "376" in result.output
    assert "คณะกรรมการ CIO จังหวัด (provincial_cio): 76" in result.output
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) >= 377  # a header, then one row per agency


def test_should_refuse_an_unknown_scale(tmp_path: Path) -> None:
    result = runner.invoke(app, ["registry", "--scale", "huge", "--out", str(tmp_path / "x.xlsx")])

    assert result.exit_code == 1
    assert not (tmp_path / "x.xlsx").exists()


def test_should_run_the_demo_on_the_configured_var_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CLI reads settings from the environment, as `make demo` does.
    monkeypatch.setenv("DGOPS_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DGOPS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["run", "--scale", "2023"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 0, result.output
    assert "✓ registry-import: added 376" in result.output
    assert (tmp_path / "dgops.sqlite").is_file()
    assert (tmp_path / "demo" / "registry-2023-2566.xlsx").is_file()
