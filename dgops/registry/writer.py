"""Writing registry records as an operator-friendly XLSX or as CSV; both import back unchanged."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from dgops.registry import reference as ref
from dgops.registry.columns import ALL_COLUMNS
from dgops.registry.normalise import ACTIVE_TH, INACTIVE_TH
from dgops.registry.records import AgencyRecord

HeaderStyle = Literal["th", "en"]
THAI_FONT = "TH Sarabun New"
REGISTRY_SHEET = "ทะเบียนหน่วยงาน"
HELP_SHEET = "คำอธิบายและรายการ"

_WIDTHS = {
    "code": 14,
    "name_th": 48,
    "name_en": 40,
    "level": 30,
    "agency_type": 20,
    "mission": 34,
    "ministry": 40,
    "province": 18,
    "parent_code": 16,
    "active": 10,
}
_CONTACT_WIDTHS = {"name": 28, "title": 36, "email": 32, "phone": 22}

_INSTRUCTIONS = (
    "วิธีกรอกทะเบียนหน่วยงาน",
    "1. หนึ่งแถวคือหนึ่งหน่วยงาน ห้ามผสานเซลล์ ห้ามใช้สูตร (ให้วางแบบค่า)",
    "2. ไฟล์นี้คือรายชื่อทั้งหมดของรอบการสำรวจ หน่วยงานที่ไม่อยู่ในไฟล์จะถูกยกเลิกจากรอบนี้",
    "3. รหัสหน่วยงาน: ตัวอักษรอังกฤษ ตัวเลข - หรือ _ ไม่เกิน 32 ตัว และห้ามซ้ำ",
    "4. ระดับหน่วยงาน ประเภท ภารกิจ กระทรวง จังหวัด: เลือกจากรายการด้านล่าง (มีรายการให้เลือกในเซลล์)",
    "5. หน่วยงานระดับกรม: ต้องมีประเภทหน่วยงาน ภารกิจ และสังกัดกระทรวง",
    "6. ส่วนราชการระดับจังหวัด คณะกรรมการ CIO จังหวัด และ อปท.: ต้องระบุจังหวัด",
    "7. รหัสหน่วยงานต้นสังกัด: ต้องเป็นรหัสที่มีอยู่ในไฟล์หรือในระบบ",
    "8. ต้องมีตำแหน่งหัวหน้าหน่วยงาน (ใช้เป็นคำขึ้นต้น เรียน) และอีเมลผู้ติดต่ออย่างน้อยหนึ่งคน",
    "9. โทรศัพท์: 02-123-4567 (กรุงเทพฯ) 053-112-000 (ต่างจังหวัด) 081-234-5678 (มือถือ)"
    " หมายเลขต่อเขียนว่า ต่อ 123",
    "10. สถานะ: ใช้งาน หรือ ยกเลิก (ว่าง = ใช้งาน)",
    "11. ตัวเลขไทยและช่องว่างเกินจะถูกปรับให้อัตโนมัติ",
)


def header_row(headers: HeaderStyle = "th") -> list[str]:
    """The header texts in column order, Thai (default) or the English field names."""
    return [c.header_th if headers == "th" else c.field for c in ALL_COLUMNS]


def record_row(record: AgencyRecord) -> list[str]:
    """One record as cell texts in column order (Thai labels for coded values)."""
    row: list[str] = [
        record.code,
        record.name_th,
        record.name_en or "",
        ref.LEVEL_LABELS_TH[record.level],
        ref.TYPE_LABELS_TH[record.agency_type] if record.agency_type else "",
        ref.MISSION_LABELS_TH[record.mission] if record.mission else "",
        record.ministry or "",
        record.province or "",
        record.parent_code or "",
        ACTIVE_TH if record.active else INACTIVE_TH,
    ]
    for col in ALL_COLUMNS[len(row) :]:
        contact = record.contact(col.role) if col.role else None
        value: Any = getattr(contact, col.contact_field or "", None) if contact else None
        row.append(value or "")
    return row


def write_registry_csv(
    records: Iterable[AgencyRecord],
    path: str | Path,
    encoding: str = "utf-8-sig",
    *,
    headers: HeaderStyle = "th",
) -> Path:
    """Write ``records`` as a registry CSV (``utf-8-sig`` opens in Excel; ``cp874`` for
    TIS-620 systems). Returns the path written."""
    path = Path(path)
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header_row(headers))
        for record in records:
            writer.writerow(record_row(record))
    return path


def _lists() -> dict[str, Sequence[str]]:
    return {
        "level": list(ref.LEVEL_LABELS_TH.values()),
        "agency_type": list(ref.TYPE_LABELS_TH.values()),
        "mission": list(ref.MISSION_LABELS_TH.values()),
        "ministry": list(ref.MINISTRIES),
        "province": list(ref.ALL_PROVINCES),
        "active": [ACTIVE_TH, INACTIVE_TH],
    }


def write_registry_xlsx(
    records: Iterable[AgencyRecord],
    path: str | Path,
    *,
    headers: HeaderStyle = "th",
) -> Path:
    """Write ``records`` as a formatted workbook for operators to edit and import back.

    The first sheet holds the registry (frozen bold header, column widths, drop-down lists for
    level, type, mission, ministry, province and status, TH Sarabun New); the second the
    instructions in Thai and the lists the drop-downs use. Returns the path written.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(REGISTRY_SHEET)
    help_ws = wb.create_sheet(HELP_SHEET)
    body_font = Font(name=THAI_FONT, size=14)
    head_font = Font(name=THAI_FONT, size=14, bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="center")

    fields = [c.field for c in ALL_COLUMNS]
    for i, col in enumerate(ALL_COLUMNS, start=1):
        width = _WIDTHS.get(col.field) or _CONTACT_WIDTHS.get(col.contact_field or "", 20)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C2"

    lists = _lists()
    # The drop-down lists live on the help sheet, one column per list, from row 2 on.
    list_cols = {name: get_column_letter(i + 3) for i, name in enumerate(lists)}
    for name, values in lists.items():
        col_no = fields.index(name) + 1
        letter = list_cols[name]
        dv = DataValidation(
            type="list",
            formula1=f"'{HELP_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="ค่าไม่ถูกต้อง",
            error="กรุณาเลือกจากรายการ",
        )
        target = get_column_letter(col_no)
        dv.add(f"{target}2:{target}1048576")
        ws.data_validations.append(dv)

    def styled(value: str, font: Font, *, header: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.font = font
        if header:
            cell.fill = head_fill
            cell.alignment = wrap
        return cell

    ws.append([styled(h, head_font, header=True) for h in header_row(headers)])
    for record in records:
        ws.append([styled(v, body_font) if v else None for v in record_row(record)])

    help_ws.column_dimensions["A"].width = 95
    for letter in list_cols.values():
        help_ws.column_dimensions[letter].width = 40
    longest = max(len(_INSTRUCTIONS), *(len(v) + 1 for v in lists.values()))
    titles = {
        "level": "ระดับหน่วยงาน",
        "agency_type": "ประเภทหน่วยงาน",
        "mission": "ภารกิจ",
        "ministry": "สังกัดกระทรวง",
        "province": "จังหวัด",
        "active": "สถานะ",
    }
    for r in range(longest):
        line: list[Any] = [None] * (2 + len(lists))
        if r < len(_INSTRUCTIONS):
            line[0] = styled(_INSTRUCTIONS[r], head_font if r == 0 else body_font)
        for j, (name, values) in enumerate(lists.items()):
            if r == 0:
                line[2 + j] = styled(titles[name], head_font, header=True)
            elif r - 1 < len(values):
                line[2 + j] = styled(values[r - 1], body_font)
        help_ws.append(line)
    wb.save(path)
    return path
