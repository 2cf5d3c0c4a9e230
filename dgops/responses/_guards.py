"""Guards on a spreadsheet before it is parsed: size, macros, zip bombs, not-a-workbook.

The limits are the registry reader's :class:`dgops.registry.ReadLimits` (same defaults, same
meaning); the checks mirror its private ``_check_zip`` but return a code instead of writing to
the registry's issue list. (The registry reader was being edited by another helper when this
was written; it can call :func:`workbook_problem` to drop its copy.)
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from dgops.registry import ReadLimits

__all__ = ["GUARD_MESSAGES", "ReadLimits", "workbook_problem"]

GUARD_MESSAGES: dict[str, tuple[str, str]] = {
    "too_large": ("ไฟล์ใหญ่เกินกำหนด", "file too large"),
    "macro": (
        "ไม่รับไฟล์ที่มีมาโคร (.xlsm / vbaProject.bin) ให้บันทึกเป็น .xlsx",
        "macro-enabled workbooks (.xlsm / vbaProject.bin) are refused: save as .xlsx",
    ),
    "legacy": ("ไม่รับไฟล์ .xls รุ่นเก่า ให้บันทึกเป็น .xlsx", "legacy .xls is refused: save as .xlsx"),
    "not_zip": ("ไม่ใช่ไฟล์ Excel (.xlsx)", "not an Excel (.xlsx) file"),
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
    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:
            head = fh.read(8)
        return ("legacy", "") if head.startswith(b"\xd0\xcf\x11\xe0") else ("not_zip", "")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "not_zip", ""
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return "macro", "vbaProject.bin"
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        return "bomb", f"{total / 2**20:.0f} MB uncompressed"
    for info in infos:
        if info.file_size > 2**20:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                return "bomb", f"{info.filename}: ratio {ratio:.0f}:1"
    if "xl/workbook.xml" not in names:
        return "not_workbook", ""
    return None
