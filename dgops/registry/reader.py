"""Reading a registry file (XLSX or CSV) into validated :class:`AgencyRecord` objects.

Every check runs before anything is returned, and every problem is collected rather than the
first one raised, so the operator can fix the whole file in one pass. The file itself is read
by :mod:`dgops.tabular` (guards, decoding, formulas and merged cells); its rows become records
in :mod:`dgops.registry.parse`. Nothing here touches the database; references to agencies
outside the file are checked by :func:`dgops.registry.reference.check_references`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from dgops.registry._collector import collector_paused
from dgops.registry.issues import Severity
from dgops.registry.parse import check_file_rules, parse_rows
from dgops.registry.records import AgencyRecord
from dgops.registry.result import IssueCollector, ReadResult
from dgops.tabular import (
    CP874,
    CSV_SUFFIXES,
    ReadLimits,
    SheetScan,
    Table,
    TableError,
    Workbook,
    read_csv,
    xlsx_container_problem,
)

__all__ = ["SHEET_NAME_HINTS", "read_records", "read_registry"]

SHEET_NAME_HINTS = ("registry", "ทะเบียน")
"""A workbook's sheet is chosen by these words in its name (else the first sheet)."""
MACRO_SUFFIXES = frozenset({".xlsm", ".xltm", ".xlsb"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xltx", ".ods"})
"""Workbooks read by :class:`dgops.tabular.Workbook` (an OpenDocument .ods included); a legacy
.xls is refused: its formulas cannot be told from their cached values."""


def read_registry(
    path: str | Path,
    *,
    sheet: str | None = None,
    limits: ReadLimits | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ReadResult:
    """Read and validate a registry file (``.xlsx``, ``.ods`` or ``.csv``); never raises on bad
    input (a legacy ``.xls`` is refused with a message: save it as .xlsx).

    Returns the records of the rows that are valid and every issue found (errors, warnings and
    notes such as the sheet or encoding used). ``on_progress`` is called with the number of rows
    read so far, every 500 rows. Check ``result.ok`` or call ``result.raise_for_errors()``.
    """
    with collector_paused():
        return _read_registry(Path(path), sheet, limits or ReadLimits(), on_progress)


def _read_registry(
    path: Path,
    sheet: str | None,
    limits: ReadLimits,
    on_progress: Callable[[int], None] | None,
) -> ReadResult:
    ctx = IssueCollector(file=path.name)
    loaded = _load_table(path, ctx, sheet, limits)
    table, scan = loaded if loaded is not None else (None, None)
    encoding = table.encoding if table is not None else None
    if table is None or ctx.has_errors:
        return ctx.result((), (), encoding)
    parsed = parse_rows(table.rows, ctx, limits, on_progress, formats=table.formats)
    records, row_numbers, _ = parsed
    if scan is not None:
        _check_literal(scan, parsed.header_row, ctx)
    if not ctx.has_errors:
        check_file_rules(records, row_numbers, ctx)
    return ctx.result(records, row_numbers, encoding)


def read_records(records: Iterable[AgencyRecord], *, source: str = "<records>") -> ReadResult:
    """Validate records built in code (the demo generator's) with exactly the file rules.

    Each record is laid out as a sheet row (row 2 onwards, English headers in row 1) and read
    back, so issues point at the row and column the record would occupy in an export.
    """
    from dgops.registry.writer import header_row, record_row

    ctx = IssueCollector(file=source)
    rows: list[tuple[int, Sequence[object]]] = [(1, header_row("en"))]
    rows.extend((number, record_row(r)) for number, r in enumerate(records, start=2))
    parsed, numbers, _ = parse_rows(rows, ctx, ReadLimits(max_rows=10**9), None)
    if not ctx.has_errors:
        check_file_rules(parsed, numbers, ctx)
    return ctx.result(parsed, numbers)


# --- the file: size, type, container, then its table (dgops.tabular) ------------------------


def _load_table(
    path: Path, ctx: IssueCollector, sheet: str | None, limits: ReadLimits
) -> tuple[Table, SheetScan | None] | None:
    if not path.is_file():
        ctx.add("file.missing")
        return None
    size = path.stat().st_size
    if size == 0:
        ctx.add("file.empty")
        return None
    if size > limits.max_bytes:
        ctx.add("file.too_large", size_mb=size / 2**20, limit_mb=limits.max_bytes / 2**20)
        return None
    suffix = path.suffix.lower()
    if suffix in MACRO_SUFFIXES:
        ctx.add("xlsx.macro")
        return None
    if suffix == ".xls":
        ctx.add("xlsx.legacy")
        return None
    if suffix in XLSX_SUFFIXES:
        return _xlsx_table(path, ctx, sheet, limits)
    if suffix in CSV_SUFFIXES:
        table = _csv_table(path, ctx)
        return None if table is None else (table, None)
    ctx.add("file.unknown_type", suffix=suffix or "(none)")
    return None


def _choose_sheet(workbook: Workbook, wanted: str | None, ctx: IssueCollector) -> str | None:
    """The sheet to read; hidden sheets only when named (last year's list often hides there)."""
    names = ", ".join(workbook.sheet_names)
    try:
        chosen = workbook.choose_sheet(wanted, SHEET_NAME_HINTS)
    except TableError as exc:
        if exc.code == "sheet_missing" and wanted is not None:
            ctx.add("sheet.missing", sheet_name=wanted, sheets=names)
        elif exc.code == "sheet_ambiguous":
            ctx.add("sheet.ambiguous", candidates=exc.detail)
        elif exc.code == "no_visible_sheet":
            ctx.add("sheet.all_hidden", hidden=exc.detail)
        else:
            ctx.add("sheet.empty")
        return None
    ctx.sheet = chosen
    hidden = [n for n in workbook.hidden_sheets if n != chosen]
    if len(workbook.sheet_names) > 1:
        ctx.add("sheet.chosen", severity=Severity.INFO, sheet_name=chosen, sheets=names)
    if hidden:
        ctx.add("sheet.hidden_skipped", severity=Severity.INFO, hidden=", ".join(hidden))
    return chosen


def _xlsx_table(
    path: Path, ctx: IssueCollector, sheet: str | None, limits: ReadLimits
) -> tuple[Table, SheetScan] | None:
    problem = xlsx_container_problem(path, limits)
    if problem is not None:
        code, detail = problem
        if detail:
            ctx.add(f"xlsx.{code}", detail=detail)
        else:
            ctx.add(f"xlsx.{code}")
        return None
    try:
        workbook = Workbook.open(path)
        if not workbook.sheet_names:
            ctx.add("sheet.empty")
            return None
        chosen = _choose_sheet(workbook, sheet, ctx)
        if chosen is None:
            return None
        scan = workbook.scan(chosen)
    except TableError:
        ctx.add("xlsx.not_workbook")
        return None
    if not scan.has_cells:
        ctx.add("sheet.empty")
        return None
    try:
        table = workbook.table(chosen, scan)
    except TableError as exc:
        ctx.add("xlsx.unreadable", detail=exc.detail)
        return None
    if len(table) > limits.max_rows + 1:
        ctx.add("sheet.too_many_rows", limit=limits.max_rows)
        return None
    return table, scan


def _check_literal(scan: SheetScan, header_row: int | None, ctx: IssueCollector) -> None:
    """Formulas and merged cells from the header row down are errors: values must be literal.

    Above the header (title rows) they carry no data and are let through. Reported after the
    rows are read, so the operator gets every problem of the file in one pass.
    """
    top = header_row or 1
    for area in scan.merged:
        last_row = int("".join(ch for ch in area.last if ch.isdigit())) if area.last else area.row
        if last_row >= top:
            ctx.add("cell.merged", row=area.row, column=area.column, ref=area.ref)
    for cell in scan.formulas:
        if cell.row >= top:
            ctx.add(
                "cell.formula",
                row=cell.row,
                column=cell.column,
                cell=cell.ref,
                formula=cell.value or "(shared formula)",
            )


def _csv_table(path: Path, ctx: IssueCollector) -> Table | None:
    try:
        table = read_csv(path.read_bytes(), file=path.name)
    except TableError as exc:
        if exc.encoding == CP874:  # the note comes first, as the file is read in that order
            ctx.add("csv.cp874", severity=Severity.INFO)
        if exc.code == "malformed":
            ctx.add("csv.malformed", row=exc.row, detail=exc.detail)
        else:
            ctx.add(f"csv.{exc.code}")
        return None
    if table.encoding == CP874:
        ctx.add("csv.cp874", severity=Severity.INFO)
    return table
