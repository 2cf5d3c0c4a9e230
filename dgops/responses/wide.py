"""Importing a wide CSV/XLSX from another survey tool: one row per agency, one column per
question, mapped to question ids by a YAML file (see docs/responses.md, "The mapping file").

All-or-nothing per file: every row is checked first and nothing is written when any row has an
error; then each agency's answers are saved and submitted with channel ``import`` (or left in
progress with ``draft``). Text that a spreadsheet would run as a formula is kept as text and
flagged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.configfile import ConfigError, ConfigModel, load_model
from dgops.cycles import get_cycle
from dgops.framework import Framework, load_framework
from dgops.registry.models import Agency
from dgops.responses._guards import GUARD_MESSAGES
from dgops.responses.domain import AnswerValueError, looks_like_formula, parse_answer
from dgops.responses.errors import IncompleteError, ResponseError
from dgops.responses.report import FileReport, ImportProblem, ImportReport
from dgops.responses.service import UNLOCKED, get_response, save_answers, submit
from dgops.scoring import ISSUE_REASONS
from dgops.tabular import (
    CSV_SUFFIXES,
    ReadLimits,
    SheetScan,
    Table,
    TableError,
    Workbook,
    column_index,
    column_letter,
    is_blank,
    read_table,
    workbook_problem,
)

__all__ = ["WideMapping", "import_wide", "load_mapping_file"]


class WideMapping(ConfigModel):
    """The column-mapping file of a wide import (read by :func:`dgops.configfile.load_model`:
    unknown keys are refused, every problem names the file and its place)."""

    agency_column: str = Field(min_length=1)
    """The column that holds the agency code."""
    columns: dict[str, str] = Field(min_length=1)
    """Source column → question id."""
    values: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Question id → {source value → option id (or yes/no)}; unmapped values pass through."""
    separator: str = Field(default=",", min_length=1)
    """Separator of several choices in one cell (multiple choice)."""
    sheet: str | None = None
    """The XLSX sheet to read (default: the one visible sheet that holds values; hidden
    sheets only when named here)."""


def load_mapping_file(path: str | Path) -> WideMapping:
    """Read and check a mapping file; raises :class:`ResponseError` with every problem, each
    naming the file and its place (``mapping.yaml: columns.Q1: ...``)."""
    try:
        return load_model(Path(path), WideMapping)
    except ConfigError as exc:
        lines = "; ".join(
            f"{exc.file}: {where}: {what}" if where else f"{exc.file}: {what}"
            for where, what in exc.problems
        )
        raise ResponseError(
            f"ไฟล์จับคู่คอลัมน์ {exc.file} ไม่ถูกต้อง: {lines}",
            f"invalid mapping file {exc.file}: {lines}",
        ) from exc


@dataclass
class _Row:
    number: int
    agency_code: str
    answers: dict[str, Any] = field(default_factory=dict)


_HEADER_SEARCH_ROWS = 10
"""How many non-blank rows are looked at for the header row (titles may sit above it)."""


def _read_table(path: Path, sheet: str | None) -> tuple[Table, SheetScan | None]:
    """The file's rows (:mod:`dgops.tabular`): a CSV is comma-separated and read leniently (no
    strict quoting), in any encoding the registry accepts; a workbook's sheet is ``sheet`` or
    the one visible sheet with values (hidden sheets are never read unless named), with each
    number's format, so a percentage reads as it was shown."""
    name = path.name
    if path.suffix.lower() in CSV_SUFFIXES:
        try:
            return read_table(path, delimiter=",", strict=False), None
        except TableError as exc:
            raise ResponseError(
                f"อ่านไฟล์ CSV {name} ไม่ได้ (รหัสอักขระหรือรูปแบบไม่ถูกต้อง: {exc.code})",
                f"cannot read the CSV {name} ({exc.code})",
            ) from exc
    try:
        with Workbook.open(path) as workbook:
            chosen = workbook.choose_sheet(sheet)
            scan = workbook.scan(chosen)
            return workbook.table(chosen, scan), scan
    except TableError as exc:
        if exc.code == "sheet_missing":
            raise ResponseError(
                f"ไม่พบแผ่นงาน “{sheet}” ในไฟล์ {name} (มี: {exc.detail})",
                f"{name}: sheet {sheet!r} is missing (sheets: {exc.detail})",
            ) from exc
        if exc.code == "sheet_ambiguous":
            raise ResponseError(
                f"ไฟล์ {name} มีแผ่นงานที่มีข้อมูลหลายแผ่น ({exc.detail}) กรุณาระบุ sheet: ในไฟล์จับคู่คอลัมน์",
                f"{name}: more than one sheet holds data ({exc.detail}); name one with"
                " `sheet:` in the mapping file",
            ) from exc
        if exc.code == "no_visible_sheet":
            raise ResponseError(
                f"ทุกแผ่นงานในไฟล์ {name} ถูกซ่อน ({exc.detail}) กรุณาระบุ sheet: ในไฟล์จับคู่คอลัมน์",
                f"{name}: every sheet is hidden ({exc.detail}); name one with `sheet:`",
            ) from exc
        raise ResponseError(
            f"เปิดไฟล์ {name} ไม่ได้ ไฟล์อาจเสียหาย", f"cannot open {name}: {exc}"
        ) from exc


