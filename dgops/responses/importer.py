"""Importing filled offline questionnaires (XLSX): one file or a folder, all-or-nothing per file.

Each file is checked completely before anything is written: guards (size, macros, zip bombs),
the hidden signature (framework, cycle, agency, layout), the row keys (nothing moved, added or
deleted), formulas in answer cells, and every value against its question's domain. Only a file
without errors is saved — in its own transaction — and submitted with channel ``xlsx`` (or left
in progress with ``draft=True``). Every problem names the file, sheet, row, column and question,
in Thai and English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.cycles import get_cycle
from dgops.db import Database
from dgops.framework import Framework, load_framework
from dgops.registry.models import Agency
from dgops.responses._guards import GUARD_MESSAGES
from dgops.responses.domain import AnswerValueError, looks_like_formula, parse_answer
from dgops.responses.errors import IncompleteError, ResponseError
from dgops.responses.layout import (
    ANSWER_COLUMN,
    FIRST_ROW,
    FORMAT,
    NO_TH,
    YES_TH,
    LayoutRow,
    build_layout,
    layout_digest,
    signature_of,
)
from dgops.responses.models import ResponseStatus
from dgops.responses.report import FileReport, ImportProblem, ImportReport
from dgops.responses.service import get_response, save_answers, submit
from dgops.responses.template import QUESTIONNAIRE_SHEET, SIGNATURE_SHEET
from dgops.scoring import ISSUE_REASONS
from dgops.tabular import Cell, ReadLimits, TableError, Workbook, workbook_problem

__all__ = ["ParsedFile", "import_xlsx", "list_files", "read_questionnaire"]

_YES = {YES_TH, "yes", "y", "มี", "✓", "1", "true"}
_NO = {NO_TH, "no", "n", "ไม่มี", "0", "false"}


@dataclass
class ParsedFile:
    """A questionnaire read from a file (no database involved): who, which year, answers."""

    path: Path
    framework_id: str | None = None
    cycle: int | None = None
    agency_code: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)

    def error(self, code: str, th: str, en: str, **where: Any) -> None:
        self.errors.append(ImportProblem(str(self.path), code, th, en, **where))

    def warn(self, code: str, th: str, en: str, **where: Any) -> None:
        self.warnings.append(ImportProblem(str(self.path), code, th, en, **where))


def list_files(path_or_folder: str | Path) -> list[Path]:
    """The spreadsheets to import: the file itself, or every .xlsx/.ods/.xlsm/.xls in the folder
    (sorted; Office lock files ``~$…`` skipped). Macro and legacy .xls workbooks are listed so
    they can be refused."""
    path = Path(path_or_folder)
    if path.is_dir():
        return sorted(
            p
            for p in path.iterdir()
            if p.is_file()
            and p.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods")
            and not p.name.startswith("~$")
        )
    return [path]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _read_signature(wb: Workbook, parsed: ParsedFile) -> dict[str, str] | None:
    if SIGNATURE_SHEET not in wb.sheet_names:
        parsed.error(
            "not_template",
            "ไม่ใช่ไฟล์แบบสำรวจที่ระบบสร้าง (ไม่พบลายมือชื่อไฟล์) ให้ใช้ไฟล์ที่ได้รับจาก สพร.",
            "not a questionnaire made by dgops (no signature sheet): use the file DGA sent",
        )
        return None
    values: dict[str, str] = {}
    for _, row in wb.cells(SIGNATURE_SHEET, min_row=1, max_row=20, max_col=2):
        if row and row[0].value is not None:
            values[str(row[0].value)] = _text(row[1].value if len(row) > 1 else None)
    if values.get("format") != FORMAT:
        parsed.error(
            "not_template",
            "รูปแบบไฟล์ไม่ตรงกับที่ระบบรองรับ",
            f"unsupported template format {values.get('format')!r}",
            sheet=SIGNATURE_SHEET,
        )
        return None
    return values


def read_questionnaire(
    path: Path,
    framework: Framework,
    *,
    limits: ReadLimits | None = None,
    layout: list[LayoutRow] | None = None,
) -> ParsedFile:
    """Read and check one filled questionnaire against ``framework``; never raises on bad
    input: every problem is in ``errors`` (the answers are only usable when there is none)."""
    parsed = ParsedFile(path)
    problem = workbook_problem(path, limits or ReadLimits())
    if problem is not None:
        code, detail = problem
        th, en = GUARD_MESSAGES[code]
        parsed.error(code, th, en, value=detail or None)
        return parsed
    try:
        wb = Workbook.open(path, cells=True)
    except TableError as exc:
        parsed.error("not_workbook", "เปิดไฟล์ไม่ได้ ไฟล์อาจเสียหาย", f"cannot open: {exc.detail}")
        return parsed
    with wb:
        _read(wb, parsed, framework, layout or build_layout(framework))
    return parsed


def _read(wb: Workbook, parsed: ParsedFile, fw: Framework, layout: list[LayoutRow]) -> None:
    sig = _read_signature(wb, parsed)
    if sig is None:
        return
    parsed.framework_id = sig.get("framework")
    parsed.agency_code = sig.get("agency")
    try:
        parsed.cycle = int(sig.get("cycle", ""))
    except ValueError:
        parsed.cycle = None
    digest = layout_digest(layout)
    expected = signature_of(
        str(parsed.framework_id), parsed.cycle or 0, str(parsed.agency_code), sig.get("layout", "")
    )
    if sig.get("signature") != expected:
        parsed.error(
            "signature",
            "ลายมือชื่อไฟล์ไม่ถูกต้อง: ไฟล์ถูกแก้ไขส่วนที่ล็อกไว้ หรือไม่ใช่ไฟล์ของหน่วยงานนี้",
            "signature mismatch: the locked part was changed, or this is not this agency's file",
            sheet=SIGNATURE_SHEET,
        )
        return
    if parsed.framework_id != fw.id or sig.get("layout") != digest:
        parsed.error(
            "framework_mismatch",
            f"ไฟล์สร้างจากกรอบการสำรวจ {parsed.framework_id} ไม่ตรงกับ {fw.id} ของปีนี้ ให้ใช้ไฟล์ฉบับปัจจุบัน",
            f"template built for framework {parsed.framework_id}, this cycle uses {fw.id}: "
            "use the current template",
            sheet=SIGNATURE_SHEET,
        )
        return
    if QUESTIONNAIRE_SHEET not in wb.sheet_names:
        parsed.error(
            "structure",
            f"ไม่พบแผ่นงาน “{QUESTIONNAIRE_SHEET}”",
            f"sheet {QUESTIONNAIRE_SHEET!r} is missing",
        )
        return
    header: dict[int, Any] = {}
    body: dict[int, tuple[Cell, ...]] = {}
    last = layout[-1].row if layout else FIRST_ROW
    # Columns A-D only (keys, header values, answers): E/F hold long help texts that cost
    # parse time and carry nothing to import.
    for number, cells in wb.cells(QUESTIONNAIRE_SHEET, max_col=4):
        if number < FIRST_ROW:
            header[number] = cells[2].value if len(cells) > 2 else None
        else:
            body[number] = cells
    sheet = QUESTIONNAIRE_SHEET
    if _text(header.get(3)) != parsed.agency_code or _text(header.get(2)) != str(parsed.cycle):
        parsed.error(
            "signature",
            "รหัสหน่วยงานหรือปีในส่วนหัวไม่ตรงกับลายมือชื่อไฟล์",
            "the agency code or year in the header does not match the file's signature",
            sheet=sheet,
            row=3,
            column="C",
        )
        return
    # Structure: each expected key in column A at its row, nothing after the last row.
    moved = 0
    for r in layout:
        at_row = body.get(r.row)
        found = _text(at_row[0].value) if at_row else ""
        if found != r.key:
            moved += 1
            if moved <= 5:
                parsed.error(
                    "structure",
                    f"โครงสร้างแถวเปลี่ยน: แถว {r.row} ควรเป็น {r.key} แต่พบ {found or 'แถวว่าง'} "
                    "(มีการแทรก ลบ หรือย้ายแถว)",
                    f"structure changed: row {r.row} should hold {r.key}, found "
                    f"{found or 'an empty row'} (rows inserted, deleted or moved)",
                    sheet=sheet,
                    row=r.row,
                    column="A",
                    question_id=r.question.id if r.question else None,
                )
    for number, cells in body.items():
        if number > last and any(_text(c.value) for c in cells):
            parsed.error(
                "structure",
                f"มีข้อมูลเพิ่มหลังแถวสุดท้ายของแบบสำรวจ (แถว {number})",
                f"data added after the questionnaire's last row (row {number})",
                sheet=sheet,
                row=number,
            )
            break
    if parsed.errors:
        return
    _read_answers(parsed, fw, layout, body)


def _read_answers(
    parsed: ParsedFile, fw: Framework, layout: list[LayoutRow], body: Mapping[int, tuple[Cell, ...]]
) -> None:
    sheet = QUESTIONNAIRE_SHEET
    ticks: dict[str, list[str] | None] = {}
    for r in layout:
        if not r.takes_answer:
            continue
        q = r.question
        assert q is not None
        cell = body[r.row][3]
        where: dict[str, Any] = {
            "sheet": sheet,
            "row": r.row,
            "column": ANSWER_COLUMN,
            "question_id": q.id,
        }
        if cell.is_formula:
            parsed.error(
                "formula",
                f"ช่อง {ANSWER_COLUMN}{r.row} มีสูตร ({cell.value}) ให้พิมพ์ค่าคำตอบแทนสูตร",
                f"cell {ANSWER_COLUMN}{r.row} holds a formula ({cell.value}): type the value",
                value=str(cell.value),
                **where,
            )
            continue
        raw = cell.shown  # what the person saw: 0.85 formatted as a percentage is 85
        if isinstance(raw, str):
            raw = raw.strip()
            if raw.startswith("'") and looks_like_formula(raw[1:]):
                raw = raw[1:]  # our own neutralising apostrophe (see spreadsheet_safe)
        if raw is None or raw == "":
            if r.kind == "option":
                ticks.setdefault(q.id, None)
            continue
        if isinstance(raw, dt.datetime | dt.date | dt.time):
            parsed.error(
                "wrong_type",
                "ค่าเป็นวันที่/เวลา ไม่ตรงกับชนิดของคำถาม",
                "a date/time is not a valid answer to this question",
                value=str(raw),
                **where,
            )
            continue
        if r.kind == "option":
            word = _text(raw).lower()
            chosen = ticks.get(q.id) or []
            if word in _YES:
                assert r.option_id is not None
                chosen.append(r.option_id)
            elif word not in _NO:
                parsed.error(
                    "not_an_option",
                    f"ตอบได้เฉพาะ {YES_TH} หรือ {NO_TH}",
                    f"answer {YES_TH} (yes) or {NO_TH} (no) only",
                    value=str(raw),
                    **where,
                )
            ticks[q.id] = chosen
            continue
        value: Any = raw
        if q.type == "yes_no" and isinstance(raw, str):
            word = raw.lower()
            value = "yes" if word in _YES else "no" if word in _NO else raw
        elif q.type == "single_choice":
            value = _option_id(q, raw)
        try:
            stored = parse_answer(q, value)
        except AnswerValueError as exc:
            th, _, en = ISSUE_REASONS.get(exc.reason, exc.reason).partition(" (")
            parsed.error(exc.reason, th, en.rstrip(")") or th, value=str(raw), **where)
            continue
        if q.type == "text" and isinstance(stored, str) and looks_like_formula(stored):
            parsed.warn(
                "formula_text",
                "ข้อความขึ้นต้นด้วยอักขระที่โปรแกรมตารางคำนวณอาจตีความเป็นสูตร: เก็บเป็นข้อความธรรมดา",
                "text starts like a spreadsheet formula: stored inert as plain text",
                value=stored[:80],
                **where,
            )
        parsed.answers[q.id] = stored
        parsed.rows[q.id] = r.row
    for qid, ticked in ticks.items():
        if ticked is not None:
            parsed.answers[qid] = [o for o in fw.question(qid).option_ids() if o in ticked]
            parsed.rows[qid] = next(r.row for r in layout if r.key == qid)
    _drop_hidden(parsed, fw)


def _option_id(q: Any, raw: Any) -> Any:
    text = _text(raw)
    options = q.options or []
    for o in options:
        if o.text_th.strip() == text:
            return o.id
    if text in q.option_ids():
        return text
    if isinstance(raw, int | float) or text.isdigit():
        try:
            index = int(float(text))
        except ValueError:
            return raw
        if 1 <= index <= len(options) and float(text) == index:
            return options[index - 1].id
    return raw


def _drop_hidden(parsed: ParsedFile, fw: Framework) -> None:
    shown = fw.evaluate_show_if(parsed.answers)
    for qid in [q for q in parsed.answers if not shown.get(q, True)]:
        parsed.warn(
            "hidden_answer",
            "ตอบข้อที่ไม่ต้องตอบตามเงื่อนไข: ไม่บันทึกคำตอบนี้",
            "answered a question its condition hides: this answer is not saved",
            sheet=QUESTIONNAIRE_SHEET,
            row=parsed.rows.get(qid),
            column=ANSWER_COLUMN,
            question_id=qid,
        )
        del parsed.answers[qid]


def _units(target: Session | Database) -> Callable[[], AbstractContextManager[Session]]:
    # One file = one transaction of the database, or one savepoint of the caller's session.
    if isinstance(target, Database):
        return target.begin

    @contextmanager
    def savepoint() -> Iterator[Session]:
        with target.begin_nested():
            yield target

    return savepoint


class _FileFailed(Exception):
    pass


def import_xlsx(
    target: Session | Database,
    path_or_folder: str | Path,
    *,
    cycle_year: int,
    actor: str,
    channel: str = "xlsx",
    agency_code: str | None = None,
    draft: bool = False,
    framework: Framework | None = None,
    limits: ReadLimits | None = None,
    on_file: Callable[[FileReport], None] | None = None,
) -> ImportReport:
    """Import one questionnaire or every one in a folder for cycle ``cycle_year``.

    All-or-nothing per file: a file with any error writes nothing. A good file's answers are
    saved and the response submitted (``draft``: left in progress) with ``channel``; required
    evidence is not demanded (it arrives separately). ``agency_code`` (single-file imports)
    is the agency the operator expects the file to belong to. With a :class:`Database` each
    file is its own transaction (``db.begin()``); with a ``Session`` everything happens in the
    caller's transaction, a savepoint per file. ``on_file`` is called after each file."""
    unit = _units(target)
    with unit() as session:
        cycle = get_cycle(session, cycle_year)
    fw = framework or load_framework(cycle.framework_version)
    layout = build_layout(fw)
    report = ImportReport()
    for path in list_files(path_or_folder):
        parsed = read_questionnaire(path, fw, limits=limits, layout=layout)
        file_report = FileReport(str(path), parsed.agency_code, warnings=list(parsed.warnings))
        if not parsed.errors:
            _check_expected(parsed, cycle.year_be, agency_code)
        if parsed.errors:
            file_report.errors = list(parsed.errors)
        else:
            try:
                with unit() as session:
                    _store(session, parsed, file_report, cycle.id, fw, actor, channel, draft)
            except _FileFailed:
                pass
        report.files.append(file_report)
        if on_file is not None:
            on_file(file_report)
    return report


