"""OpenDocument (.ods) and legacy .xls workbooks, as LibreOffice writes them.

The .ods file must give what an XLSX gives through the same API: hidden sheets skipped unless
named, formulas as written (not their cached result), merged areas, percentages and zero-padded
numbers read as shown, true coordinates. A legacy .xls is refused: its formulas cannot be told
from values. Real files are made with ``soffice --headless --convert-to`` (skipped with the
reason when LibreOffice is missing locally; CI installs it); the attacks are built by hand.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from libreoffice import Convert
from openpyxl import Workbook as OpenpyxlWorkbook

from dgops.tabular import (
    ReadLimits,
    TableError,
    Workbook,
    column_index,
    read_table,
    workbook_problem,
    xlsx_container_problem,
)

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


@pytest.fixture(scope="session")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hidden sheet in front, a merged title, a table from C3 with a percentage, a
    zero-padded number and a formula, blank rows (written as one repeated row), a far cell."""
    wb = OpenpyxlWorkbook()
    old = wb.active
    assert old is not None
    old.title = "ปีก่อน"
    old["A1"] = "รายการเก่า"
    old.sheet_state = "hidden"
    ws = wb.create_sheet("ข้อมูล")
    ws["A1"] = "ผลสำรวจ"
    ws.merge_cells("A1:C1")
    ws["C3"], ws["D3"], ws["E3"], ws["F3"] = "รหัสหน่วยงาน", "งบ (%)", "รหัส", "สูตร"
    ws["C4"], ws["D4"], ws["E4"], ws["F4"] = "D0001", 0.85, 1005, "=D4*2"
    ws["D4"].number_format = "0%"
    ws["E4"].number_format = "00000"
    ws["C8"], ws["G8"] = "D0002", 3
    path = tmp_path_factory.mktemp("src") / "book.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="session")
def ods(soffice: Convert, source: Path) -> Path:
    return soffice(source, "ods")


def test_should_skip_the_hidden_sheet_in_front(ods: Path) -> None:
    with Workbook.open(ods) as wb:
        assert wb.is_ods
        assert wb.sheet_names == ("ปีก่อน", "ข้อมูล")
        assert wb.hidden_sheets == ("ปีก่อน",)
        assert wb.choose_sheet() == "ข้อมูล"
        assert wb.choose_sheet("ปีก่อน") == "ปีก่อน"  # read only when named
        assert read_table(ods).sheet == "ข้อมูล"  # read_table never takes a hidden sheet
        assert read_table(ods, sheet="ปีก่อน").sheet == "ปีก่อน"  # unless it is named


def test_should_find_the_formula_as_written_not_its_cached_value(ods: Path) -> None:
    with Workbook.open(ods) as wb:
        scan = wb.scan("ข้อมูล")
        table = wb.table("ข้อมูล", scan)
    assert [(c.sheet, c.ref, c.formula) for c in scan.formulas] == [("ข้อมูล", "F4", "=[.D4]*2")]
    assert table.cell(4, column_index("F")).value == 1.7  # what calamine alone would give


def test_should_read_percent_and_padded_numbers_as_shown(ods: Path) -> None:
    with Workbook.open(ods) as wb:
        table = wb.table("ข้อมูล", wb.scan("ข้อมูล"))
    share = table.cell(4, column_index("D"))
    assert (share.ref, share.value, share.number_format, share.shown) == ("D4", 0.85, "0%", 85)
    assert table.cell(4, column_index("E")).number_format == "00000"
    assert table.cell(4, column_index("C")).number_format == "General"


def test_should_find_the_merged_title(ods: Path) -> None:
    with Workbook.open(ods) as wb:
        scan = wb.scan("ข้อมูล")
    assert [(m.row, m.column, m.ref) for m in scan.merged] == [(1, "A", "A1:C1")]


