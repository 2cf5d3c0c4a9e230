"""The coding round trip against the database: export answers with suggestions, import the
operator's confirmed codes (``dgops coding export`` / ``dgops coding import``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.cycles import get_cycle
from dgops.framework import Framework, load_framework
from dgops.publish.coding import (
    CodeFrame,
    CodingError,
    agency_codes_to_ids,
    confirmed_codes,
    iter_texts,
    read_coding_workbook,
    store_confirmed,
    suggest_codes,
    write_coding_workbook,
)
from dgops.publish.data import RESPONDED, load_publication_config
from dgops.registry.models import Agency
from dgops.responses.models import Answer, Response

__all__ = ["CodingExport", "CodingOutcome", "export_coding", "import_coding"]


@dataclass(frozen=True)
class CodingExport:
    """What ``export_coding`` wrote: per question, answers / suggested / already confirmed."""

    path: Path
    counts: dict[str, tuple[int, int, int]]


@dataclass(frozen=True)
class CodingOutcome:
    """What ``import_coding`` stored: per question, confirmed codes in the file / changed."""

    counts: dict[str, tuple[int, int]]


def _frames(
    session: Session, cycle_year: int, config_path: Path | None, framework: Framework | None
) -> tuple[int, list[CodeFrame]]:
    cycle = get_cycle(session, cycle_year)
    framework = framework or load_framework(cycle.framework_version)
    _, frames = load_publication_config(framework.id, config_path)
    known = set(framework.question_ids)
    unknown = [f.question for f in frames.frames if f.question not in known]
    if unknown:
        raise CodingError(
            "code frames",
            [("", f"ไม่มีคำถาม {', '.join(unknown)} ในกรอบการประเมิน {framework.id}")],
        )
    if not frames.frames:
        raise CodingError(
            "code frames", [("", f"กรอบการประเมิน {framework.id} ไม่มีกรอบรหัสคำตอบ (code frame)")]
        )
    return cycle.id, list(frames.frames)


def _answers(session: Session, cycle_id: int, question_id: str) -> pd.DataFrame:
    rows = session.execute(
        select(Response.agency_id, Agency.code, Agency.name_th, Answer.value)
        .join(Answer, Answer.response_id == Response.id)
        .join(Agency, Agency.id == Response.agency_id)
        .where(
            Response.cycle_id == cycle_id,
            Response.status.in_(RESPONDED),
            Answer.question_id == question_id,
        )
        .order_by(Agency.code)
    ).all()
    texts = iter_texts((r[0], r[3]) for r in rows)
    return pd.DataFrame(
        [(r[0], r[1], r[2], texts[r[0]]) for r in rows if r[0] in texts],
        columns=["agency_id", "code", "name_th", "text"],
    )


def export_coding(
    session: Session,
    cycle_year: int,
    path: Path,
    *,
    config_path: Path | None = None,
    framework: Framework | None = None,
) -> CodingExport:
    """Write the coding workbook of the cycle's coded questions (answers of every responding
    agency, suggestions, codes confirmed so far)."""
    cycle_id, frames = _frames(session, cycle_year, config_path, framework)
    answers, suggestions, confirmed, counts = {}, {}, {}, {}
    for frame in frames:
        table = _answers(session, cycle_id, frame.question)
        texts = dict(zip(table["agency_id"].astype(int), table["text"], strict=True))
        done = confirmed_codes(session, cycle_id, frame.question, texts)
        sugg = suggest_codes(frame, texts, done)
        answers[frame.question] = table
        suggestions[frame.question] = sugg
        confirmed[frame.question] = done
        counts[frame.question] = (len(texts), sum(1 for s in sugg.values() if s.code), len(done))
    write_coding_workbook(path, frames, answers, suggestions, confirmed)
    return CodingExport(path, counts)


def import_coding(
    session: Session,
    cycle_year: int,
    path: Path,
    *,
    actor: str,
    config_path: Path | None = None,
    framework: Framework | None = None,
) -> CodingOutcome:
    """Store the confirmed codes of a coding workbook, or store nothing and raise
    :class:`CodingError` listing every problem (sheet and cell)."""
    cycle_id, frames = _frames(session, cycle_year, config_path, framework)
    read = read_coding_workbook(path, frames)
    problems = list(read.problems)
    plans: dict[str, dict[int, tuple[str, str]]] = {}
    for frame in frames:
        decisions = read.decisions.get(frame.question)
        if decisions is None:
            continue
        table = _answers(session, cycle_id, frame.question)
        by_code = dict(zip(table["code"], table["agency_id"].astype(int), strict=True))
        texts = dict(zip(table["agency_id"].astype(int), table["text"], strict=True))
        ids, bad = agency_codes_to_ids(decisions, by_code, frame.question)
        problems.extend(bad)
        plans[frame.question] = {a: (code, texts[a]) for a, code in ids.items()}
    if problems:
        raise CodingError(path.name, problems)
    counts = {
        q: (len(plan), store_confirmed(session, cycle_id, q, plan, actor=actor))
        for q, plan in plans.items()
    }
    return CodingOutcome(counts)