def _check_expected(parsed: ParsedFile, year: int, agency_code: str | None) -> None:
    if parsed.cycle != year:
        parsed.error(
            "cycle_mismatch",
            f"ไฟล์นี้เป็นแบบสำรวจปี {parsed.cycle} ไม่ใช่ปี {year}",
            f"this questionnaire is for {parsed.cycle}, not {year}",
            sheet=SIGNATURE_SHEET,
        )
    if agency_code is not None and parsed.agency_code != agency_code:
        parsed.error(
            "agency_mismatch",
            f"ไฟล์นี้เป็นของหน่วยงาน {parsed.agency_code} ไม่ใช่ {agency_code}",
            f"this questionnaire belongs to agency {parsed.agency_code}, not {agency_code}",
            sheet=QUESTIONNAIRE_SHEET,
            row=3,
            column="C",
        )


def _store(
    session: Session,
    parsed: ParsedFile,
    report: FileReport,
    cycle_id: int,
    fw: Framework,
    actor: str,
    channel: str,
    draft: bool,
) -> None:
    def fail(code: str, th: str, en: str, **where: Any) -> None:
        report.errors.append(ImportProblem(str(parsed.path), code, th, en, **where))

    agency_id = session.scalar(select(Agency.id).where(Agency.code == parsed.agency_code))
    if agency_id is None:
        fail(
            "unknown_agency",
            f"ไม่พบหน่วยงานรหัส {parsed.agency_code} ในทะเบียน",
            f"agency {parsed.agency_code} is not in the registry",
        )
        raise _FileFailed
    try:
        response = get_response(session, cycle_id, agency_id)
        if ResponseStatus(response.status) not in (
            ResponseStatus.NOT_STARTED,
            ResponseStatus.IN_PROGRESS,
            ResponseStatus.RETURNED,
        ):
            fail(
                "locked",
                f"แบบสำรวจของหน่วยงานนี้อยู่ในสถานะ {response.status} แล้ว "
                "ต้องส่งกลับ (return) ก่อนจึงนำเข้าใหม่ได้",
                f"the response is already {response.status}: return it before re-importing",
            )
            raise _FileFailed
        current = set(fw.question_ids) - {q.id for q in fw.questions if q.type == "evidence"}
        # The file is the whole questionnaire: answers it leaves blank are cleared.
        payload: dict[str, Any] = dict.fromkeys(current)
        payload.update(parsed.answers)
        result = save_answers(
            session, response, payload, framework=fw, actor=actor, channel=channel
        )
        for qid, message in result.errors.items():
            fail("invalid", message, message, question_id=qid, row=parsed.rows.get(qid))
        if result.errors:
            raise _FileFailed
        if not draft:
            submit(
                session,
                response,
                framework=fw,
                actor=actor,
                channel=channel,
                require_evidence=False,
            )
        report.outcome = "imported"
        report.status = ResponseStatus(response.status).value
        report.saved = len(result.saved)
    except IncompleteError as exc:
        rows = {r.key: r.row for r in build_layout(fw)}
        for qid in exc.missing:
            fail(
                "missing_required",
                "ยังไม่ได้ตอบคำถามที่ต้องตอบ",
                "a required question is not answered",
                sheet=QUESTIONNAIRE_SHEET,
                row=rows.get(qid),
                column=ANSWER_COLUMN,
                question_id=qid,
            )
        report.outcome = "failed"
        raise _FileFailed from exc
    except ResponseError as exc:
        report.outcome = "failed"
        fail("refused", exc.message_th, exc.message_en)
        raise _FileFailed from exc
