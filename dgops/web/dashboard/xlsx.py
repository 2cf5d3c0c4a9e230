"""A dashboard table as an XLSX workbook: Thai headers, TH Sarabun New, a frozen header row,
and no cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dgops.web.dashboard.views import Table

FONT = "TH Sarabun New"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Prefix ``'`` to text a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "bool":
        return "ตีกลับ" if value else ""
    if isinstance(value, dt.datetime):
        # Excel has no time zones: local (Bangkok) time without tzinfo.
        local = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
        return local.astimezone(dt.timezone(dt.timedelta(hours=7))).replace(tzinfo=None)
    if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        return round(value, 1) if kind == "pct" and isinstance(value, float) else value
    return safe_text(str(value))


def table_xlsx(table: Table, *, subtitle: str = "") -> bytes:
    """The workbook bytes of ``table`` (every row, not one page), written in streaming mode."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(table.key[:31])
    header_font = Font(name=FONT, size=16, bold=True, color="FFFFFF")
    body_font = Font(name=FONT, size=16)
    fill = PatternFill("solid", fgColor="1D3F72")
    widths = {"text": 24, "int": 12, "pct": 12, "date": 18, "bool": 12}
    formats = {"date": "d mmm yyyy hh:mm", "pct": "0.0"}
    for i, column in enumerate(table.columns, start=1):
        width = 40 if column.key.startswith("name") else widths.get(column.kind, 16)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"

    def header(text: str) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=safe_text(text))
        c.font, c.fill = header_font, fill
        c.alignment = Alignment(vertical="center", wrap_text=True)
        return c

    def body(value: Any, kind: str) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=_value(value, kind))
        c.font = body_font
        if kind in formats:
            c.number_format = formats[kind]
        return c

    ws.append([header(c.header) for c in table.columns])
    for row in table.rows:
        ws.append([body(row.get(c.key), c.kind) for c in table.columns])
    wb.properties.title = table.title
    wb.properties.subject = subtitle
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
