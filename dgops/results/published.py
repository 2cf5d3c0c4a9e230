"""Import an earlier year's published results, for year-on-year comparisons from the first year.

The first year run in dgops has no earlier dgops year, but DGA published earlier results.
``dgops results import-previous --year Y FILE`` loads them from XLSX/ODS/CSV (through
:mod:`dgops.tabular`): one row per agency, an agency-code column (text), ``overall`` and
``overall_level``, and one column per pillar or sub-indicator code of that year's framework
(``P1``, ``P1.1``...) with optional ``<code>_level``. Descriptive columns (name, ministry...) are
allowed and ignored; any other column is refused, as is every unreadable cell, each with its
file, sheet and cell. Scores are 0–100 as published (a cell formatted as a percentage is read
as shown: 85 % is 85).

Agencies renamed or merged since are matched with a mapping file (``old_code,new_code``);
several old codes onto one new code give the mean of their scores (listed in the outcome).
Agencies that match nothing in the registry are listed and not imported. The import replaces
the year's published scores in one transaction, with an audit row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from dgops.db import record_audit
from dgops.framework import Framework
from dgops.registry.models import Agency
from dgops.results.models import PublishedScore, ScoreKind
from dgops.scoring import AGENCY_HEADERS
from dgops.tabular import Table, TableError, column_letter, is_blank, read_table

__all__ = [
    "DESCRIPTIVE_HEADERS",
    "PublishedImport",
    "PublishedScoresError",
    "import_published",
    "read_agency_map",
    "read_published",
]

OVERALL_HEADERS = ("overall", "คะแนนภาพรวม")
DESCRIPTIVE_HEADERS = (
    "name",
    "name_th",
    "agency_name",
    "ชื่อหน่วยงาน",
    "ministry",
    "สังกัด",
    "province",
    "จังหวัด",
    "level",
    "ระดับหน่วยงาน",
    "type",
    "ประเภท",
    "mission",
    "ภารกิจ",
    "rank",
    "ลำดับ",
)
"""Headers of columns that describe the agency: read past, never imported."""
_LEVEL_NAMES = {"ริเริ่ม": 1, "ขั้นต้น": 2, "ขั้นกลาง": 3, "ขั้นสูง": 4, "ขั้นสูงสุด": 5}


class PublishedScoresError(ValueError):
    """The file cannot be imported; ``problems`` lists every located problem."""

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        self.file = file
        self.problems = list(problems)
        super().__init__(f"{file}: {len(self.problems)} problem(s)\n" + "\n".join(self.problems))


@dataclass
class PublishedImport:
    """What an import read and wrote."""

    year_be: int
    file: str
    sheet: str | None
    rows: int = 0
    agencies: int = 0
    scores: int = 0
    columns: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    """Codes in the file that match no agency of the registry (not imported)."""
    merged: dict[str, list[str]] = field(default_factory=dict)
    """New code → the old codes whose mean it took."""
    replaced: int = 0
    """Rows of the year that were there before (replaced)."""


def _where(table: Table, row: int, col: int) -> str:
    sheet = f" › {table.sheet}" if table.sheet else ""
    return f"{table.file}{sheet} › {column_letter(col)}{row}"


def _read(path: Path) -> Table:
    try:
        return read_table(path)
    except TableError as exc:
        raise PublishedScoresError(
            path.name, [f"{path.name}: cannot read the file ({exc})"]
        ) from None


def _fmt(value: Any) -> str:
    """A cell as the operator typed it (spreadsheets return 2 as 2.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _code(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _score(value: Any) -> float | str | None:
    """A score 0–100, None for blank, or a string saying why the cell is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "not a number"
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if text in {"-", "–"}:
            return None
        try:
            value = float(text.removesuffix("%"))
        except ValueError:
            return "not a number"
    if not isinstance(value, int | float) or math.isnan(value):
        return "not a number"
    if not 0 <= value <= 100:
        return f"{_fmt(value)} is outside 0–100"
    return float(value)


def _level(value: Any) -> int | str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip() in _LEVEL_NAMES:
        return _LEVEL_NAMES[value.strip()]
    try:
        number = float(str(value).strip())
    except ValueError:
        return "not a level (1–5 or its Thai name)"
    if not number.is_integer() or not 1 <= number <= 5:
        return f"{_fmt(value)} is not a level 1–5"
    return int(number)


def _targets(framework: Framework | None) -> dict[str, str]:
    """Score column → kind, for the codes of ``framework`` (None: codes are taken as given)."""
    out = {"overall": ScoreKind.OVERALL.value}
    if framework is not None:
        for pillar in framework.pillars:
            out[pillar.code] = ScoreKind.PILLAR.value
            for sub in pillar.sub_indicators:
                out[sub.code] = ScoreKind.SUB_INDICATOR.value
    return out


_PILLAR = re.compile(r"^P\d+$")
_SUB = re.compile(r"^P\d+\.\d+$")


def read_published(
    path: Path, framework: Framework | None
) -> tuple[list[tuple[str, str, str, float | None, int | None]], PublishedImport]:
    """Rows (agency code, kind, code, score, level) of a published-results file.

    With ``framework`` (that year's), every score column must be one of its codes; without,
    columns named like ``P1`` / ``P1.1`` are taken as pillars / sub-indicators.
    """
    table = _read(path)
    report = PublishedImport(year_be=0, file=path.name, sheet=table.sheet)
    start = table.first_filled()
    if start is None:
        raise PublishedScoresError(path.name, [f"{path.name}: the file has no rows"])
    header_row, header = table.rows[start]
    names = ["" if v is None else str(v).strip() for v in header]
    problems: list[str] = []
    targets = _targets(framework)
    agency_cols = [i for i, n in enumerate(names) if n.lower() in AGENCY_HEADERS]
    if len(agency_cols) != 1:
        problems.append(
            f"{_where(table, header_row, agency_cols[1] if agency_cols else 0)}: expected exactly "
            f"one agency-code column (named one of {', '.join(AGENCY_HEADERS)})"
        )
    columns: dict[int, tuple[str, str, bool]] = {}  # col → (kind, code, is_level)
    for i, name in enumerate(names):
        if not name or i in agency_cols or name.lower() in DESCRIPTIVE_HEADERS:
            continue
        base, is_level = name, False
        for suffix in ("_level", " level"):
            if name.lower().endswith(suffix):
                base, is_level = name[: -len(suffix)], True
        if base == "ระดับภาพรวม":
            base, is_level = "overall", True
        if base.lower() in OVERALL_HEADERS:
            base = "overall"
        kind = targets.get(base)
        if kind is None and framework is None:
            kind = (
                ScoreKind.PILLAR.value
                if _PILLAR.match(base)
                else ScoreKind.SUB_INDICATOR.value
                if _SUB.match(base)
                else None
            )
        if kind is None:
            known = "" if framework is None else f" of framework {framework.id}"
            problems.append(
                f"{_where(table, header_row, i)}: column {name!r} is not a score column{known} "
                "(overall, a pillar or sub-indicator code, <code>_level) nor a descriptive one"
            )
            continue
        columns[i] = (kind, base, is_level)
    if "overall" not in {c for _, c, lv in columns.values() if not lv}:
        problems.append(f"{_where(table, header_row, 0)}: no 'overall' score column")
    if problems:
        raise PublishedScoresError(path.name, problems)
    key = agency_cols[0]
    seen: dict[str, int] = {}
    values: dict[tuple[str, str, str], list[Any]] = {}
    n_fraction = n_numbers = 0
    for number, row in table.rows[start + 1 :]:
        if is_blank(row):
            continue
        cells = list(row) + [None] * (len(names) - len(row))
        code = _code(cells[key])
        if code is None:
            problems.append(
                f"{_where(table, number, key)}: the agency code must be text as typed "
                f"(found {_fmt(cells[key])}; format the column as Text to keep leading zeros)"
            )
            continue
        if code in seen:
            problems.append(f"{_where(table, number, key)}: code {code} repeats row {seen[code]}")
            continue
        seen[code] = number
        report.rows += 1
        for i, (kind, col_code, is_level) in columns.items():
            raw = cells[i]
            fmt = table.formats.get((number, i), "")
            if isinstance(raw, int | float) and not isinstance(raw, bool) and "%" in fmt:
                raw = round(raw * 100, 10)  # shown as a percentage: 0.85 is 85
            parsed = _level(raw) if is_level else _score(raw)
            if isinstance(parsed, str):
                problems.append(f"{_where(table, number, i)}: {parsed} ({_fmt(raw)})")
                continue
            slot = values.setdefault((code, kind, col_code), [None, None])
            slot[1 if is_level else 0] = parsed
            if not is_level and parsed is not None:
                n_numbers += 1
                n_fraction += parsed <= 1
    if n_numbers and n_fraction == n_numbers:
        problems.append(
            f"{path.name}: every score is between 0 and 1 — published scores are 0–100; "
            "multiply by 100 (or format the cells as percentages) and import again"
        )
    if problems:
        raise PublishedScoresError(path.name, problems)
    report.columns = sorted({c for _, c, _ in columns.values()})
    rows = [(a, k, c, v[0], v[1]) for (a, k, c), v in values.items()]
    return rows, report


def read_agency_map(path: Path) -> dict[str, str]:
    """Old code → new code from a two-column file (``old_code``, ``new_code``)."""
    table = _read(path)
    start = table.first_filled()
    if start is None:
        raise PublishedScoresError(path.name, [f"{path.name}: the file has no rows"])
    header_row, header = table.rows[start]
    names = [str(v).strip().lower() if v is not None else "" for v in header]
    problems: list[str] = []
    if "old_code" not in names or "new_code" not in names:
        raise PublishedScoresError(
            path.name,
            [f"{_where(table, header_row, 0)}: expected columns old_code and new_code"],
        )
    old_i, new_i = names.index("old_code"), names.index("new_code")
    out: dict[str, str] = {}
    for number, row in table.rows[start + 1 :]:
        if is_blank(row):
            continue
        cells = list(row) + [None] * (len(names) - len(row))
        old, new = _code(cells[old_i]), _code(cells[new_i])
        if old is None or new is None:
            problems.append(f"{_where(table, number, old_i)}: both codes are needed, as text")
            continue
        if old in out and out[old] != new:
            problems.append(f"{_where(table, number, old_i)}: {old} is mapped twice")
            continue
        out[old] = new
    if problems:
        raise PublishedScoresError(path.name, problems)
    return out


def import_published(
    session: Session,
    year_be: int,
    path: Path,
    *,
    actor: str,
    framework: Framework | None = None,
    agency_map: dict[str, str] | None = None,
) -> PublishedImport:
    """Replace ``year_be``'s published scores with those of ``path`` (caller's transaction)."""
    rows, report = read_published(path, framework)
    report.year_be = year_be
    mapping = agency_map or {}
    codes = {r[0] for r in rows}
    targets = {c: mapping.get(c, c) for c in codes}
    ids = dict(
        session.execute(
            select(Agency.code, Agency.id).where(Agency.code.in_(set(targets.values())))
        ).all()
    )
    report.unmatched = sorted(c for c, t in targets.items() if t not in ids)
    sources: dict[str, list[str]] = {}
    for old, new in targets.items():
        if new in ids:
            sources.setdefault(new, []).append(old)
    report.merged = {new: sorted(olds) for new, olds in sources.items() if len(olds) > 1}
    grouped: dict[tuple[int, str, str], list[tuple[float | None, int | None]]] = {}
    for code, kind, col, score, level in rows:
        new = targets[code]
        if new in ids:
            grouped.setdefault((ids[new], kind, col), []).append((score, level))
    out = []
    for (agency_id, kind, col), items in grouped.items():
        scores = [s for s, _ in items if s is not None]
        levels = [lv for _, lv in items if lv is not None]
        merged = len(items) > 1
        out.append(
            {
                "year_be": year_be,
                "agency_id": agency_id,
                "kind": ScoreKind(kind),
                "code": col,
                "score": sum(scores) / len(scores) if scores else None,
                # A merged agency has no published level of its own: its mean is not banded.
                "level": None if merged else (levels[0] if levels else None),
                "source": path.name[:300],
            }
        )
    report.replaced = len(
        session.scalars(
            select(PublishedScore.agency_id).where(PublishedScore.year_be == year_be)
        ).all()
    )
    session.execute(delete(PublishedScore).where(PublishedScore.year_be == year_be))
    for start in range(0, len(out), 5000):
        session.execute(insert(PublishedScore), out[start : start + 5000])
    report.scores = len(out)
    report.agencies = len({r["agency_id"] for r in out})
    record_audit(
        session,
        actor=actor,
        action="import_published_scores",
        entity="published_score",
        entity_key=str(year_be),
        details={
            "file": path.name,
            "agencies": report.agencies,
            "scores": report.scores,
            "unmatched": len(report.unmatched),
            "merged": len(report.merged),
            "replaced": report.replaced,
        },
    )
    return report
