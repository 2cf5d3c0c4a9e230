"""Answers and external inputs from files, for analysts who score outside the survey database.

``dgops score file`` reads a wide table (one row per agency, one column per question id) and an
optional external-inputs table (one row per agency, one column per external key, values 0..1),
both CSV or XLSX through :mod:`dgops.tabular`. Cells are parsed by the question's type into the
answer format of docs/framework-format.md; a cell that cannot be parsed is not guessed at: it is
reported with its file, sheet and cell and the whole file is refused.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from dgops.framework import Framework, Question
from dgops.scoring.engine import ScoreResult
from dgops.tabular import Table, TableError, column_letter, is_blank, read_table

__all__ = [
    "AGENCY_HEADERS",
    "ScoreFileError",
    "read_answers_file",
    "read_external_file",
    "result_tables",
    "write_result",
]

AGENCY_HEADERS = ("agency", "agency_code", "code", "รหัสหน่วยงาน")
"""Headers accepted for the column that identifies the agency (its code, kept as text)."""


@dataclass(frozen=True)
class _Place:
    file: str
    sheet: str | None
    row: int
    column: int

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.sheet:
            where += f" › {self.sheet}"
        return f"{where} › {column_letter(self.column)}{self.row}"


class ScoreFileError(ValueError):
    """A scoring input file cannot be used; ``problems`` lists each located problem."""

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        self.file = file
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _table(path: Path) -> Table:
    try:
        return read_table(path)
    except TableError as exc:
        raise ScoreFileError(
            path.name, [f"{path.name}: อ่านไฟล์ไม่ได้ (cannot read the file: {exc})"]
        ) from None


def _header(table: Table, path: Path) -> tuple[int, list[str]]:
    """Position in ``table.rows`` of the header row (the first filled one) and its names."""
    start = table.first_filled()
    if start is None:
        raise ScoreFileError(path.name, [f"{path.name}: ไฟล์ว่าง (the file has no rows)"])
    names = ["" if v is None else str(v).strip() for v in table.rows[start][1]]
    return start, names


def _agency_column(names: list[str], table: Table, path: Path) -> int:
    found = [i for i, n in enumerate(names) if n.lower() in AGENCY_HEADERS]
    row = table.rows[table.first_filled() or 0][0]
    if len(found) != 1:
        what = "ไม่มี" if not found else "มีมากกว่าหนึ่ง"
        raise ScoreFileError(
            path.name,
            [
                f"{_Place(path.name, table.sheet, row, found[1] if found else 0)}: "
                f"{what}คอลัมน์รหัสหน่วยงาน (expected exactly one agency column named one of "
                f"{', '.join(AGENCY_HEADERS)})"
            ],
        )
    return found[0]


def _code(value: Any) -> str | None:
    """An agency code as text; a number is refused (a spreadsheet drops leading zeros)."""
    if isinstance(value, str):
        return value.strip() or None
    return None


def _rows(
    path: Path, table: Table, names: list[str], start: int, key: int
) -> tuple[list[str], list[list[Any]], list[str], list[list[_Place]]]:
    codes: list[str] = []
    values: list[list[Any]] = []
    places: list[list[_Place]] = []
    problems: list[str] = []
    seen: dict[str, _Place] = {}
    for number, row in table.rows[start + 1 :]:
        if is_blank(row):
            continue
        cells = list(row) + [None] * (len(names) - len(row))
        for i, value in enumerate(cells):
            if (i >= len(names) or not names[i]) and not is_blank([value]):
                problems.append(
                    f"{_Place(path.name, table.sheet, number, i)}: มีค่า {value!r} ในคอลัมน์ที่ไม่มี"
                    "หัวตาราง (a value in a column without a header: name the column or clear it)"
                )
        here = _Place(path.name, table.sheet, number, key)
        raw = cells[key]
        code = _code(raw)
        if code is None:
            shown = "ว่าง (blank)" if raw is None else f"{raw!r}"
            problems.append(
                f"{here}: รหัสหน่วยงานต้องเป็นข้อความ พบ {shown} (an agency code must be text, "
                "as typed, so that leading zeros are kept; format the column as Text)"
            )
            continue
        if code in seen:
            problems.append(f"{here}: รหัสหน่วยงาน {code} ซ้ำกับ {seen[code]} (duplicate code)")
            continue
        seen[code] = here
        codes.append(code)
        values.append(cells)
        places.append([_Place(path.name, table.sheet, number, i) for i in range(len(names))])
    return codes, values, problems, places


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if math.isnan(value) else float(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            return float(text)
        except ValueError:
            return None
    return None


def _answer(q: Question, value: Any) -> tuple[Any, bool]:
    """``value`` in the engine's answer format for ``q`` → (answer, understood)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    if q.type in ("number", "percentage"):
        number = _number(value)
        return number, number is not None
    if q.type == "multiple_choice":
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    parsed = json.loads(text)
                except ValueError:
                    return None, False
                ok = isinstance(parsed, list) and all(isinstance(p, str) for p in parsed)
                return (parsed, True) if ok else (None, False)
            return [p.strip() for p in text.split(";") if p.strip()], True
        return None, False
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an option id typed as a number: "1"
    return str(value).strip(), True


