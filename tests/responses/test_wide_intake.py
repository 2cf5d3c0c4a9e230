"""The wide answers import reads what the person saw: percentages, true cells, the right sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from responses_fixtures import FIXTURES, World

from dgops.framework import Framework
from dgops.responses import answers_of, get_response
from dgops.responses.errors import ResponseError
from dgops.responses.wide import import_wide, load_mapping_file

MAPPING = FIXTURES / "wide" / "mapping.yaml"
HEADER = ["รหัสหน่วยงาน", "มีแผนดิจิทัล", "งบดิจิทัล (%)", "ช่องทาง", "บุคลากร", "ระดับทักษะ"]
HEADER += ["หมายเหตุ"]


def _wide(
    path: Path, rows: list[list[Any]], *, top: int = 1, left: int = 1, title: bool = False
) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "ข้อมูล"
    if title:
        ws.cell(row=1, column=left, value="ผลสำรวจจากระบบอื่น")
    for r, values in enumerate([HEADER, *rows]):
        for c, value in enumerate(values):
            cell = ws.cell(row=top + r, column=left + c, value=value)
            if isinstance(value, float) and c == 2:
                cell.number_format = "0.0%"
    wb.save(path)
    return path


def _import(world: World, mini: Framework, path: Path, mapping: Path = MAPPING) -> Any:
    return import_wide(world.session, path, mapping, cycle_year=2566, actor="op", framework=mini)


def test_should_store_a_percentage_as_it_was_shown(
    world: World, mini: Framework, tmp_path: Path
) -> None:
    path = _wide(tmp_path / "pct.xlsx", [["D0001", "มี", 0.125, "เว็บไซต์", 3, "กลาง", None]])
    report = _import(world, mini, path)
    assert report.errors == []
    one = get_response(world.session, world.cycle_id, world.agency_ids["D0001"], create=False)
    assert answers_of(world.session, one)["Q_BUDGET"] == 12.5  # not 0.125


def test_should_name_the_true_cell_and_sheet_of_a_table_below_a_title(
    world: World, mini: Framework, tmp_path: Path
) -> None:
    path = _wide(
        tmp_path / "offset.xlsx",
        [["D0001", "มี", 5, "เว็บไซต์", 3, "กลาง", None], ["D0002", "มี", 250, "ม้า", 3, "กลาง"]],
        top=3,
        left=2,
        title=True,
    )
    report = _import(world, mini, path)
    found = {(e.sheet, e.row, e.column, e.question_id, e.code) for e in report.errors}
    assert found == {
        ("ข้อมูล", 5, "D", "Q_BUDGET", "out_of_range"),
        ("ข้อมูล", 5, "E", "Q_CHANNELS", "not_an_option"),
    }
    assert all("ข้อมูล!" in str(e) for e in report.errors)


def test_should_read_the_visible_sheet_not_a_hidden_one(
    world: World, mini: Framework, tmp_path: Path
) -> None:
    path = _wide(tmp_path / "hidden.xlsx", [["D0001", "มี", 5, "เว็บไซต์", 3, "กลาง", None]])
    from openpyxl import load_workbook

    wb = load_workbook(path)
    old = wb.create_sheet("ปีก่อน", 0)
    old.append(HEADER)
    old.append(["D0001", "ไม่มี", 99, "แอป", 1, "สูง", None])
    old.sheet_state = "hidden"
    wb.save(path)
    assert _import(world, mini, path).errors == []
    one = get_response(world.session, world.cycle_id, world.agency_ids["D0001"], create=False)
    assert answers_of(world.session, one)["Q_PLAN"] == "yes"


def test_should_refuse_a_mapping_with_an_unknown_key_naming_file_and_place(
    tmp_path: Path,
) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(
        "agency_column: code\ncolumns: {A: Q_PLAN}\nvalues:\n  Q_PLAN: {a: b}\nseperator: ';'\n",
        encoding="utf-8",
    )
    with pytest.raises(ResponseError) as info:
        load_mapping_file(path)
    assert "map.yaml" in info.value.message_en
    assert "seperator" in info.value.message_en
    assert "unknown key" in info.value.message_en
    assert "map.yaml" in info.value.message_th


def test_should_refuse_a_formula_in_the_answers_naming_its_cell(
    world: World, mini: Framework, tmp_path: Path
) -> None:
    # A formula's cached value may be stale or come from outside the table: not an answer.
    path = _wide(tmp_path / "formula.xlsx", [["D0001", "มี", "=2*3", "เว็บไซต์", 3, "กลาง", None]])
    report = _import(world, mini, path)
    (problem,) = report.errors
    assert problem.code == "formula"
    assert (problem.sheet, problem.column, problem.row) == ("ข้อมูล", "C", 2)
    assert "=2*3" in problem.message_th
    assert "paste as values" in problem.message_en
    with pytest.raises(ResponseError):  # nothing was written
        get_response(world.session, world.cycle_id, world.agency_ids["D0001"], create=False)
