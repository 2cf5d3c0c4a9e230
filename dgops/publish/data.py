"""Everything the publication reads, gathered once from a cycle's **released** run.

:func:`gather` refuses a cycle without a released run (``dgops.results.ReleaseError`` with the
operator's next step) and reads, in a handful of queries: the enrolled agencies with their
response status, the run's scores, last year's scores in this year's codes (or none), the
national recommendations, the answers of the fact-finding questions and their confirmed codes.
Every table, chart and file of the package is computed from this one object, so the numbers in
the report, the workbook, the slides and the open data cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.configfile import ConfigModel, load_model
from dgops.cycles import get_cycle
from dgops.cycles.models import SurveyCycle
from dgops.fieldwork import RESPONDED
from dgops.framework import Framework, load_framework
from dgops.publish.coding import (
    CodeFrame,
    CodeFrames,
    CodingError,
    confirmed_codes,
    iter_texts,
    load_code_frames,
)
from dgops.recommend import NationalRecommendation
from dgops.registry.models import Agency, CycleAgency
from dgops.responses.models import Response, ResponseStatus
from dgops.results import load_national_recommendations, load_scores, require_released
from dgops.settings import get_settings

__all__ = [
    "RESPONDED",
    "Previous",
    "PreviousLoader",
    "PublicationConfig",
    "PublicationData",
    "gather",
    "load_publication_config",
    "publish_dir",
]


class PublicationConfig(ConfigModel):
    """What a framework's publication shows (``templates/publish/publication-<framework>.yaml``)."""

    fact_finding: list[str] = Field(default_factory=list)
    """Question ids shown as fact-finding tables, in report order (choice or coded text)."""
    code_frames: str | None = None
    """Code frame file (relative to the config file) of the coded free-text questions."""


def publish_dir() -> Path:
    """``templates/publish`` of the configured home."""
    return get_settings().templates_dir / "publish"


def load_publication_config(
    framework_id: str, path: Path | None = None
) -> tuple[PublicationConfig, CodeFrames]:
    """The framework's publication config and code frames (empty when it has no file)."""
    path = path or publish_dir() / f"publication-{framework_id}.yaml"
    if not path.is_file():
        return PublicationConfig(), CodeFrames()
    config = load_model(path, PublicationConfig, error=CodingError)
    frames = (
        load_code_frames(path.parent / config.code_frames) if config.code_frames else CodeFrames()
    )
    return config, frames


@dataclass(frozen=True)
class Previous:
    """Last year's scores in this year's codes (what the comparisons need)."""

    year_be: int
    label_th: str
    scores: pd.DataFrame
    """Long: agency_id, kind, code, score, level."""
    notes_th: list[str] = field(default_factory=list)


PreviousLoader = Callable[[Session, SurveyCycle, Framework], "Previous | None"]


def results_previous(session: Session, cycle: SurveyCycle, framework: Framework) -> Previous | None:
    """Last year from ``dgops.results.previous_year`` (released run or imported published
    scores, mapped through the framework's year-on-year mapping)."""
    from dgops.results import previous_year

    found = previous_year(session, cycle, framework)
    if found is None:
        return None
    return Previous(found.year_be, found.label_th, found.scores, list(found.mapping_notes))


@dataclass(frozen=True)
class PublicationData:
    """One released run and everything around it, read once."""

    cycle_year: int
    cycle_id: int
    run_id: int
    released_at: dt.datetime
    framework: Framework
    agencies: pd.DataFrame
    """Enrolled agencies, index agency id: code, name_th, level, agency_type, mission, ministry,
    province, status, responded, scored."""
    scores: pd.DataFrame
    """The run's long scores (``dgops.results.load_scores``)."""
    previous: Previous | None
    national: list[NationalRecommendation]
    config: PublicationConfig
    frames: CodeFrames
    answers: dict[str, dict[int, object]]
    """Fact-finding question id → agency id → answer (scored agencies that answered)."""
    codes: dict[str, dict[int, str]]
    """Coded question id → agency id → confirmed code (current answers only)."""

    @property
    def version(self) -> str:
        """The package's version: cycle year and run (``2566.r12``)."""
        return f"{self.cycle_year}.r{self.run_id}"

    @property
    def released_on(self) -> dt.date:
        """The release date in Bangkok (the date the package is named by)."""
        from dgops.thai import local_date

        return local_date(self.released_at)

    def frame_of(self, question_id: str) -> CodeFrame | None:
        """The code frame of a coded question, or None."""
        return self.frames.get(question_id)


