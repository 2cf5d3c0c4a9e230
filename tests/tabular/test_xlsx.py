"""Workbooks: sheet names, values at their true coordinates, formulas, merged cells, formats."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook

from dgops.tabular import (
    Cell,
    TableError,
    Workbook,
    column_index,
    column_letter,
    read_table,
)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    wb = OpenpyxlWorkbook()
    ws = wb.active
    assert ws is not None
    ws.title = "ข้อมูล"
    ws["B3"] = "code"
    ws["C3"] = "share"
    ws["B4"] = "D0001"
    ws["C4"] = 0.85
    ws["C4"].number_format = "0%"
    ws["D4"] = "=SUM(C4:C4)"
    ws.merge_cells("B6:C6")
    wb.create_sheet("อื่น")["A1"] = "x"
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


def test_should_list_sheets_in_order(book: Path) -> None:
    with Workbook.open(book) as wb:
        assert wb.sheet_names == ("ข้อมูล", "อื่น")


def test_should_find_formulas_and_merged_cells_where_they_are(book: Path) -> None:
    scan = Workbook.open(book).scan("ข้อมูล")
    assert scan.has_cells
    assert [(c.sheet, c.ref, c.value, c.formula) for c in scan.formulas] == [
        ("ข้อมูล", "D4", "=SUM(C4:C4)", "=SUM(C4:C4)")
    ]
    assert [(m.row, m.column, m.ref) for m in scan.merged] == [(6, "B", "B6:C6")]


def test_should_read_values_with_true_row_numbers(book: Path) -> None:
    table = Workbook.open(book).table("ข้อมูล")
    assert table.sheet == "ข้อมูล"
    assert table.file == "book.xlsx"
    numbers = [n for n, _ in table.rows]
    assert numbers == list(range(1, len(numbers) + 1))
    assert table.cell(4, column_index("B")).value == "D0001"
    assert table.rows[table.first_filled() or 0][0] == 3


def test_should_read_cells_with_formulas_and_number_formats(book: Path) -> None:
    with Workbook.open(book, cells=True) as wb:
        rows = dict(wb.cells("ข้อมูล", min_row=4, max_row=4, max_col=4))
    share, formula = rows[4][2], rows[4][3]
    assert (share.ref, share.value, share.shown) == ("C4", 0.85, 85)
    assert "%" in share.number_format
    assert formula.is_formula
    assert formula.formula == "=SUM(C4:C4)"


def test_should_refuse_a_missing_sheet_and_name_the_others(book: Path) -> None:
    with pytest.raises(TableError) as info:
        Workbook.open(book).table("nope")
    assert info.value.code == "sheet_missing"
    assert "อื่น" in info.value.detail


def test_should_read_the_named_sheet_or_a_csv_by_suffix(book: Path, tmp_path: Path) -> None:
    # Two visible sheets with values: which one is meant is not guessed.
    with pytest.raises(TableError, match="sheet_ambiguous: ข้อมูล, อื่น"):
        read_table(book)
    assert read_table(book, sheet="ข้อมูล").sheet == "ข้อมูล"
    assert read_table(book, sheet="อื่น").rows == [(1, ["x"])]
    csv = tmp_path / "t.csv"
    csv.write_bytes("ก,ข\n".encode("cp874"))
    table = read_table(csv)
    assert (table.sheet, table.encoding, table.rows) == (None, "cp874", [(1, ["ก", "ข"])])


def test_should_refuse_a_zip_that_is_no_workbook(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(TableError) as info:
        Workbook.open(path)
    assert info.value.code == "not_workbook"


def test_should_name_columns_like_a_spreadsheet() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]
    assert [column_index(column_letter(i)) for i in range(800)] == list(range(800))


def test_should_show_a_percentage_as_the_person_saw_it() -> None:
    assert Cell("s", 1, "A", 0.5, number_format="0.0%").shown == 50
    assert Cell("s", 1, "A", True, number_format="0%").shown is True
    assert Cell("s", 1, "A", "85%", number_format="0%").shown == "85%"
