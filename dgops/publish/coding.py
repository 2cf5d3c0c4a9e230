"""Coding free-text answers into categories for the fact-finding tables.

The operator's loop:

1. define a **code frame** per free-text question (a YAML file read through
   :mod:`dgops.configfile`: codes with Thai labels and keywords);
2. ``dgops coding export`` writes a workbook with every answer of the cycle, a **suggested**
   code (keywords matched on Thai words segmented by pythainlp, else the most similar answer
   already confirmed) and the code confirmed so far;
3. the operator fills the column ``รหัสที่ยืนยัน`` (copying suggestions in bulk where they are
   right) and ``dgops coding import`` reads it back through :mod:`dgops.tabular`, refusing the
   whole file with located errors (sheet, cell) when a code or agency is unknown;
4. the report counts the confirmed codes (:func:`coded_counts`); answers without a confirmed
   code, or whose text changed after it was confirmed, are counted and listed as uncoded —
   never dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.configfile import ConfigError, ConfigModel, load_model
from dgops.db import record_audit
from dgops.publish.models import CodedAnswer

__all__ = [
    "UNCODED_CODE",
    "UNCODED_LABEL_TH",
    "Code",
    "CodeCount",
    "CodeFrame",
    "CodeFrames",
    "CodingError",
    "CodingImport",
    "Suggestion",
    "answer_hash",
    "coded_counts",
    "confirmed_codes",
    "load_code_frames",
    "read_coding_workbook",
    "store_confirmed",
    "suggest_codes",
    "write_coding_workbook",
]

UNCODED_CODE = "_uncoded"
UNCODED_LABEL_TH = "ยังไม่ได้จัดหมวดคำตอบ"
CONFIRMED_HEADER = "รหัสที่ยืนยัน"
HEADERS = (
    "รหัสหน่วยงาน",
    "ชื่อหน่วยงาน",
    "คำตอบ",
    "รหัสที่แนะนำ",
    "เหตุผลที่แนะนำ",
    CONFIRMED_HEADER,
)
SIMILARITY_MIN = 0.5
"""Least word overlap (Jaccard) with a confirmed answer for its code to be suggested."""


class CodingError(ConfigError):
    """A code frame file or a coding workbook is invalid (place, message) — for operators."""


class Code(ConfigModel):
    """One category of a code frame."""

    code: str = Field(pattern=r"^[a-z0-9_]{1,64}$")
    label_th: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    """Thai words or phrases; an answer containing one of them is suggested this code."""


class CodeFrame(ConfigModel):
    """The categories of one free-text question."""

    question: str = Field(min_length=1)
    title_th: str | None = None
    """How the report names the table (default: the question's text)."""
    codes: list[Code] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> CodeFrame:
        seen: set[str] = set()
        for c in self.codes:
            if c.code in seen:
                raise ValueError(f"code {c.code!r} is defined twice")
            seen.add(c.code)
        return self

    def label(self, code: str) -> str:
        """The Thai label of ``code`` (KeyError when the frame has no such code)."""
        for c in self.codes:
            if c.code == code:
                return c.label_th
        raise KeyError(code)

    @property
    def code_ids(self) -> list[str]:
        """The frame's codes in the order the report lists them."""
        return [c.code for c in self.codes]


class CodeFrames(ConfigModel):
    """Every code frame of a framework (file ``templates/publish/codeframes-<framework>.yaml``)."""

    frames: list[CodeFrame] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_questions(self) -> CodeFrames:
        seen: set[str] = set()
        for f in self.frames:
            if f.question in seen:
                raise ValueError(f"question {f.question!r} has two code frames")
            seen.add(f.question)
        return self

    def get(self, question_id: str) -> CodeFrame | None:
        """The frame of ``question_id``, or None."""
        return next((f for f in self.frames if f.question == question_id), None)


def load_code_frames(path: Path) -> CodeFrames:
    """Read a code frame file; :class:`CodingError` names the file and key of each problem."""
    return load_model(path, CodeFrames, error=CodingError)


def answer_hash(text: str) -> str:
    """SHA-256 of an answer's text with its spaces normalised (what a code was confirmed for)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


# -- suggestions ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    # pythainlp loads its dictionary on first use (~0.8 s): only when something is coded.
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=65_536)
def words(text: str) -> frozenset[str]:
    """The Thai (and other) words of ``text``, segmented by pythainlp's newmm engine."""
    tokens = _tokenizer()(_SPACE.sub(" ", text.strip()), engine="newmm", keep_whitespace=False)
    return frozenset(t.strip().lower() for t in tokens if t.strip())


@dataclass(frozen=True)
class Suggestion:
    """A suggested code for one answer and why (shown to the operator, Thai)."""

    code: str | None
    reason_th: str


def _keyword_hits(text: str, tokens: frozenset[str], code: Code) -> list[str]:
    hits = []
    for kw in code.keywords:
        kw_words = words(kw)
        # A keyword matches when all its words are words of the answer (so "งาน" does not
        # match inside "หน่วยงาน"), or when the phrase itself appears in the text.
        if (kw_words and kw_words <= tokens) or (len(kw) > 3 and kw in text):
            hits.append(kw)
    return hits


def suggest_codes(
    frame: CodeFrame, answers: Mapping[int, str], confirmed: Mapping[int, str] | None = None
) -> dict[int, Suggestion]:
    """A suggestion per answer (agency id → text): the code with the most keyword hits, else the
    code of the most similar confirmed answer (word overlap ≥ ``SIMILARITY_MIN``), else none."""
    confirmed = confirmed or {}
    examples = [
        (words(answers[a]), code)
        for a, code in confirmed.items()
        if a in answers and code in frame.code_ids
    ]
    out: dict[int, Suggestion] = {}
    for agency_id, text in answers.items():
        tokens = words(text)
        best: tuple[int, str, list[str]] | None = None
        for code in frame.codes:
            hits = _keyword_hits(text, tokens, code)
            if hits and (best is None or len(hits) > best[0]):
                best = (len(hits), code.code, hits)
        if best is not None:
            out[agency_id] = Suggestion(best[1], "คำสำคัญ: " + ", ".join(best[2]))
            continue
        near: tuple[float, str] | None = None
        for ex_tokens, ex_code in examples:
            union = len(tokens | ex_tokens)
            score = len(tokens & ex_tokens) / union if union else 0.0
            if score >= SIMILARITY_MIN and (near is None or score > near[0]):
                near = (score, ex_code)
        if near is not None:
            out[agency_id] = Suggestion(near[1], f"คล้ายคำตอบที่ยืนยันแล้ว ({near[0] * 100:.0f}%)")
        else:
            out[agency_id] = Suggestion(None, "ไม่พบคำสำคัญ โปรดพิจารณา")
    return out


# -- storage -------------------------------------------------------------------------------


def confirmed_codes(
    session: Session, cycle_id: int, question_id: str, answers: Mapping[int, str] | None = None
) -> dict[int, str]:
    """Confirmed codes of a question (agency id → code). With ``answers``, a code confirmed
    for a different text than the current answer is left out (the answer changed)."""
    rows = session.execute(
        select(CodedAnswer.agency_id, CodedAnswer.code, CodedAnswer.answer_sha256).where(
            CodedAnswer.cycle_id == cycle_id, CodedAnswer.question_id == question_id
        )
    ).all()
    out: dict[int, str] = {}
    for agency_id, code, sha in rows:
        if answers is not None:
            text = answers.get(agency_id)
            if text is None or answer_hash(text) != sha:
                continue
        out[int(agency_id)] = str(code)
    return out


def store_confirmed(
    session: Session,
    cycle_id: int,
    question_id: str,
    decisions: Mapping[int, tuple[str, str]],
    *,
    actor: str,
) -> int:
    """Store confirmed codes (agency id → (code, answer text)) in the caller's transaction,
    with one audit row per changed code; returns how many changed."""
    existing = {
        r.agency_id: r
        for r in session.scalars(
            select(CodedAnswer).where(
                CodedAnswer.cycle_id == cycle_id, CodedAnswer.question_id == question_id
            )
        )
    }
    changed = 0
    for agency_id, (code, text) in sorted(decisions.items()):
        sha = answer_hash(text)
        row = existing.get(agency_id)
        if row is not None and row.code == code and row.answer_sha256 == sha:
            continue
        before = None if row is None else row.code
        if row is None:
            session.add(
                CodedAnswer(
                    cycle_id=cycle_id,
                    agency_id=agency_id,
                    question_id=question_id,
                    code=code,
                    answer_sha256=sha,
                    confirmed_by=actor,
                )
            )
        else:
            row.code, row.answer_sha256, row.confirmed_by = code, sha, actor
        record_audit(
            session,
            actor=actor,
            action="code_answer",
            entity="coded_answer",
            entity_key=f"{agency_id}:{question_id}",
            cycle_id=cycle_id,
            details={"old": before, "new": code},
        )
        changed += 1
    session.flush()
    return changed


# -- counting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCount:
    """The coded table of one question: counts per code over a stated base."""

    question_id: str
    base: int
    """Agencies that answered the question (every one is counted once)."""
    rows: list[tuple[str, str, int]]
    """(code, Thai label, count) in the frame's order, then the uncoded row when any."""
    uncoded: dict[int, str] = field(default_factory=dict)
    """Agency id → answer text of the answers with no (current) confirmed code."""


def coded_counts(
    frame: CodeFrame, answers: Mapping[int, str], codes: Mapping[int, str]
) -> CodeCount:
    """Count the confirmed codes of ``answers`` (agency id → text); unconfirmed answers are
    counted under :data:`UNCODED_LABEL_TH` and listed, so the counts always sum to the base."""
    counts = dict.fromkeys(frame.code_ids, 0)
    uncoded: dict[int, str] = {}
    for agency_id, text in sorted(answers.items()):
        code = codes.get(agency_id)
        if code in counts:
            counts[code] += 1
        else:
            uncoded[agency_id] = text
    rows = [(c.code, c.label_th, counts[c.code]) for c in frame.codes]
    if uncoded:
        rows.append((UNCODED_CODE, UNCODED_LABEL_TH, len(uncoded)))
    return CodeCount(frame.question, len(answers), rows, uncoded)


# -- the workbook round trip ---------------------------------------------------------------


def _sheet_name(question_id: str) -> str:
    return question_id[:31]


def write_coding_workbook(
    path: Path,
    frames: Sequence[CodeFrame],
    answers: Mapping[str, pd.DataFrame],
    suggestions: Mapping[str, Mapping[int, Suggestion]],
    confirmed: Mapping[str, Mapping[int, str]],
) -> Path:
    """Write the coding workbook: one sheet per question (``answers[q]``: agency_id, code,
    name_th, text), with suggestions, the codes confirmed so far, a drop-down of the frame's
    codes on the confirmed column, and a sheet listing every frame's codes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    thai = Font(name="TH Sarabun New", size=14)
    bold = Font(name="TH Sarabun New", size=14, bold=True)
    codes_ws = wb.create_sheet("รหัส")
    codes_ws.append(["คำถาม", "รหัส", "ความหมาย", "คำสำคัญ"])
    for frame in frames:
        for c in frame.codes:
            codes_ws.append([frame.question, c.code, c.label_th, ", ".join(c.keywords)])
    for frame in frames:
        ws = wb.create_sheet(_sheet_name(frame.question))
        ws.append(list(HEADERS))
        table = answers.get(frame.question)
        sugg = suggestions.get(frame.question, {})
        done = confirmed.get(frame.question, {})
        records = table.to_dict("records") if table is not None else []
        for row in records:
            agency_id = int(row["agency_id"])
            s = sugg.get(agency_id)
            ws.append(
                [
                    row["code"],
                    row["name_th"],
                    row["text"],
                    s.code if s else None,
                    s.reason_th if s else None,
                    done.get(agency_id),
                ]
            )
        for cells in ws.iter_rows():
            for cell in cells:
                cell.font = bold if cell.row == 1 else thai
                if cell.column == 3:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        for letter, width in zip("ABCDEF", (14, 36, 70, 16, 30, 16), strict=True):
            ws.column_dimensions[letter].width = width
        dv = DataValidation(type="list", formula1='"' + ",".join(frame.code_ids) + '"')
        dv.error = "ใช้รหัสจากแผ่นงาน 'รหัส' เท่านั้น"
        ws.add_data_validation(dv)
        dv.add(f"F2:F{max(ws.max_row, 2)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


@dataclass(frozen=True)
class CodingImport:
    """What a coding workbook holds: per question, agency code → confirmed code."""

    decisions: dict[str, dict[str, str]]
    problems: list[tuple[str, str]]
    """(place ``sheet!cell``, Thai message) — nothing is stored while any exists."""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_coding_workbook(path: Path, frames: Sequence[CodeFrame]) -> CodingImport:
    """Read the confirmed codes back (through :mod:`dgops.tabular`), checking every code
    against its frame; problems are located by sheet and cell, all of them in one pass."""
    from dgops.tabular import ReadLimits, Workbook, column_letter, xlsx_container_problem

    problem = xlsx_container_problem(path, ReadLimits())
    if problem is not None:
        return CodingImport({}, [(path.name, f"เปิดไฟล์ไม่ได้: {problem}")])
    decisions: dict[str, dict[str, str]] = {}
    problems: list[tuple[str, str]] = []
    with Workbook.open(path) as wb:
        names = set(wb.sheet_names)
        for frame in frames:
            sheet = _sheet_name(frame.question)
            if sheet not in names:
                continue
            table = wb.table(sheet)
            rows = list(table.rows)
            if not rows:
                continue
            header = [str(v).strip() if v is not None else "" for v in rows[0][1]]
            if CONFIRMED_HEADER not in header or HEADERS[0] not in header:
                problems.append((f"{sheet}!1", f"ไม่พบหัวคอลัมน์ {HEADERS[0]} และ {CONFIRMED_HEADER}"))
                continue
            col_agency = header.index(HEADERS[0])
            col_code = header.index(CONFIRMED_HEADER)
            out: dict[str, str] = {}
            for number, values in rows[1:]:
                value = values[col_code] if col_code < len(values) else None
                if _blank(value):
                    continue
                agency = values[col_agency] if col_agency < len(values) else None
                code = str(value).strip()
                place = f"{sheet}!{column_letter(col_code)}{number}"
                if code not in frame.code_ids:
                    problems.append((place, f"รหัส {code!r} ไม่อยู่ในกรอบรหัสของคำถาม {frame.question}"))
                    continue
                if _blank(agency):
                    problems.append((place, "ไม่มีรหัสหน่วยงานในแถวนี้"))
                    continue
                out[str(agency).strip()] = code
            decisions[frame.question] = out
    return CodingImport(decisions, problems)


def agency_codes_to_ids(
    decisions: Mapping[str, str], code_to_id: Mapping[str, int], sheet: str
) -> tuple[dict[int, str], list[tuple[str, str]]]:
    """Agency codes of a sheet's decisions → agency ids; unknown codes become problems."""
    out: dict[int, str] = {}
    problems: list[tuple[str, str]] = []
    for agency_code, code in decisions.items():
        agency_id = code_to_id.get(agency_code)
        if agency_id is None:
            problems.append((sheet, f"ไม่พบหน่วยงานรหัส {agency_code} ที่ตอบคำถามนี้"))
        else:
            out[agency_id] = code
    return out, problems


def iter_texts(values: Iterable[tuple[int, Any]]) -> dict[int, str]:
    """Non-empty text answers (agency id → text) of an answer column."""
    return {int(a): str(v).strip() for a, v in values if v is not None and str(v).strip()}