def _agencies(session: Session, cycle_id: int) -> pd.DataFrame:
    rows = session.execute(
        select(
            Agency.id,
            Agency.code,
            Agency.name_th,
            Agency.level,
            Agency.agency_type,
            Agency.mission,
            Agency.ministry,
            Agency.province,
            Response.status,
        )
        .select_from(CycleAgency)
        .join(Agency, Agency.id == CycleAgency.agency_id)
        .outerjoin(
            Response,
            (Response.agency_id == CycleAgency.agency_id)
            & (Response.cycle_id == CycleAgency.cycle_id),
        )
        .where(CycleAgency.cycle_id == cycle_id)
        .order_by(Agency.code)
    ).all()
    cols = ["agency_id", "code", "name_th", "level", "agency_type", "mission", "ministry"]
    cols += ["province", "status"]
    frame = pd.DataFrame(
        [[getattr(v, "value", v) for v in r] for r in rows], columns=cols
    ).set_index("agency_id")
    frame["status"] = frame["status"].fillna(ResponseStatus.NOT_STARTED.value)
    frame["responded"] = frame["status"].isin(RESPONDED)
    return frame.astype(dict.fromkeys(cols[1:], object))


def _answers(
    session: Session, cycle_id: int, question_ids: list[str], agency_ids: set[int]
) -> dict[str, dict[int, object]]:
    from dgops.responses.models import Answer

    out: dict[str, dict[int, object]] = {q: {} for q in question_ids}
    if not question_ids:
        return out
    rows = session.execute(
        select(Response.agency_id, Answer.question_id, Answer.value)
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.cycle_id == cycle_id, Answer.question_id.in_(question_ids))
        .order_by(Response.agency_id)
    ).all()
    for agency_id, question_id, value in rows:
        if agency_id in agency_ids and value is not None and value != "" and value != []:
            out[question_id][int(agency_id)] = value
    return out


def gather(
    session: Session,
    cycle_year: int,
    *,
    config_path: Path | None = None,
    previous: PreviousLoader = results_previous,
    framework: Framework | None = None,
) -> PublicationData:
    """Read the cycle's released run and everything the package shows (see the module doc).

    Raises ``dgops.results.ReleaseError`` when the cycle has no released run.
    """
    cycle = get_cycle(session, cycle_year)
    run = require_released(session, cycle.id, cycle.year_be)
    assert run.released_at is not None
    fw = framework or load_framework(run.framework_version)
    config, frames = load_publication_config(fw.id, config_path)
    scores = load_scores(session, run.id)
    agencies = _agencies(session, cycle.id)
    scored = {int(a) for a in scores["agency_id"].unique()}
    agencies["scored"] = [int(a) in scored for a in agencies.index]
    known = set(fw.question_ids)
    wanted = [q for q in config.fact_finding if q in known]
    answers = _answers(session, cycle.id, wanted, scored)
    codes: dict[str, dict[int, str]] = {}
    for q in wanted:
        if frames.get(q) is not None:
            texts = iter_texts(answers[q].items())
            answers[q] = dict(texts)
            codes[q] = confirmed_codes(session, cycle.id, q, texts)
    return PublicationData(
        cycle_year=cycle.year_be,
        cycle_id=cycle.id,
        run_id=run.id,
        released_at=run.released_at,
        framework=fw,
        agencies=agencies,
        scores=scores,
        previous=previous(session, cycle, fw),
        national=load_national_recommendations(session, run.id),
        config=config,
        frames=frames,
        answers=answers,
        codes=codes,
    )
