"""`dgops framework validate` and `show` (the CLI module lives in dgops/cli/framework.py)."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from dgops.cli.framework import app

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def test_should_validate_a_good_file() -> None:
    result = runner.invoke(app, ["validate", str(FIXTURES / "govtech_like.yaml")])
    assert result.exit_code == 0
    assert "OK govtech-like: 4 pillars" in result.output


def test_should_fail_with_every_problem_listed(tmp_path: Path) -> None:
    data = yaml.safe_load((FIXTURES / "six_pillars.yaml").read_text(encoding="utf-8"))
    data["pillars"][0]["weight"] = 25
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "bad.yaml: pillars: pillar weights sum to 105" in result.output


def test_should_show_pillars_weights_and_question_types() -> None:
    result = runner.invoke(app, ["show", str(FIXTURES / "six_pillars.yaml")])
    assert result.exit_code == 0
    assert "Public Services" in result.output
    assert "questions per type: yes_no 6" in result.output