def test_should_keep_true_coordinates_across_repeated_blank_rows(ods: Path) -> None:
    with Workbook.open(ods) as wb:
        table = wb.table("ข้อมูล", wb.scan("ข้อมูล"))
        cells = {c.ref: c for _, row in wb.cells("ข้อมูล", min_row=3) for c in row}
    assert table.cell(3, column_index("C")).value == "รหัสหน่วยงาน"
    assert table.cell(8, column_index("C")).value == "D0002"
    assert table.cell(8, column_index("G")).value == 3
    assert [n for n, _ in table.rows] == list(range(1, 9))
    assert cells["F4"].is_formula
    assert cells["F4"].formula == "=[.D4]*2"
    assert (cells["D4"].shown, cells["G8"].value, cells["D8"].value) == (85, 3, None)


def test_should_keep_true_coordinates_of_a_table_not_starting_at_a1(
    soffice: Convert, tmp_path: Path
) -> None:
    wb = OpenpyxlWorkbook()
    ws = wb.active
    assert ws is not None
    ws["C3"], ws["D5"] = "first", 0.5
    ws["D5"].number_format = "0%"
    src = tmp_path / "offset.xlsx"
    wb.save(src)
    path = soffice(src, "ods")
    with Workbook.open(path) as book:
        sheet = book.sheet_names[0]
        table = book.table(sheet, book.scan(sheet))
    assert table.cell(3, column_index("C")).value == "first"
    assert table.cell(5, column_index("D")).shown == 50


def test_should_name_both_candidate_sheets(soffice: Convert, tmp_path: Path) -> None:
    wb = OpenpyxlWorkbook()
    first = wb.active
    assert first is not None
    first.title = "ก"
    first["A1"] = 1
    wb.create_sheet("ข")["A1"] = 2
    src = tmp_path / "two.xlsx"
    wb.save(src)
    with Workbook.open(soffice(src, "ods")) as book, pytest.raises(TableError) as caught:
        book.choose_sheet()
    assert (caught.value.code, caught.value.detail) == ("sheet_ambiguous", "ก, ข")


def test_should_pass_the_container_guards(ods: Path) -> None:
    assert xlsx_container_problem(ods, ReadLimits()) is None
    assert workbook_problem(ods, ReadLimits()) is None


def test_should_refuse_a_legacy_xls_even_though_calamine_reads_it(
    soffice: Convert, source: Path
) -> None:
    xls = soffice(source, "xls")
    # calamine would give F4's cached 1.7 with nothing to say it was a formula: refuse.
    assert workbook_problem(xls, ReadLimits()) == ("legacy", "")


def _ods(path: Path, content: str, extra: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", MIMETYPE, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content)
        for name, text in (extra or {}).items():
            zf.writestr(name, text)
    return path


_DOC = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body>'
    '<office:spreadsheet><table:table table:name="S">{rows}</table:table>'
    "</office:spreadsheet></office:body></office:document-content>"
)


def test_should_refuse_a_dtd_in_content_xml(tmp_path: Path) -> None:
    doctype = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
    path = _ods(tmp_path / "dtd.ods", doctype + _DOC.format(rows=""))
    with pytest.raises(TableError) as caught:
        Workbook.open(path)
    assert caught.value.code == "not_workbook"


def test_should_refuse_cells_repeated_past_the_limit(tmp_path: Path) -> None:
    row = (
        '<table:table-row table:number-rows-repeated="1048576"><table:table-cell'
        ' table:number-columns-repeated="16384" office:value-type="float" office:value="1"/>'
        "</table:table-row>"
    )
    path = _ods(tmp_path / "bomb.ods", _DOC.format(rows=row))
    with pytest.raises(TableError) as caught:
        Workbook.open(path)  # before calamine expands the cells
    assert caught.value.code == "unreadable"


def test_should_refuse_an_ods_with_basic_macros(tmp_path: Path) -> None:
    path = _ods(
        tmp_path / "macro.ods", _DOC.format(rows=""), {"Basic/Standard/Module1.xml": "<x/>"}
    )
    assert xlsx_container_problem(path, ReadLimits()) == ("macro", "Basic")
