"""The offline questionnaire: one protected XLSX per agency and cycle (TH Sarabun New).

Only the yellow answer cells (column D) are unlocked; the sheets and the workbook structure
are protected with a password that is printed in docs/responses.md — protection prevents
accidents (a moved row, a typed-over question), it is not a security boundary. A hidden sheet
carries the signature (framework, cycle, agency, layout digest) checked on import.
"""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from dgops.framework import Condition, Framework, Question
from dgops.responses.domain import spreadsheet_safe
from dgops.responses.layout import (
    FIRST_ROW,
    FORMAT,
    NO_TH,
    YES_TH,
    LayoutRow,
    build_layout,
    layout_digest,
    signature_of,
)

__all__ = [
    "INSTRUCTIONS_SHEET",
    "LISTS_SHEET",
    "PROTECTION_PASSWORD",
    "QUESTIONNAIRE_SHEET",
    "SIGNATURE_SHEET",
    "build_template",
    "template_filename",
]

QUESTIONNAIRE_SHEET = "แบบสำรวจ"
INSTRUCTIONS_SHEET = "คำชี้แจง"
LISTS_SHEET = "_lists"
SIGNATURE_SHEET = "_signature"
PROTECTION_PASSWORD = "dgops"  # noqa: S105 - not a secret, see below
"""Not a secret: protection only stops accidental edits (see docs/responses.md)."""
FONT_NAME = "TH Sarabun New"

_FONT = Font(name=FONT_NAME, size=14)
_BOLD = Font(name=FONT_NAME, size=14, bold=True)
_TITLE = Font(name=FONT_NAME, size=18, bold=True)
_PILLAR_FILL = PatternFill("solid", fgColor="1F4E79")
_PILLAR_FONT = Font(name=FONT_NAME, size=15, bold=True, color="FFFFFF")
_SUB_FILL = PatternFill("solid", fgColor="DDEBF7")
_ANSWER_FILL = PatternFill("solid", fgColor="FFF2CC")
_LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
_WRAP = Alignment(wrap_text=True, vertical="top")
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNLOCKED = Protection(locked=False)

_HEADINGS = ("รหัส", "ข้อ", "คำถาม", "คำตอบ", "วิธีตอบ / คำอธิบาย", "ตอบเมื่อ")
_WIDTHS = (14, 8, 70, 32, 55, 30)

_HOW = {
    "yes_no": f"เลือก {YES_TH} หรือ {NO_TH} จากรายการ",
    "single_choice": "เลือก 1 ข้อจากรายการ",
    "multiple_choice": f"เลือกได้หลายข้อ: เลือก {YES_TH} ในแถวของตัวเลือกที่ตรงกับหน่วยงาน "
    f"(เว้นว่างหรือ {NO_TH} = ไม่ได้เลือก)",
    "number": "ตัวเลข เช่น 1234 หรือ 12.5",
    "percentage": "ร้อยละ 0 ถึง 100 เช่น 85 (ไม่ต้องพิมพ์เครื่องหมาย %)",
    "text": "ข้อความ",
    "evidence": "ไม่ต้องกรอกในไฟล์นี้: แนบไฟล์หลักฐานทางระบบออนไลน์ หรือส่งให้เจ้าหน้าที่",
}

