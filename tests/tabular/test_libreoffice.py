"""Number formats and coordinates of workbooks written by LibreOffice (a real round trip).

Skipped with the reason when soffice is missing locally (``.ci/system-deps`` installs
``libreoffice-calc-nogui`` in CI).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from libreoffice import Convert
from openpyxl import Workbook as OpenpyxlWorkbook

from dgops.tabular import Workbook, column_index


@pytest.fixture(scope="session")
def saved_by_libreoffice(tmp_path_factory: pytest.TempPathFactory, soffice: Convert) -> Path:
    src = tmp_path_factory.mktemp("lo-src") / "answers.xlsx"
    wb = OpenpyxlWorkbook()
    ws = wb.active
    assert ws is not None
    ws.title = "ข้อมูล"
    ws["C3"] = "รหัสหน่วยงาน"
    ws["D3"] = "งบดิจิทัล (%)"
    ws["C4"] = "D0001"
    ws["D4"] = 0.85
    ws["D4"].number_format = "0%"
    ws["E4"] = 1005
    ws["E4"].number_format = "00000"
    ws["F4"] = "=D4*2"
    wb.save(src)
    return soffice(src, "xlsx")


def test_should_read_percent_and_padded_formats_as_libreoffice_writes_them(
    saved_by_libreoffice: Path,
) -> None:
    with Workbook.open(saved_by_libreoffice) as wb:
        scan = wb.scan("ข้อมูล")
        table = wb.table("ข้อมูล", scan)
    share = table.cell(4, column_index("D"))
    assert (share.ref, share.value, share.shown) == ("D4", 0.85, 85)
    assert table.cell(4, column_index("E")).number_format == "00000"
    assert table.cell(3, column_index("C")).value == "รหัสหน่วยงาน"
    assert [(c.ref, c.formula) for c in scan.formulas] == [("F4", "=D4*2")]
