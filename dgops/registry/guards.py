"""Checks on an XLSX container before anything parses it: not a zip, a legacy .xls, text
renamed to .xlsx, macros, zip bombs, a zip that is no workbook.

Shared by every importer of operators' spreadsheets (the registry, offline questionnaires, wide
exports from other survey tools), so they refuse the same files for the same reasons.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dgops.registry.reader import ReadLimits

__all__ = ["xlsx_container_problem"]


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("cp874")
        except UnicodeDecodeError:
            return False
    return True


def xlsx_container_problem(path: Path, limits: ReadLimits) -> tuple[str, str] | None:
    """``(code, detail)`` of the first reason not to open ``path`` as an XLSX, or None.

    Codes: ``legacy`` (an .xls), ``is_text`` (a CSV or text file named .xlsx), ``not_zip``,
    ``macro`` (vbaProject.bin), ``bomb`` (total size or a part's compression ratio over the
    limits), ``not_workbook``. Reads only the zip directory, never a part's content.
    """
    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:
            head = fh.read(4096)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            return "legacy", ""
        return ("is_text", "") if _looks_like_text(head) else ("not_zip", "")
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
    if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
        return "not_workbook", ""
    return None
