from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import openpyxl
from registry_fixtures import MAKE_BAD

from dgops.demo.registry import generate_registry
from dgops.registry import AgencyRecord, read_registry, write_registry_csv, write_registry_xlsx
from dgops.registry.reference import ALL_PROVINCES, LEVEL_LABELS_TH
from dgops.registry.writer import HELP_SHEET, REGISTRY_SHEET, THAI_FONT


def test_should_write_a_workbook_formatted_for_operators(tmp_path: Path) -> None:
    path = write_registry_xlsx(MAKE_BAD.RECORDS, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [REGISTRY_SHEET, HELP_SHEET]
    ws = wb[REGISTRY_SHEET]
    assert ws.freeze_panes == "C2"
    assert ws["A1"].value == "รหัสหน่วยงาน"
    assert ws["A1"].font.bold
    assert ws["B2"].font.name == THAI_FONT
    assert ws["D2"].value == LEVEL_LABELS_TH[MAKE_BAD.RECORDS[0].level]
    assert ws.column_dimensions["B"].width > 30
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert set(lists) == {"D2", "E2", "F2", "G2", "H2", "J2"}
    help_ws = wb[HELP_SHEET]
    assert "ทะเบียน" in help_ws["A1"].value
    first_cell = lists["H2"].split("!")[1].split(":")[0].replace("$", "")
    province_col = first_cell.rstrip("0123456789")
    provinces = [c.value for c in help_ws[province_col][1:] if c.value]
    assert provinces == list(ALL_PROVINCES)


def test_should_write_english_headers_when_asked(tmp_path: Path) -> None:
    path = write_registry_csv(MAKE_BAD.RECORDS, tmp_path / "r.csv", headers="en")
    first = path.read_text("utf-8-sig").splitlines()[0]
    assert first.startswith("code,name_th,name_en,level,")


def test_should_round_trip_csv_in_tis620(tmp_path: Path) -> None:
    path = write_registry_csv(MAKE_BAD.RECORDS, tmp_path / "r.csv", encoding="cp874")
    path.read_bytes().decode("cp874")
    assert read_registry(path).records == MAKE_BAD.RECORDS


_PHONE_KINDS = {
    "bangkok": r"02-\d{3}-\d{4}",
    "provincial": r"0[3457]\d-\d{3}-\d{3}",
    "mobile": r"0[689]\d-\d{3}-\d{4}",
}


def _kind(number: str) -> str:
    """Which Thai convention ``number`` (extension removed) follows, or itself if none."""
    return next((k for k, p in _PHONE_KINDS.items() if re.fullmatch(p, number)), number)


def _phones(records: Iterable[AgencyRecord]) -> dict[tuple[str, str], str | None]:
    return {(r.code, c.role.value): c.phone for r in records for c in r.contacts}


def test_should_read_back_the_demo_phones_exactly_as_the_demo_writes_them(
    tmp_path: Path,
) -> None:
    records = generate_registry(scale="2023", seed=7)
    written = _phones(records)
    numbers = [n for p in written.values() if p for n in p.split(", ")]
    kinds = {_kind(n.split(" ต่อ ")[0]) for n in numbers}
    assert kinds == {"bangkok", "provincial", "mobile"}
    result = read_registry(write_registry_xlsx(records, tmp_path / "demo.xlsx"))
    assert result.ok, [i.format() for i in result.errors[:5]]
    assert _phones(result.records) == written
