"""Offline questionnaires saved as OpenDocument (.ods) by LibreOffice read exactly as the XLSX.

The template's signature, header and answers come through the same checks; a formula typed in
an answer cell is refused at its cell (not read as its cached result). Files are made with
``soffice --headless --convert-to ods`` (skipped with the reason when LibreOffice is missing
locally; CI installs it). No database: only the reading is under test.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from libreoffice import Convert
from responses_fixtures import FIXTURES

from dgops.framework import Framework
from dgops.responses.importer import list_files, read_questionnaire

ToOds = Callable[[Path], Path]


@pytest.fixture(scope="session")
def to_ods(soffice: Convert) -> ToOds:
    return lambda source: soffice(source, "ods")


def test_should_read_an_ods_questionnaire_as_its_xlsx(to_ods: ToOds, mini: Framework) -> None:
    source = FIXTURES / "good" / "D0001.xlsx"
    path = to_ods(source)
    parsed = read_questionnaire(path, mini)
    assert parsed.errors == []
    assert parsed.answers == read_questionnaire(source, mini).answers
    assert parsed.answers["Q_BUDGET"] == 12.5
    assert (parsed.agency_code, parsed.cycle) == ("D0001", 2566)
    assert list_files(path.parent) == [path]


def test_should_refuse_an_ods_formula_at_its_cell(to_ods: ToOds, mini: Framework) -> None:
    parsed = read_questionnaire(to_ods(FIXTURES / "bad" / "formula.xlsx"), mini)
    assert [(e.code, e.where) for e in parsed.errors] == [
        ("formula", "formula.ods!แบบสำรวจ!D18 [Q_STAFF]")
    ]
    assert "=2+2" in parsed.errors[0].message_en
    assert "Q_STAFF" not in parsed.answers
