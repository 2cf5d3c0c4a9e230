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
XLSX_SUFFIXES = frozenset({".xlsx", ".xltx"})


def read_registry(
    path: str | Path,
    *,
    sheet: str | None = None,
    limits: ReadLimits | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ReadResult:
    """Read and validate a registry file (``.xlsx`` or ``.csv``); never raises on bad input.

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
    table = _load_table(path, ctx, sheet, limits)
    encoding = table.encoding if table is not None else None
    if table is None or ctx.has_errors:
        return ctx.result((), (), encoding)
    records, row_numbers = parse_rows(table.rows, ctx, limits, on_progress)
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
    parsed, numbers = parse_rows(rows, ctx, ReadLimits(max_rows=10**9), None)
    if not ctx.has_errors:
        check_file_rules(parsed, numbers, ctx)
    return ctx.result(parsed, numbers)


# --- the file: size, type, container, then its table (dgops.tabular) ------------------------


def _load_table(
    path: Path, ctx: IssueCollector, sheet: str | None, limits: ReadLimits
) -> Table | None:
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
        return _csv_table(path, ctx)
    ctx.add("file.unknown_type", suffix=suffix or "(none)")
    return None


def _choose_sheet(names: Sequence[str], wanted: str | None, ctx: IssueCollector) -> str | None:
    if wanted is not None:
        if wanted in names:
            return wanted
        ctx.add("sheet.missing", sheet_name=wanted, sheets=", ".join(names))
        return None
    chosen = next((n for n in names if any(h in n.casefold() for h in SHEET_NAME_HINTS)), names[0])
    ctx.sheet = chosen
    if len(names) > 1:
        ctx.add("sheet.chosen", severity=Severity.INFO, sheet_name=chosen, sheets=", ".join(names))
    return chosen


def _xlsx_table(
    path: Path, ctx: IssueCollector, sheet: str | None, limits: ReadLimits
) -> Table | None:
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
        chosen = _choose_sheet(workbook.sheet_names, sheet, ctx)
        if chosen is None:
            return None
        scan = workbook.scan(chosen)
    except TableError:
        ctx.add("xlsx.not_workbook")
        return None
    if not scan.has_cells:
        ctx.add("sheet.empty")
        return None
    # Values must be literal: merged cells and formulas are refused before any value is read.
    for area in scan.merged:
        ctx.add("cell.merged", row=area.row, column=area.column, ref=area.ref)
    for cell in scan.formulas:
        ctx.add(
            "cell.formula",
            row=cell.row,
            column=cell.column,
            cell=cell.ref,
            formula=cell.value or "(shared formula)",
        )
    if ctx.has_errors:
        return None
    try:
        table = workbook.table(chosen)
    except TableError as exc:
        ctx.add("xlsx.unreadable", detail=exc.detail)
        return None
    if len(table) > limits.max_rows + 1:
        ctx.add("sheet.too_many_rows", limit=limits.max_rows)
        return None
    return table


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
