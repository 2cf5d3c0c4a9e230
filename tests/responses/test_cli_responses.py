"""`dgops responses`: template, import (exit codes), show and return from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from dgops.db import make_engine, upgrade
from dgops.demo.responses import generate_responses
from dgops.framework import is_missing, load_framework
from dgops.registry.models import Agency, AgencyLevel
from dgops.responses import build_template


@pytest.fixture
def dgops_env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        session.add_all(
            Agency(code=c, name_th=f"กรม {c}", level=AgencyLevel.DEPARTMENT)
            for c in ("D0001", "D0002")
        )
        session.commit()
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


@pytest.mark.slow
def test_should_write_import_show_and_return_a_questionnaire(
    dgops_env: dict[str, str], tmp_path: Path
) -> None:
    created = _dgops(
        dgops_env,
        "cycle",
        "create",
        "--year",
        "2566",
        "--open",
        "2023-07-01",
        "--deadline",
        "2023-09-30",
    )
    assert created.returncode == 0, created.stderr
    folder = tmp_path / "out"
    written = _dgops(
        dgops_env, "responses", "template", "--cycle", "2566", "--all", "--out", str(folder)
    )
    assert written.returncode == 0, written.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "แบบสำรวจ_2566_D0001.xlsx",
        "แบบสำรวจ_2566_D0002.xlsx",
    ]
    blank = _dgops(
        dgops_env,
        "responses",
        "import",
        str(folder / "แบบสำรวจ_2566_D0001.xlsx"),
        "--cycle",
        "2566",
    )
    assert blank.returncode == 1
    assert "missing_required" not in blank.stdout  # codes stay internal; messages are shown
    assert "ยังไม่ได้ตอบคำถามที่ต้องตอบ" in blank.stdout

    fw = load_framework("2566")
    agencies = pd.DataFrame(
        {"level": ["department"], "agency_type": ["government_agency"], "mission": ["policy"]},
        index=[1],
    )
    row = generate_responses(fw, agencies, seed=1).iloc[0]
    answers = {str(k): v for k, v in row.items() if not is_missing(v)}

    class _A:
        code, name_th = "D0001", "กรม D0001"

    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(build_template(fw, _A(), 2566, answers=answers))
    other = _dgops(
        dgops_env, "responses", "import", str(filled), "--cycle", "2566", "--agency", "D0002"
    )
    assert other.returncode == 1
    assert "D0002" in other.stdout
    good = _dgops(
        dgops_env, "responses", "import", str(filled), "--cycle", "2566", "--agency", "D0001"
    )
    assert good.returncode == 0, good.stdout + good.stderr
    returned = _dgops(
        dgops_env,
        "responses",
        "return",
        "--cycle",
        "2566",
        "--agency",
        "D0001",
        "--comment",
        "โปรดตรวจสอบงบประมาณ",
        "--question",
        "DGP_05",
    )
    assert returned.returncode == 0, returned.stderr
    shown = _dgops(dgops_env, "responses", "show", "--cycle", "2566", "--agency", "D0001")
    assert shown.returncode == 0, shown.stderr
    assert "status: returned" in shown.stdout
    assert "โปรดตรวจสอบงบประมาณ" in shown.stdout
    assert "in_progress → submitted (xlsx, cli-test)" in shown.stdout
    assert "submitted → returned (operator, cli-test)" in shown.stdout