INSTRUCTIONS = (
    "คำชี้แจงการกรอกแบบสำรวจ (ฉบับไฟล์ Excel)",
    "",
    "1. กรอกคำตอบเฉพาะช่องสีเหลืองในคอลัมน์ D ของแผ่นงาน “แบบสำรวจ” เท่านั้น ช่องอื่นถูกล็อกไว้",
    f"2. คำถามแบบเลือกตอบ ให้เลือกจากรายการ (ลูกศรท้ายช่อง) เช่น {YES_TH} / {NO_TH}",
    f"3. คำถามที่เลือกได้หลายข้อ ให้เลือก {YES_TH} ในแถวของแต่ละตัวเลือกที่ตรงกับหน่วยงาน แถวที่เว้นว่างถือว่าไม่ได้เลือก",
    "4. ตัวเลขให้พิมพ์เป็นตัวเลขเท่านั้น ร้อยละให้พิมพ์ 0 ถึง 100 (เช่น 85) ไม่ต้องพิมพ์ %",
    "5. ข้อที่มีเงื่อนไขในคอลัมน์ “ตอบเมื่อ” ให้ตอบเฉพาะเมื่อเป็นไปตามเงื่อนไข",
    "6. ห้ามแทรก ลบ หรือย้ายแถว ห้ามใส่สูตร และห้ามบันทึกเป็นไฟล์ที่มีมาโคร (.xlsm) ระบบจะไม่รับไฟล์ที่โครงสร้างเปลี่ยน",
    "7. ไฟล์นี้จัดทำสำหรับหน่วยงานตามรหัสที่ระบุด้านบนเท่านั้น ห้ามใช้ไฟล์ของหน่วยงานอื่นหรือของปีอื่น",
    "8. ไฟล์หลักฐานไม่ต้องแนบในไฟล์นี้ ให้แนบทางระบบออนไลน์หรือส่งให้เจ้าหน้าที่ตามที่แจ้ง",
    "9. บันทึกไฟล์เป็น .xlsx แล้วส่งกลับให้เจ้าหน้าที่ สพร.",
)


class _AgencyLike(Protocol):
    code: str
    name_th: str


class _CycleLike(Protocol):
    year_be: int


def template_filename(agency_code: str, cycle: int) -> str:
    """The file name operators send out: ``แบบสำรวจ_2566_D0001.xlsx``."""
    return f"แบบสำรวจ_{cycle}_{agency_code}.xlsx"


def _condition_text(cond: Condition, numbers: Mapping[str, str], fw: Framework) -> str:
    if cond.all_ is not None:
        return " และ ".join(_condition_text(c, numbers, fw) for c in cond.all_)
    if cond.any_ is not None:
        return " หรือ ".join(_condition_text(c, numbers, fw) for c in cond.any_)
    assert cond.question is not None
    target = fw.question(cond.question)
    label = f"ข้อ {numbers.get(cond.question, cond.question)}"
    ((test, expected),) = cond.tests().items()

    def show(value: Any) -> str:
        if target.type == "yes_no":
            return YES_TH if value == "yes" else NO_TH
        for o in target.options or []:
            if o.id == value:
                return f"“{o.text_th}”"
        return str(value)

    if test == "equals":
        return f"{label} ตอบ {show(expected)}"
    if test in ("in", "any_selected"):
        return f"{label} ตอบ " + " หรือ ".join(show(v) for v in expected)
    if test == "not_empty":
        return f"{label} มีคำตอบ" if expected else f"{label} ไม่มีคำตอบ"
    sign = {"gt": ">", "gte": "≥", "lt": "<", "lte": "≤"}[test]
    return f"{label} {sign} {expected}"


def _how(q: Question) -> str:
    parts = [_HOW[q.type]]
    if not q.required:
        parts.append("(ไม่บังคับตอบ)")
    if q.evidence == "required" and q.type != "evidence":
        parts.append("ต้องแนบหลักฐานทางระบบออนไลน์เมื่อตอบว่ามี/ใช่")
    if q.help_th:
        parts.append(q.help_th)
    return "\n".join(parts)


def _answer_cell_value(q: Question, row: LayoutRow, answers: Mapping[str, Any]) -> Any:
    value = answers.get(q.id)
    if value is None:
        return None
    if row.kind == "option":
        if not isinstance(value, list | tuple):
            return None
        return YES_TH if row.option_id in value else NO_TH
    if q.type == "yes_no":
        return {"yes": YES_TH, "no": NO_TH}.get(value)
    if q.type == "single_choice":
        return next((o.text_th for o in q.options or [] if o.id == value), None)
    if q.type in ("number", "percentage"):
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if q.type == "text" and isinstance(value, str):
        return spreadsheet_safe(value)
    return None


