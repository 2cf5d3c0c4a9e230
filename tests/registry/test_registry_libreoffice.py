"""Registry files as LibreOffice writes them: real round trips, not only openpyxl's files.

Each source is converted with ``soffice --headless --convert-to xlsx`` (Debian
``libreoffice-calc-nogui``, installed by ``.ci/system-deps`` in CI); the tests are skipped with
the reason when soffice is missing locally.
"""

from __future__ import annotations

import csv
from pathlib import Path

from libreoffice import Convert
from registry_fixtures import MAKE_BAD, titled_with_formula

from dgops.registry import read_registry
from dgops.registry.writer import header_row, record_row

RECORDS = MAKE_BAD.RECORDS


def test_should_refuse_codes_libreoffice_turned_into_numbers(
    soffice: Convert, tmp_path: Path
) -> None:
    # A GFMIS-style code typed as digits: LibreOffice opens the CSV and stores 01005 as 1005.
    source = tmp_path / "gfmis.csv"
    rows = [list(header_row("en")), *([str(v or "") for v in record_row(r)] for r in RECORDS)]
    rows[1][0] = "01005"
    with source.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = read_registry(soffice(source, "xlsx"))
    (error,) = [i for i in result.errors if i.code.startswith("code.number")]
    assert (error.file, error.row, error.column) == ("gfmis.xlsx", 2, "A")
    assert "1005" in error.message_th
    assert "A2" in error.message_en


def test_should_skip_a_hidden_sheet_and_find_the_header_after_a_libreoffice_save(
    soffice: Convert, tmp_path: Path
) -> None:
    source = titled_with_formula(tmp_path / "saved.xlsx")
    result = read_registry(soffice(source, "xlsx"))
    assert result.sheet == "ทะเบียน 2566"
    errors = [(i.code, i.row, i.column) for i in result.errors]
    assert ("cell.formula", 5, "B") in errors
    assert {row for _, row, _ in errors} == {5}  # the merged title row is not an error
    assert {"sheet.hidden_skipped", "header.below_title"} <= {i.code for i in result.issues}


def test_should_read_a_clean_registry_saved_by_libreoffice(soffice: Convert) -> None:
    from registry_fixtures import FIXTURES

    result = read_registry(soffice(FIXTURES / "good" / "registry.xlsx", "xlsx"))
    assert result.ok, [i.format() for i in result.errors]
    assert [r.code for r in result.records] == [r.code for r in RECORDS]
