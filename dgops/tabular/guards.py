"""Checks on a file before anything parses it: size, macros, zip bombs, legacy .xls, text
renamed to .xlsx, a zip that is no workbook (XLSX or OpenDocument .ods).

Shared by every importer of operators' spreadsheets (the registry, offline questionnaires, wide
exports from other survey tools), so they refuse the same files for the same reasons. Each check
answers with a ``(code, detail)`` pair (or None); importers turn codes into their own messages.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from dgops.tabular.ods import ODS_MIMETYPE

__all__ = ["ReadLimits", "looks_like_text", "workbook_problem", "xlsx_container_problem"]

Problem = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Guards applied before a file is parsed; all configurable."""

    max_bytes: int = 20 * 1024 * 1024
    """Largest file accepted (checked before parsing)."""
    max_uncompressed_bytes: int = 400 * 1024 * 1024
    """Largest total uncompressed size of an XLSX's parts (zip-bomb guard)."""
    max_compression_ratio: float = 100.0
    """Largest uncompressed/compressed ratio of any XLSX part over 1 MB (zip-bomb guard)."""
    max_rows: int = 100_000
    """Most data rows read from one sheet."""


def looks_like_text(head: bytes) -> bool:
    """Whether the first bytes of a file read as text (UTF-8 or TIS-620).

    NUL bytes are let through after a UTF-16 BOM, but the UTF-8 and TIS-620 decodings then
    still fail, so UTF-16 text counts as binary here (kept as the registry has always done).
    """
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


def xlsx_container_problem(path: Path, limits: ReadLimits) -> Problem | None:
    """``(code, detail)`` of the first reason not to open ``path`` as a workbook (XLSX or
    OpenDocument .ods), or None.

    Codes: ``legacy`` (an .xls, or any OLE compound file: refused because its formulas cannot
    be told from values), ``is_text`` (a CSV or text file named .xlsx), ``not_zip``,
    ``macro`` (vbaProject.bin; an .ods ``Basic/`` or ``Scripts/`` folder), ``bomb`` (total
    size or a part's compression ratio over the limits), ``not_workbook``. Reads only the zip
    directory and an .ods file's ``mimetype`` entry, never a part's content.
    """
    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:
            head = fh.read(4096)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            return "legacy", ""
        return ("is_text", "") if looks_like_text(head) else ("not_zip", "")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "not_zip", ""
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return "macro", "vbaProject.bin"
    is_ods = "mimetype" in names and "content.xml" in names
    if is_ods:
        # LibreOffice keeps Basic macros and scripts in these folders of the zip.
        scripts = sorted({n.split("/")[0] for n in names if n.startswith(("Basic/", "Scripts/"))})
        if any(not n.endswith("/") for n in names if n.startswith(("Basic/", "Scripts/"))):
            return "macro", ", ".join(scripts)
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        return "bomb", f"{total / 2**20:.0f} MB uncompressed"
    for info in infos:
        if info.file_size > 2**20:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                return "bomb", f"{info.filename}: ratio {ratio:.0f}:1"
    if is_ods:
        try:
            with zipfile.ZipFile(path) as zf, zf.open("mimetype") as fh:
                mimetype = fh.read(100)
        except (zipfile.BadZipFile, OSError, ValueError):
            return "not_zip", ""
        return None if mimetype.strip().startswith(ODS_MIMETYPE) else ("not_workbook", "")
    if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
        return "not_workbook", ""
    return None


def workbook_problem(path: Path, limits: ReadLimits) -> Problem | None:
    """``(code, detail)`` of the first reason not to open ``path`` as an XLSX, or None: the
    size (``too_large``), a macro-enabled suffix (``macro``: .xlsm, .xltm, .xlam), then
    :func:`xlsx_container_problem`. The questionnaire importers' single check."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        return "too_large", f"{size / 2**20:.1f} MB > {limits.max_bytes / 2**20:.0f} MB"
    if path.suffix.lower() in (".xlsm", ".xltm", ".xlam"):
        return "macro", path.suffix
    return xlsx_container_problem(path, limits)