def read_answers_file(path: Path, framework: Framework) -> pd.DataFrame:
    """A wide answers table (agency column + one column per question id) as the engine's
    ``answers`` frame, indexed by agency code. Columns that match no question are kept: the
    engine reports them (``unknown_column``); cells that cannot be read are refused here."""
    table = _table(path)
    start, names = _header(table, path)
    key = _agency_column(names, table, path)
    codes, rows, problems, places = _rows(path, table, names, start, key)
    by_id = {q.id: q for q in framework.questions}
    data: dict[str, list[Any]] = {}
    for i, name in enumerate(names):
        if i == key or not name:
            continue
        q = by_id.get(name)
        column: list[Any] = []
        for r, cells in enumerate(rows):
            if q is None:
                column.append(cells[i])
                continue
            value = cells[i]
            shown_as_percent = "%" in table.formats.get((places[r][i].row, i), "")
            if q.type == "percentage" and isinstance(value, int | float) and shown_as_percent:
                # A cell shown as 85 % holds 0.85: the answer is what the person saw.
                value = round(float(value) * 100, 10)
            answer, ok = _answer(q, value)
            if not ok:
                problems.append(
                    f"{places[r][i]}: คำตอบของ {q.id} อ่านไม่ได้ {cells[i]!r} "
                    f"(cannot read this {q.type} answer)"
                )
            column.append(answer)
        data[name] = column
    if problems:
        raise ScoreFileError(path.name, problems)
    return pd.DataFrame(data, index=pd.Index(codes, name="agency"), dtype=object)


def read_external_file(path: Path) -> pd.DataFrame:
    """External inputs (agency column + one column per external key, numbers 0..1), indexed
    by agency code. Blank cells are missing; text is refused with its cell."""
    table = _table(path)
    start, names = _header(table, path)
    key = _agency_column(names, table, path)
    codes, rows, problems, places = _rows(path, table, names, start, key)
    data: dict[str, list[float]] = {}
    for i, name in enumerate(names):
        if i == key or not name:
            continue
        column: list[float] = []
        for r, cells in enumerate(rows):
            value = cells[i]
            if value is None or (isinstance(value, str) and not value.strip()):
                column.append(math.nan)
                continue
            number = _number(value)
            if number is None:
                problems.append(
                    f"{places[r][i]}: ค่า {name} ต้องเป็นตัวเลข 0 ถึง 1 พบ {value!r} "
                    "(an external input must be a number from 0 to 1)"
                )
                number = math.nan
            column.append(number)
        data[name] = column
    if problems:
        raise ScoreFileError(path.name, problems)
    return pd.DataFrame(data, index=pd.Index(codes, name="agency"), dtype=float)


def result_tables(result: ScoreResult) -> dict[str, pd.DataFrame]:
    """The tables an analyst reads: ``scores`` (one row per agency: overall, level, group,
    pillars, sub-indicators) and ``issues`` (every issue with its reason in Thai and English)."""
    scores = result.to_frame().reset_index(names="agency")
    return {"scores": scores, "issues": result.issues_frame()}


def write_result(result: ScoreResult, path: Path) -> list[Path]:
    """Write the tables of :func:`result_tables`: one XLSX with a sheet each (``.xlsx``), or
    two CSV files (``<stem>.csv`` and ``<stem>-issues.csv``, UTF-8 with BOM for Excel)."""
    tables = result_tables(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for name, frame in tables.items():
                frame.to_excel(writer, sheet_name=name, index=False)
        return [path]
    issues = path.with_name(f"{path.stem}-issues.csv")
    tables["scores"].to_csv(path, index=False, encoding="utf-8-sig")
    tables["issues"].to_csv(issues, index=False, encoding="utf-8-sig")
    return [path, issues]
