"""The guarded reader: real XML parsing, number formats, true coordinates, sheet choice."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook

from dgops.tabular import TableError, Workbook, column_index, scan_sheet_xml

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def test_should_find_a_formula_whatever_the_attribute_order() -> None:
    # The old regular expression wanted r= first: <c t="n" r="B2"> slipped through.
    xml = (
        f'<worksheet {_NS}><sheetData><row r="2">'
        '<c t="n" s="0" r="B2"><f>1+1</f><v>2</v></c>'
        '<c r="C2"\n  t="str"><f  >CONCAT("0","1005")</f><v>01005</v></c>'
        "</row></sheetData></worksheet>"
    ).encode()
    scan = scan_sheet_xml("s", xml)
    assert [(c.ref, c.formula) for c in scan.formulas] == [
        ("B2", "=1+1"),
        ("C2", '=CONCAT("0","1005")'),
    ]


def test_should_find_formulas_and_merges_under_a_namespace_prefix() -> None:
    xml = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<x:sheetData><x:row r="4"><x:c r="D4"><x:f>A1</x:f></x:c></x:row></x:sheetData>'
        b'<x:mergeCells><x:mergeCell ref="A1:C1"/></x:mergeCells></x:worksheet>'
    )
    scan = scan_sheet_xml("s", xml)
    assert [c.ref for c in scan.formulas] == ["D4"]
    assert [m.ref for m in scan.merged] == ["A1:C1"]


def test_should_place_cells_without_references_where_a_spreadsheet_shows_them() -> None:
    xml = (
        f'<worksheet {_NS}><sheetData><row r="3"><c><v>1</v></c><c><f>A3</f></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    assert [c.ref for c in scan_sheet_xml("s", xml).formulas] == ["B3"]


def test_should_refuse_a_document_type_declaration() -> None:
    xml = (
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet '
        + _NS.encode()
        + b"><sheetData/></worksheet>"
    )
    with pytest.raises(TableError) as info:
        scan_sheet_xml("s", xml)
    assert info.value.code == "not_workbook"


@pytest.fixture
def formatted(tmp_path: Path) -> Path:
    wb = OpenpyxlWorkbook()
    ws = wb.active
    assert ws is not None
    ws.title = "data"
    ws["C3"] = "code"
    ws["D3"] = "share"
    ws["C4"] = 1005
    ws["C4"].number_format = "00000"
    ws["D4"] = 0.85
    ws["D4"].number_format = "0%"
    ws["E4"] = 12
    path = tmp_path / "formatted.xlsx"
    wb.save(path)
    return path


def test_should_read_number_formats_with_the_values_at_true_coordinates(formatted: Path) -> None:
    with Workbook.open(formatted) as wb:
        table = wb.table("data", wb.scan("data"))
    share = table.cell(4, column_index("D"))
    assert (share.ref, share.value, share.number_format, share.shown) == ("D4", 0.85, "0%", 85)
    code = table.cell(4, column_index("C"))
    assert (code.ref, code.value, code.number_format) == ("C4", 1005, "00000")
    assert table.cell(4, column_index("E")).number_format == "General"
    assert table.cell(3, column_index("C")).value == "code"


def _book(path: Path, sheets: list[tuple[str, str, bool]]) -> Path:
    """Sheets as (name, value of A1 or "" for none, hidden)."""
    wb = OpenpyxlWorkbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for name, value, hidden in sheets:
        ws = wb.create_sheet(name)
        if value:
            ws["A1"] = value
        if hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def test_should_never_choose_a_hidden_sheet_unless_named(tmp_path: Path) -> None:
    path = _book(tmp_path / "b.xlsx", [("ทะเบียน 2565", "old", True), ("ทะเบียน 2566", "new", False)])
    with Workbook.open(path) as wb:
        assert wb.hidden_sheets == ("ทะเบียน 2565",)
        assert wb.choose_sheet(None, ["ทะเบียน"]) == "ทะเบียน 2566"
        assert wb.choose_sheet("ทะเบียน 2565") == "ทะเบียน 2565"


def test_should_refuse_two_candidate_sheets_and_name_both(tmp_path: Path) -> None:
    path = _book(tmp_path / "b.xlsx", [("Sheet1", "a", False), ("Sheet2", "b", False)])
    with Workbook.open(path) as wb, pytest.raises(TableError) as info:
        wb.choose_sheet()
    assert info.value.code == "sheet_ambiguous"
    assert info.value.detail == "Sheet1, Sheet2"


def test_should_ignore_empty_visible_sheets_when_choosing(tmp_path: Path) -> None:
    path = _book(tmp_path / "b.xlsx", [("Sheet1", "", False), ("Sheet2", "b", False)])
    with Workbook.open(path) as wb:
        assert wb.choose_sheet() == "Sheet2"


def test_should_refuse_a_named_sheet_that_does_not_exist(tmp_path: Path) -> None:
    path = _book(tmp_path / "b.xlsx", [("a", "x", False), ("b", "y", True)])
    with Workbook.open(path) as wb:
        assert wb.choose_sheet() == "a"
    with pytest.raises(TableError) as info:
        Workbook.open(path).choose_sheet("nope")
    assert (info.value.code, info.value.detail) == ("sheet_missing", "a, b")
