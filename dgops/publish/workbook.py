"""The statistical tables as one XLSX workbook: a sheet per table of the report.

Each sheet: the title, the header row (frozen below it), the rows with number formats (counts
``#,##0``, percents ``0.0``, scores ``0.00``; a value not shown stays empty with ``–``), then the
base, notes and source under the table, in TH Sarabun New. A last sheet lists the uncoded
free-text answers, so that nothing counted as uncoded is hidden.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from dgops.publish.tables import StatTable

__all__ = ["UNCODED_SHEET", "write_workbook"]

UNCODED_SHEET = "คำตอบยังไม่จัดหมวด"
FONT = "TH Sarabun New"
FORMATS = {"int": "#,##0", "pct": "0.0", "score": "0.00"}


def write_workbook(
    path: Path,
    tables: Sequence[StatTable],
    uncoded: Mapping[str, Sequence[tuple[str, str, str]]],
    *,
    title_th: str,
) -> Path:
    """Write the workbook; ``uncoded``: question id → (agency code, agency name, answer)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    font = Font(name=FONT, size=14)
    bold = Font(name=FONT, size=14, bold=True)
    title_font = Font(name=FONT, size=16, bold=True)
    small = Font(name=FONT, size=12, italic=True, color="555555")
    fill = PatternFill("solid", fgColor="D6EAF8")
    thin = Side(style="thin", color="AAAAAA")
    border = Border(top=thin, bottom=thin, left=thin, right=thin)
    index = wb.create_sheet("สารบัญ")
    index.append([title_th])
    index["A1"].font = title_font
    index.append(["แผ่นงาน", "ตาราง"])
    for cell in index[2]:
        cell.font = bold
    for number, table in enumerate(tables, start=1):
        sheet = table.key[:31]
        index.append([sheet, f"ตารางที่ {number} {table.title_th}"])
        ws = wb.create_sheet(sheet)
        ws.append([f"ตารางที่ {number} {table.title_th}"])
        ws["A1"].font = title_font
        ws.append([c.label_th for c in table.columns])
        for cell in ws[2]:
            cell.font, cell.fill, cell.border = bold, fill, border
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in table.rows:
            ws.append([("–" if v is None else v) for v in row])
            for cell, col in zip(ws[ws.max_row], table.columns, strict=True):
                cell.font, cell.border = font, border
                if col.kind in FORMATS and cell.value != "–":
                    cell.number_format = FORMATS[col.kind]
                if col.kind != "text":
                    cell.alignment = Alignment(horizontal="right")
        ws.append([])
        for line in [table.base_th, *(f"หมายเหตุ: {n}" for n in table.notes_th), table.source_th]:
            ws.append([line])
            ws.cell(ws.max_row, 1).font = small
        ws.freeze_panes = "B3"
        ws.column_dimensions["A"].width = 48
        for i in range(2, len(table.columns) + 1):
            ws.column_dimensions[get_column_letter(i)].width = 16
    index.column_dimensions["A"].width = 26
    index.column_dimensions["B"].width = 90
    for row in index.iter_rows(min_row=3):
        for cell in row:
            cell.font = font
    ws = wb.create_sheet(UNCODED_SHEET)
    ws.append(["คำถาม", "รหัสหน่วยงาน", "ชื่อหน่วยงาน", "คำตอบ"])
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    for question, rows in uncoded.items():
        for code, name, text in rows:
            ws.append([question, code, name, text])
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCD", (12, 14, 40, 90), strict=True):
        ws.column_dimensions[letter].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