def _lists_sheet(wb: Workbook, fw: Framework) -> dict[str, str]:
    # Option texts of each choice question in a column of a hidden sheet: drop-down lists
    # refer to ranges, so long Thai texts are not cut at Excel's 255-character inline limit.
    ws = wb.create_sheet(LISTS_SHEET)
    ranges: dict[str, str] = {}
    ws.cell(1, 1, YES_TH)
    ws.cell(2, 1, NO_TH)
    ranges["__yes_no__"] = f"'{LISTS_SHEET}'!$A$1:$A$2"
    col = 2
    for q in fw.questions:
        if q.type != "single_choice":
            continue
        for i, option in enumerate(q.options or [], 1):
            ws.cell(i, col, option.text_th)
        letter = get_column_letter(col)
        ranges[q.id] = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(q.options or [])}"
        col += 1
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    ws.protection.password = PROTECTION_PASSWORD
    return ranges


def _validations(ws: Worksheet, fw: Framework, ranges: Mapping[str, str]) -> dict[str, Any]:
    def dv(**kw: Any) -> DataValidation:
        v = DataValidation(allow_blank=True, showErrorMessage=True, errorStyle="stop", **kw)
        ws.add_data_validation(v)
        return v

    yes_no = dv(
        type="list",
        formula1=ranges["__yes_no__"],
        error=f"เลือก {YES_TH} หรือ {NO_TH} จากรายการ",
        errorTitle="คำตอบไม่ถูกต้อง",
    )
    number = dv(
        type="decimal",
        operator="between",
        formula1="-1000000000000",
        formula2="1000000000000",
        error="กรอกเป็นตัวเลขเท่านั้น",
        errorTitle="คำตอบไม่ถูกต้อง",
    )
    percent = dv(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        error="กรอกร้อยละ 0 ถึง 100",
        errorTitle="คำตอบไม่ถูกต้อง",
    )
    text = dv(
        type="textLength",
        operator="lessThanOrEqual",
        formula1="2000",
        error="ข้อความยาวไม่เกิน 2,000 ตัวอักษร",
        errorTitle="ข้อความยาวเกินไป",
    )
    out: dict[str, Any] = {"yes_no": yes_no, "number": number, "percentage": percent, "text": text}
    for q in fw.questions:
        if q.type == "single_choice":
            out[q.id] = dv(
                type="list",
                formula1=ranges[q.id],
                error="เลือกจากรายการเท่านั้น",
                errorTitle="คำตอบไม่ถูกต้อง",
            )
    return out


