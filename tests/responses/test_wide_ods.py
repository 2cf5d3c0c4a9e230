"""Wide answer files saved as OpenDocument (.ods) or legacy .xls by LibreOffice.

An .ods file imports exactly as its XLSX would: the visible sheet (not the hidden one in front),
the header below a title, a percentage as it was shown, errors at their true cells. An .xls is
refused: its formulas cannot be told from values. Files are made with ``soffice --headless
--convert-to`` (skipped with the reason when LibreOffice is missing locally; CI installs it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from libreoffice import Convert
from openpyxl import Workbook
from responses_fixtures import FIXTURES, World

from dgops.framework import Framework
from dgops.responses import answers_of, get_response
from dgops.responses.wide import import_wide

MAPPING = FIXTURES / "wide" / "mapping.yaml"
HEADER = ["รหัสหน่วยงาน", "มีแผนดิจิทัล", "งบดิจิทัล (%)", "ช่องทาง", "บุคลากร", "ระดับทักษะ"]
HEADER += ["หมายเหตุ"]


def _wide(path: Path, rows: list[list[Any]]) -> Path:
    """A hidden sheet in front, then a title in B1 and the table from B3, the budget (%)."""
    wb = Workbook()
    old = wb.active
    assert old is not None
    old.title = "ปีก่อน"
    old.append(HEADER)
    old.append(["D0001", "ไม่มี", 99, "แอป", 1, "สูง", None])
    old.sheet_state = "hidden"
    ws = wb.create_sheet("ข้อมูล")
    ws["B1"] = "ผลสำรวจจากระบบอื่น"
    for r, values in enumerate([HEADER, *rows]):
        for c, value in enumerate(values):
            cell = ws.cell(row=3 + r, column=2 + c, value=value)
            if isinstance(value, float) and c == 2:
                cell.number_format = "0.0%"
    wb.save(path)
    return path


def _import(world: World, mini: Framework, path: Path) -> Any:
    return import_wide(world.session, path, MAPPING, cycle_year=2566, actor="op", framework=mini)


def test_should_import_an_ods_file_exactly(
    world: World, mini: Framework, soffice: Convert, tmp_path: Path
) -> None:
    rows = [["D0001", "มี", 0.125, "เว็บไซต์", 3, "กลาง", None]]
    path = soffice(_wide(tmp_path / "answers.xlsx", rows), "ods")
    report = _import(world, mini, path)
    assert report.errors == []
    one = get_response(world.session, world.cycle_id, world.agency_ids["D0001"], create=False)
    answers = answers_of(world.session, one)
    assert answers["Q_BUDGET"] == 12.5  # as shown, not 0.125
    assert answers["Q_PLAN"] == "yes"  # the visible sheet, not the hidden one


def test_should_name_the_true_cell_of_an_ods_error(
    world: World, mini: Framework, soffice: Convert, tmp_path: Path
) -> None:
    rows = [["D0001", "มี", 5, "เว็บไซต์", 3, "กลาง", None], ["D0002", "มี", 250, "ม้า", 3, "กลาง"]]
    path = soffice(_wide(tmp_path / "bad.xlsx", rows), "ods")
    report = _import(world, mini, path)
    found = {(e.sheet, e.row, e.column, e.question_id, e.code) for e in report.errors}
    assert found == {
        ("ข้อมูล", 5, "D", "Q_BUDGET", "out_of_range"),
        ("ข้อมูล", 5, "E", "Q_CHANNELS", "not_an_option"),
    }


def test_should_refuse_a_legacy_xls(
    world: World, mini: Framework, soffice: Convert, tmp_path: Path
) -> None:
    rows = [["D0001", "มี", 0.125, "เว็บไซต์", 3, "กลาง", None]]
    path = soffice(_wide(tmp_path / "old.xlsx", rows), "xls")
    report = _import(world, mini, path)
    assert [(e.code, Path(e.file).name) for e in report.errors] == [("legacy", "old.xls")]
    assert ".xlsx" in report.errors[0].message_th
