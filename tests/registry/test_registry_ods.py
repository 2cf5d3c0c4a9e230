"""Registry files saved as OpenDocument (.ods) or legacy .xls by LibreOffice.

An .ods registry reads exactly as its XLSX would (hidden sheet skipped, header below a merged
title, a formula refused at its cell); an .xls is refused: its formulas cannot be told from
values. Files are made with ``soffice --headless --convert-to`` (skipped with the reason when
LibreOffice is missing locally; CI installs it).
"""

from __future__ import annotations

from pathlib import Path

from libreoffice import Convert
from registry_fixtures import FIXTURES, MAKE_BAD, titled_with_formula

from dgops.registry import read_registry

RECORDS = MAKE_BAD.RECORDS


def test_should_read_a_clean_ods_registry_exactly(soffice: Convert) -> None:
    result = read_registry(soffice(FIXTURES / "good" / "registry.xlsx", "ods"))
    assert result.ok, [i.format() for i in result.errors]
    assert [r.code for r in result.records] == [r.code for r in RECORDS]
    assert [r.name_th for r in result.records] == [r.name_th for r in RECORDS]


def test_should_refuse_an_ods_formula_at_its_cell_and_skip_the_hidden_sheet(
    soffice: Convert, tmp_path: Path
) -> None:
    path = soffice(titled_with_formula(tmp_path / "saved.xlsx"), "ods")
    result = read_registry(path)
    assert result.sheet == "ทะเบียน 2566"
    errors = [(i.code, i.file, i.row, i.column) for i in result.errors]
    assert ("cell.formula", "saved.ods", 5, "B") in errors
    assert {row for _, _, row, _ in errors} == {5}  # the merged title row is no error
    assert {"sheet.hidden_skipped", "header.below_title"} <= {i.code for i in result.issues}


def test_should_refuse_a_legacy_xls_naming_the_way_out(soffice: Convert, tmp_path: Path) -> None:
    path = soffice(titled_with_formula(tmp_path / "old.xlsx"), "xls")
    result = read_registry(path)
    (error,) = result.errors
    assert (error.code, error.file) == ("xlsx.legacy", "old.xls")
    assert ".xlsx" in error.message_th
    assert "formulas cannot be told from values" in error.message_en