def build_template(
    framework: Framework,
    agency: _AgencyLike,
    cycle: int | _CycleLike,
    *,
    answers: Mapping[str, Any] | None = None,
) -> bytes:
    """The offline questionnaire of ``agency`` for ``cycle`` (a year or a SurveyCycle) as XLSX
    bytes; ``answers`` (stored values) pre-fill the answer cells (text that a spreadsheet would
    run as a formula is written with a leading apostrophe)."""
    year = cycle if isinstance(cycle, int) else int(cycle.year_be)
    answers = answers or {}
    layout = build_layout(framework)
    numbers = {r.key: r.number for r in layout if r.kind in ("question", "evidence")}

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = QUESTIONNAIRE_SHEET
    ranges = _lists_sheet(wb, framework)
    validations = _validations(ws, framework, ranges)

    ws.cell(1, 1, framework.title_th).font = _TITLE
    header = (
        ("ปีที่สำรวจ (พ.ศ.)", year),
        ("รหัสหน่วยงาน", agency.code),
        ("ชื่อหน่วยงาน", agency.name_th),
        ("กรอบการสำรวจ", framework.id),
    )
    for i, (label, value) in enumerate(header, 2):
        ws.cell(i, 1, label).font = _BOLD
        cell = ws.cell(i, 3, value)
        cell.font = _BOLD
        cell.alignment = Alignment(horizontal="left")
    note = ws.cell(6, 1, "กรอกคำตอบเฉพาะช่องสีเหลือง (คอลัมน์ D) — อ่านแผ่นงาน “คำชี้แจง” ก่อนกรอก")
    note.font = Font(name=FONT_NAME, size=14, italic=True, color="C00000")
    for col, (heading, width) in enumerate(zip(_HEADINGS, _WIDTHS, strict=True), 1):
        cell = ws.cell(FIRST_ROW - 1, col, heading)
        cell.font = _PILLAR_FONT
        cell.fill = _PILLAR_FILL
        cell.border = _BORDER
        ws.column_dimensions[get_column_letter(col)].width = width

    for r in layout:
        cells = [ws.cell(r.row, 1, r.key), ws.cell(r.row, 2, r.number), ws.cell(r.row, 3, r.text)]
        if r.kind == "pillar":
            for c in range(1, 7):
                ws.cell(r.row, c).fill = _PILLAR_FILL
                ws.cell(r.row, c).font = _PILLAR_FONT
            continue
        if r.kind == "sub":
            for c in range(1, 7):
                ws.cell(r.row, c).fill = _SUB_FILL
                ws.cell(r.row, c).font = _BOLD
            continue
        q = r.question
        assert q is not None
        for c in cells:
            c.font = _FONT
            c.alignment = _WRAP
            c.border = _BORDER
        answer = ws.cell(r.row, 4)
        answer.font = _FONT
        answer.border = _BORDER
        answer.alignment = _WRAP
        if r.kind != "option":
            how = ws.cell(r.row, 5, _how(q))
            how.font = _FONT
            how.alignment = _WRAP
            how.border = _BORDER
            if q.show_if is not None:
                cond = ws.cell(r.row, 6, "ตอบเมื่อ" + _condition_text(q.show_if, numbers, framework))
                cond.font = _FONT
                cond.alignment = _WRAP
                cond.border = _BORDER
        if not r.takes_answer:
            answer.fill = _LOCKED_FILL
            continue
        answer.fill = _ANSWER_FILL
        answer.protection = _UNLOCKED
        kind = "yes_no" if r.kind == "option" else q.type
        validation = validations.get(q.id) if kind == "single_choice" else validations.get(kind)
        if validation is not None:
            validation.add(answer.coordinate)
        value = _answer_cell_value(q, r, answers)
        if value is not None:
            answer.value = value
            if isinstance(value, str):
                answer.data_type = "s"

    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    ws.protection.sheet = True
    ws.protection.password = PROTECTION_PASSWORD
    ws.protection.formatColumns = False  # widen a column to read a long answer
    ws.protection.formatRows = False
    ws.print_title_rows = f"{FIRST_ROW - 1}:{FIRST_ROW - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1

    guide = wb.create_sheet(INSTRUCTIONS_SHEET, 0)
    guide.column_dimensions["A"].width = 120
    for i, line in enumerate(INSTRUCTIONS, 1):
        cell = guide.cell(i, 1, line)
        cell.font = _TITLE if i == 1 else _FONT
        cell.alignment = Alignment(wrap_text=True)
    guide.protection.sheet = True
    guide.protection.password = PROTECTION_PASSWORD

    sig = wb.create_sheet(SIGNATURE_SHEET)
    digest = layout_digest(layout)
    for i, (key, value) in enumerate(
        (
            ("format", FORMAT),
            ("framework", framework.id),
            ("cycle", str(year)),
            ("agency", agency.code),
            ("layout", digest),
            ("signature", signature_of(framework.id, year, agency.code, digest)),
        ),
        1,
    ):
        sig.cell(i, 1, key)
        sig.cell(i, 2, value).data_type = "s"
    sig.sheet_state = "veryHidden"
    sig.protection.sheet = True
    sig.protection.password = PROTECTION_PASSWORD

    wb.active = 1  # open on the questionnaire
    wb.security = WorkbookProtection(workbookPassword=PROTECTION_PASSWORD, lockStructure=True)
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
