"""Nothing silent at intake: the registry variants that used to change data without a word."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from registry_fixtures import MAKE_BAD
from sqlalchemy import Engine

from dgops.db import Database
from dgops.registry import ImportReport, RegistryError, import_registry, read_registry
from dgops.registry.writer import header_row, record_row

RECORDS = MAKE_BAD.RECORDS


def _sheet(ws: Worksheet, records: Any = RECORDS, top: int = 1) -> None:
    for offset, values in enumerate([header_row("en"), *map(record_row, records)]):
        for col, value in enumerate(values, start=1):
            ws.cell(row=top + offset, column=col, value=value)


def _xlsx(path: Path, edit: Callable[[Workbook], None]) -> Path:
    wb = Workbook()
    edit(wb)
    wb.save(path)
    return path


def test_should_read_the_visible_sheet_not_last_years_hidden_one(tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        old = wb.active
        assert old is not None
        old.title = "ทะเบียน 2565"
        _sheet(old, RECORDS[:1])
        old.sheet_state = "hidden"
        _sheet(wb.create_sheet("ทะเบียน 2566"))

    result = read_registry(_xlsx(tmp_path / "hidden.xlsx", edit))
    assert result.ok, [i.format() for i in result.issues]
    assert result.sheet == "ทะเบียน 2566"
    assert len(result.records) == len(RECORDS)
    notes = {i.code: i for i in result.issues}
    assert "ทะเบียน 2565" in notes["sheet.hidden_skipped"].message_th
    # Named explicitly, the hidden sheet is read.
    assert read_registry(tmp_path / "hidden.xlsx", sheet="ทะเบียน 2565").sheet == "ทะเบียน 2565"


def test_should_refuse_two_candidate_sheets_and_name_both(tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        first = wb.active
        assert first is not None
        first.title = "ทะเบียน เดิม"
        _sheet(first)
        _sheet(wb.create_sheet("ทะเบียน ใหม่"))

    result = read_registry(_xlsx(tmp_path / "two.xlsx", edit))
    (error,) = result.errors
    assert error.code == "sheet.ambiguous"
    assert "ทะเบียน เดิม, ทะเบียน ใหม่" in error.message_th
    assert "ทะเบียน เดิม, ทะเบียน ใหม่" in error.message_en


def test_should_refuse_a_code_stored_as_a_number_with_its_cell_and_likely_original(
    tmp_path: Path,
) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb.active
        assert ws is not None
        ws.title = "registry"
        _sheet(ws)
        ws["A2"] = 1005  # typed 01005 in a column formatted 00000
        ws["A2"].number_format = "00000"
        ws["A3"] = 2001  # typed 02001 in a General column: the zero is gone

    result = read_registry(_xlsx(tmp_path / "numbers.xlsx", edit))
    padded, plain = (i for i in result.errors if i.code.startswith("code.number"))
    assert (padded.code, padded.file, padded.sheet, padded.row, padded.column) == (
        "code.number_padded",
        "numbers.xlsx",
        "registry",
        2,
        "A",
    )
    assert "A2" in padded.message_th
    assert "1005" in padded.message_th
    assert "01005" in padded.message_th
    assert "01005" in padded.message_en
    assert (plain.code, plain.row) == ("code.number", 3)
    assert "2001" in plain.message_en
    assert "A3" in plain.message_en


def test_should_find_the_header_below_a_merged_title_and_report_every_problem_at_once(
    tmp_path: Path,
) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb.active
        assert ws is not None
        ws.title = "registry"
        ws["A1"] = "ทะเบียนหน่วยงาน ปี 2566"
        ws.merge_cells("A1:F1")
        _sheet(ws, top=3)
        ws["B5"] = "=UPPER(B4)"  # a formula in the data
        ws.merge_cells("C6:D6")  # a merge in the data
        ws["M4"] = "not-an-email"

    result = read_registry(_xlsx(tmp_path / "title.xlsx", edit))
    codes = [(i.code, i.row, i.column) for i in result.errors]
    assert ("cell.formula", 5, "B") in codes
    assert ("cell.merged", 6, "C") in codes
    assert any(c == "email.invalid" and r == 4 for c, r, _ in codes), codes
    assert not any(c == "cell.merged" and r == 1 for c, r, _ in codes)  # the title is fine
    notes = [i for i in result.issues if i.code == "header.below_title"]
    assert notes
    assert notes[0].row == 3


def test_should_read_a_registry_whose_header_sits_below_title_rows(tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb.active
        assert ws is not None
        ws.title = "registry"
        ws["A1"] = "ทะเบียนหน่วยงาน"
        ws.merge_cells("A1:D1")
        ws["A2"] = "ข้อมูล ณ 1 มิ.ย. 2566"
        _sheet(ws, top=4)

    result = read_registry(_xlsx(tmp_path / "title.xlsx", edit))
    assert result.ok, [i.format() for i in result.errors]
    assert result.rows == (5, 6, 7)


# --- against the database: codes without their zeros, mass deactivation ---------------------


def _import(engine: Engine, source: Any, **kw: Any) -> ImportReport:
    with Database(engine).begin() as session:
        return import_registry(session, source, cycle_year=2566, actor="tester", **kw)


def _csv(path: Path, records: Any, edit: Callable[[list[list[str]]], None] | None = None) -> Path:
    rows = [list(header_row("en")), *([str(v or "") for v in record_row(r)] for r in records)]
    if edit is not None:
        edit(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_should_refuse_a_code_that_lost_its_leading_zeros(
    cycle_engine: Engine, tmp_path: Path
) -> None:
    import dataclasses

    zeroed = [dataclasses.replace(RECORDS[0], code="01005"), *RECORDS[1:]]
    zeroed[1] = dataclasses.replace(zeroed[1], parent_code="01005")
    _import(cycle_engine, zeroed)

    def strip(rows: list[list[str]]) -> None:
        rows[1][0] = "1005"  # what a spreadsheet program saves for 01005
        rows[2][rows[0].index("parent_code")] = "1005"

    with pytest.raises(RegistryError) as info:
        _import(cycle_engine, _csv(tmp_path / "saved.csv", zeroed, strip))
    lost = [i for i in info.value.errors if i.code == "code.zeros_lost"]
    assert [(i.file, i.row, i.column, i.field) for i in lost] == [
        ("saved.csv", 2, "A", "code"),
        ("saved.csv", 3, "I", "parent_code"),
    ]
    assert '"1005"' in lost[0].message_th
    assert "01005" in lost[0].message_th
    assert "A2" in lost[0].message_en
    assert "01005" in lost[0].message_en


def test_should_refuse_a_mass_deactivation_unless_allowed_and_name_the_agencies(
    cycle_engine: Engine, tmp_path: Path
) -> None:
    _import(cycle_engine, RECORDS)
    only_first = _csv(tmp_path / "short.csv", RECORDS[:1])
    with pytest.raises(RegistryError) as info:
        _import(cycle_engine, only_first)
    (guard,) = [i for i in info.value.errors if i.code == "deactivate.too_many"]
    for record in RECORDS[1:]:
        assert record.code in guard.message_th
        assert record.name_th in guard.message_th
    assert "--allow-deactivate 2" in guard.message_en
    with pytest.raises(RegistryError):
        _import(cycle_engine, only_first, allow_deactivate=1)
    report = _import(cycle_engine, only_first, allow_deactivate=2)
    assert sorted(report.deactivated) == sorted(r.code for r in RECORDS[1:])


def test_should_let_a_small_share_be_deactivated_without_asking(
    cycle_engine: Engine, tmp_path: Path
) -> None:
    _import(cycle_engine, RECORDS)
    report = _import(cycle_engine, RECORDS[:2], max_deactivate_share=0.5)
    assert len(report.deactivated) == 1
