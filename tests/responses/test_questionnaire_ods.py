"""Offline questionnaires saved as OpenDocument (.ods) by LibreOffice read exactly as the XLSX.

The template's signature, header and answers come through the same checks; a formula typed in
an answer cell is refused at its cell (not read as its cached result). Files are made with
``soffice --headless --convert-to ods`` (skipped with the reason when LibreOffice is missing
locally; CI installs it). No database: only the reading is under test.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from responses_fixtures import FIXTURES

from dgops.framework import Framework
from dgops.responses.importer import list_files, read_questionnaire

Convert = Callable[[Path], Path]


@pytest.fixture(scope="session")
def to_ods(tmp_path_factory: pytest.TempPathFactory) -> Convert:
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
        )
    profile = tmp_path_factory.mktemp("lo-profile")

    def convert(source: Path) -> Path:
        out = tmp_path_factory.mktemp("lo-out")
        subprocess.run(
            [
                binary,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "ods",
                "--outdir",
                str(out),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return out / f"{source.stem}.ods"

    return convert


def test_should_read_an_ods_questionnaire_as_its_xlsx(to_ods: Convert, mini: Framework) -> None:
    source = FIXTURES / "good" / "D0001.xlsx"
    path = to_ods(source)
    parsed = read_questionnaire(path, mini)
    assert parsed.errors == []
    assert parsed.answers == read_questionnaire(source, mini).answers
    assert parsed.answers["Q_BUDGET"] == 12.5
    assert (parsed.agency_code, parsed.cycle) == ("D0001", 2566)
    assert list_files(path.parent) == [path]


def test_should_refuse_an_ods_formula_at_its_cell(to_ods: Convert, mini: Framework) -> None:
    parsed = read_questionnaire(to_ods(FIXTURES / "bad" / "formula.xlsx"), mini)
    assert [(e.code, e.where) for e in parsed.errors] == [
        ("formula", "formula.ods!แบบสำรวจ!D18 [Q_STAFF]")
    ]
    assert "=2+2" in parsed.errors[0].message_en
    assert "Q_STAFF" not in parsed.answers
