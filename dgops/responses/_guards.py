"""The questionnaire importers' messages for files refused before parsing.

The checks themselves are :func:`dgops.tabular.workbook_problem` (size, macros, zip bombs,
not-a-workbook) with :class:`dgops.tabular.ReadLimits`, the same as the registry reader's, so
every importer refuses the same files; this module only words the reasons.
"""

from __future__ import annotations

__all__ = ["GUARD_MESSAGES"]

GUARD_MESSAGES: dict[str, tuple[str, str]] = {
    "too_large": ("ไฟล์ใหญ่เกินกำหนด", "file too large"),
    "macro": (
        "ไม่รับไฟล์ที่มีมาโคร (.xlsm / vbaProject.bin) ให้บันทึกเป็น .xlsx",
        "macro-enabled workbooks (.xlsm / vbaProject.bin) are refused: save as .xlsx",
    ),
    "legacy": ("ไม่รับไฟล์ .xls รุ่นเก่า ให้บันทึกเป็น .xlsx", "legacy .xls is refused: save as .xlsx"),
    "not_zip": ("ไม่ใช่ไฟล์ Excel (.xlsx)", "not an Excel (.xlsx) file"),
    "is_text": (
        "ไฟล์นี้เป็นข้อความ (เช่น CSV) ที่ตั้งชื่อเป็น .xlsx",
        "a text file (e.g. CSV) named .xlsx",
    ),
    "bomb": ("ไฟล์บีบอัดผิดปกติ (zip bomb)", "suspicious compression (zip bomb)"),
    "not_workbook": ("ไม่ใช่สมุดงาน Excel", "not an Excel workbook"),
}
