"""Guards on a spreadsheet before it is parsed: size, macros, zip bombs, not-a-workbook.

The limits are the registry reader's :class:`dgops.registry.ReadLimits` (same defaults, same
meaning), and the container checks are the registry's own
(:func:`dgops.registry.guards.xlsx_container_problem`), so every importer refuses the same files.
"""

from __future__ import annotations

from pathlib import Path

from dgops.registry import ReadLimits
from dgops.registry.guards import xlsx_container_problem

__all__ = ["GUARD_MESSAGES", "ReadLimits", "workbook_problem"]

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


def workbook_problem(path: Path, limits: ReadLimits) -> tuple[str, str] | None:
    """``(code, detail)`` of the first reason not to open ``path`` as an XLSX, or None."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        return "too_large", f"{size / 2**20:.1f} MB > {limits.max_bytes / 2**20:.0f} MB"
    if path.suffix.lower() in (".xlsm", ".xltm", ".xlam"):
        return "macro", path.suffix
    return xlsx_container_problem(path, limits)
