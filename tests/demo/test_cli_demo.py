"""`dgops demo registry` through the real command line.

`dgops demo run` is tested in test_run.py: the session's one whole demo run goes through it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from dgops.cli.demo import app

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