def _find_header(table: Table, agency_column: str) -> int | None:
    """The position in ``table.rows`` of the header: the first of the first non-blank rows
    that names the agency column (title rows above it are skipped), else the first
    non-blank row; None for an empty table."""
    first = table.first_filled()
    if first is None:
        return None
    looked = 0
    for position in range(first, len(table.rows)):
        values = table.rows[position][1]
        if is_blank(values):
            continue
        if any(str(v).strip() == agency_column for v in values if v is not None):
            return position
        looked += 1
        if looked >= _HEADER_SEARCH_ROWS:
            break
    return first


def import_wide(
    session: Session,
    path: str | Path,
    mapping_path: str | Path,
    *,
    cycle_year: int,
    actor: str,
    channel: str = "import",
    draft: bool = False,
    framework: Framework | None = None,
    limits: ReadLimits | None = None,
) -> ImportReport:
    """Import a wide file (CSV or XLSX) with its mapping file. Runs in the caller's transaction
    (a savepoint for the file): nothing is written when any row has an error."""
    path = Path(path)
    mapping = load_mapping_file(mapping_path)
    cycle = get_cycle(session, cycle_year)
    fw = framework or load_framework(cycle.framework_version)
    report = FileReport(str(path))
    result = ImportReport([report])

    def err(code: str, th: str, en: str, **where: Any) -> None:
        report.errors.append(ImportProblem(str(path), code, th, en, **where))

    unknown = sorted(set(mapping.columns.values()) - set(fw.question_ids))
    for qid in unknown:
        err("mapping", f"ไฟล์จับคู่อ้างถึงคำถาม {qid} ที่ไม่มี", f"mapping names unknown {qid}")
    limits = limits or ReadLimits()
    if path.suffix.lower() != ".csv":
        problem = workbook_problem(path, limits)
        if problem is not None:
            th, en = GUARD_MESSAGES[problem[0]]
            err(problem[0], th, en, value=problem[1] or None)
    elif path.stat().st_size > limits.max_bytes:
        th, en = GUARD_MESSAGES["too_large"]
        err("too_large", th, en)
    if report.errors:
        return result
    table, scan = _read_table(path, mapping.sheet)
    # Rows and columns keep their true coordinates; the header may sit below title rows.
    first = _find_header(table, mapping.agency_column)
    if first is None:
        err("empty", "ไฟล์ว่าง", "empty file", sheet=table.sheet)
        return result
    header_row, header_values = table.rows[first]
    header = ["" if h is None else str(h).strip() for h in header_values]
    where_col: dict[str, int] = {}
    for i, h in enumerate(header):
        where_col.setdefault(h, i)
    for needed in [mapping.agency_column, *mapping.columns]:
        if needed not in where_col:
            err(
                "structure",
                f"ไม่พบคอลัมน์ “{needed}” ในแถวหัวตาราง",
                f"column {needed!r} is missing from the header row",
                sheet=table.sheet,
                row=header_row,
            )
    # A formula's cached value may be stale or computed from cells outside the table: answers
    # must be literal values, as in the registry and the offline questionnaires.
    wanted = {where_col[name] for name in [mapping.agency_column, *mapping.columns]}
    for cell in scan.formulas if scan is not None else ():
        if cell.row > header_row and column_index(cell.column) in wanted:
            formula = cell.value or "="
            err(
                "formula",
                f"เซลล์ {cell.column}{cell.row} มีสูตร {formula} กรุณาใส่ค่าจริงแทนสูตร (วางแบบค่า)",
                f"cell {cell.column}{cell.row} holds a formula {formula}; values must be literal"
                " (paste as values)",
                sheet=table.sheet,
                row=cell.row,
                column=cell.column,
                value=str(formula),
            )
    if report.errors:
        return result
    rows = _parse_rows(table, first + 1, where_col, mapping, fw, report, path)
    if report.errors:
        return result
    try:
        with session.begin_nested():
            _store_rows(
                session, rows, cycle.id, fw, actor, channel, draft, report, path, table.sheet
            )
    except _Failed:
        report.outcome = "failed"
        return result
    report.outcome = "imported"
    report.saved = len(rows)
    return result


