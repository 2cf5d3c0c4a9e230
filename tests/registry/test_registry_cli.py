from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from registry_fixtures import FIXTURES

from dgops.db import make_engine, upgrade


@pytest.fixture
def dgops_env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return dict(os.environ, DGOPS_DATABASE_URL=url, DGOPS_ACTOR="cli-test", COLUMNS="200")


def _dgops(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from dgops.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _create_cycle(env: dict[str, str]) -> None:
    created = _dgops(
        env, "cycle", "create", "--year", "2566", "--open", "2023-07-01", "--deadline", "2023-09-30"
    )
    assert created.returncode == 0, created.stderr


def test_should_list_every_issue_and_exit_1_then_import_export_and_show(
    dgops_env: dict[str, str], tmp_path: Path
) -> None:
    _create_cycle(dgops_env)

    bad = _dgops(
        dgops_env, "registry", "import", str(FIXTURES / "bad" / "no_head.csv"), "--cycle", "2566"
    )
    assert bad.returncode == 1
    assert "no_head.csv" in bad.stderr
    assert "head_title" in bad.stderr
    assert "nothing was imported" in bad.stderr

    good = _dgops(
        dgops_env, "registry", "import", str(FIXTURES / "good" / "registry.xlsx"), "--cycle", "2566"
    )
    assert good.returncode == 0, good.stderr
    assert "3 added" in good.stdout

    out = tmp_path / "export.xlsx"
    exported = _dgops(dgops_env, "registry", "export", str(out), "--cycle", "2566")
    assert exported.returncode == 0, exported.stderr
    again = _dgops(dgops_env, "registry", "import", str(out), "--cycle", "2566", "--dry-run")
    assert "0 added, 0 changed, 0 deactivated, 3 unchanged" in again.stdout

    shown = _dgops(dgops_env, "registry", "show", "--code", "DEPT-001")
    assert "dg@rd.go.th" in shown.stdout
    counts = _dgops(dgops_env, "registry", "show", "--cycle", "2566")
    assert "3 agencies (3 active)" in counts.stdout


@pytest.mark.parametrize("command", ["import", "export", "show"])
def test_should_explain_every_command(dgops_env: dict[str, str], command: str) -> None:
    result = _dgops(dgops_env, "registry", command, "--help")
    assert result.returncode == 0
    assert "--cycle" in result.stdout


def test_should_always_say_which_sheet_was_read_and_guard_mass_deactivation(
    dgops_env: dict[str, str], tmp_path: Path
) -> None:
    _create_cycle(dgops_env)
    good = _dgops(
        dgops_env, "registry", "import", str(FIXTURES / "good" / "registry.xlsx"), "--cycle", "2566"
    )
    assert good.returncode == 0, good.stderr
    assert "read registry.xlsx, sheet ทะเบียนหน่วยงาน" in good.stdout  # no -v needed
    assert "ใช้แผ่นงาน ทะเบียนหน่วยงาน" in good.stdout

    one = tmp_path / "one.csv"
    lines = (FIXTURES / "good" / "registry-utf8.csv").read_text("utf-8").splitlines()
    one.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    refused = _dgops(dgops_env, "registry", "import", str(one), "--cycle", "2566")
    assert refused.returncode == 1
    assert "--allow-deactivate 2" in refused.stderr
    assert "PO-CM-01" in refused.stderr
    allowed = _dgops(
        dgops_env, "registry", "import", str(one), "--cycle", "2566", "--allow-deactivate", "2"
    )
    assert allowed.returncode == 0, allowed.stderr
    assert "2 deactivated" in allowed.stdout