def _parse_rows(
    table: Table,
    start: int,
    where_col: Mapping[str, int],
    mapping: WideMapping,
    fw: Framework,
    report: FileReport,
    path: Path,
) -> list[_Row]:
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    sheet = table.sheet
    for number, cells in table.rows[start:]:
        if is_blank(cells):
            continue

        def cell(name: str, cells: Sequence[Any] = cells) -> Any:
            i = where_col[name]
            return cells[i] if i < len(cells) else None

        code = str(cell(mapping.agency_column) or "").strip()
        if not code:
            report.errors.append(
                ImportProblem(
                    str(path),
                    "agency_missing",
                    "ไม่มีรหัสหน่วยงาน",
                    "agency code is empty",
                    sheet=sheet,
                    row=number,
                    column=column_letter(where_col[mapping.agency_column]),
                )
            )
            continue
        if code in seen:
            report.errors.append(
                ImportProblem(
                    str(path),
                    "duplicate_agency",
                    f"รหัสหน่วยงาน {code} ซ้ำกับแถว {seen[code]}",
                    f"agency {code} repeats row {seen[code]}",
                    sheet=sheet,
                    row=number,
                    column=column_letter(where_col[mapping.agency_column]),
                    value=code,
                )
            )
            continue
        seen[code] = number
        row = _Row(number, code)
        for column, qid in mapping.columns.items():
            q = fw.question(qid)
            index = where_col[column]
            raw = cell(column)
            if table.format_of(number, index) != "General":
                # What the person saw: 0.85 formatted as a percentage is 85, not 0.85.
                raw = table.cell(number, index).shown
            where: dict[str, Any] = {
                "sheet": sheet,
                "row": number,
                "column": column_letter(where_col[column]),
                "question_id": qid,
            }
            values = mapping.values.get(qid, {})
            value: Any = raw
            if isinstance(raw, str):
                value = raw.strip()
                if q.type == "multiple_choice":
                    parts = [p.strip() for p in value.split(mapping.separator) if p.strip()]
                    value = [values.get(p, p) for p in parts] if value else None
                else:
                    value = values.get(value, value)
            if q.type == "evidence":
                continue
            try:
                stored = parse_answer(q, value)
            except AnswerValueError as exc:
                th, _, en = ISSUE_REASONS.get(exc.reason, exc.reason).partition(" (")
                report.errors.append(
                    ImportProblem(
                        str(path), exc.reason, th, en.rstrip(")") or th, value=str(raw), **where
                    )
                )
                continue
            if isinstance(stored, str) and q.type == "text" and looks_like_formula(stored):
                report.warnings.append(
                    ImportProblem(
                        str(path),
                        "formula_text",
                        "ข้อความขึ้นต้นด้วยอักขระที่อาจถูกตีความเป็นสูตร: เก็บเป็นข้อความธรรมดา",
                        "text starts like a spreadsheet formula: stored inert as plain text",
                        value=stored[:80],
                        **where,
                    )
                )
            if stored is not None:
                row.answers[qid] = stored
        rows.append(row)
    return rows


class _Failed(Exception):
    pass


def _store_rows(
    session: Session,
    rows: list[_Row],
    cycle_id: int,
    fw: Framework,
    actor: str,
    channel: str,
    draft: bool,
    report: FileReport,
    path: Path,
    sheet: str | None = None,
) -> None:
    codes = [r.agency_code for r in rows]
    ids = dict(
        session.execute(select(Agency.code, Agency.id).where(Agency.code.in_(codes))).tuples().all()
    )
    for row in rows:

        def fail(code: str, th: str, en: str, row: _Row = row, **where: Any) -> None:
            report.errors.append(
                ImportProblem(str(path), code, th, en, sheet=sheet, row=row.number, **where)
            )

        agency_id = ids.get(row.agency_code)
        if agency_id is None:
            fail(
                "unknown_agency",
                f"ไม่พบหน่วยงานรหัส {row.agency_code}",
                f"agency {row.agency_code} is not in the registry",
            )
            continue
        try:
            response = get_response(session, cycle_id, agency_id)
            if response.status not in UNLOCKED:
                fail(
                    "locked",
                    f"แบบสำรวจของ {row.agency_code} ส่งแล้ว ({response.status})",
                    f"the response of {row.agency_code} is already {response.status}",
                )
                continue
            save_answers(session, response, row.answers, framework=fw, actor=actor, channel=channel)
            if not draft:
                submit(
                    session,
                    response,
                    framework=fw,
                    actor=actor,
                    channel=channel,
                    require_evidence=False,
                )
        except IncompleteError as exc:
            for qid in exc.missing:
                fail(
                    "missing_required",
                    "ยังไม่ได้ตอบคำถามที่ต้องตอบ",
                    "a required question is not answered",
                    question_id=qid,
                )
        except ResponseError as exc:
            fail("refused", exc.message_th, exc.message_en)
    if report.errors:
        raise _Failed
