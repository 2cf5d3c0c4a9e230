"""The two steps the CLI and the DAGs call: score a cycle, then recommend from its current run."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dgops.framework import Framework
from dgops.recommend import RuleBook
from dgops.responses.models import ResponseStatus
from dgops.results.answers import load_agencies, load_answers
from dgops.results.models import AgencyRecommendation, ScoreKind, ScoreRun
from dgops.results.release import check_can_score
from dgops.results.store import (
    current_run,
    load_scores,
    store_recommendations,
    store_scores,
)
from dgops.scoring import AnswerIssue

PEER_GROUP: tuple[str, ...] = ("level", "agency_type", "mission")
"""Who an agency is compared with: agencies of the same level, type and mission."""

__all__ = [
    "PEER_GROUP",
    "FrameworkSource",
    "RecommendOutcome",
    "ScoreOutcome",
    "external_inputs_file",
    "level_distribution",
    "recommend_cycle",
    "release_state",
    "score_cycle",
    "score_or_keep",
]


@dataclass(frozen=True)
class FrameworkSource:
    """Where the framework and advice come from: the shipped files of the cycle's framework
    version (default), or a given framework / rules file (tests, trial frameworks)."""

    framework: Framework | None = None
    rules: str | Path | None = None

    def load_framework(self, version: str) -> Framework:
        """The given framework, else the shipped one of ``version``."""
        from dgops.framework import load_framework

        return self.framework if self.framework is not None else load_framework(version)

    def load_rules(self, version: str) -> RuleBook:
        """The given rules file, else the shipped ``rules_<version>.yaml``."""
        from dgops.recommend import load_rules

        return load_rules(self.rules if self.rules is not None else version)


@dataclass
class ScoreOutcome:
    """What ``score_cycle`` did: the run, the scores (long) and answer issues found."""

    run_id: int
    framework_version: str
    n_agencies: int
    scores: pd.DataFrame
    n_issues: int
    input_issues: list[str] = field(default_factory=list)
    """Input problems scored through (lenient runs): e.g. an external key with no data."""


@dataclass
class RecommendOutcome:
    """What ``recommend_cycle`` did."""

    run_id: int
    n_rows: int
    by_class: dict[str, int] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    released: bool = False
    """The run was already released: its recommendations were kept as they are."""


def score_cycle(
    session: Session,
    year: int,
    *,
    actor: str,
    statuses: Iterable[ResponseStatus | str] = (ResponseStatus.VERIFIED,),
    peer_by: Sequence[str] = PEER_GROUP,
    source: FrameworkSource | None = None,
    external: pd.DataFrame | None = None,
    strict: bool = False,
    supersede: bool = False,
    reason: str | None = None,
) -> ScoreOutcome:
    """Score the cycle's responses (default: verified) and store a new current run.

    ``external``: the external inputs (index: agency code; one column per external key, 0..1),
    e.g. from :func:`dgops.scoring.read_external_file`. ``strict`` refuses inputs whose shape
    does not match the framework (:class:`dgops.scoring.ScoringInputError`) — an external key
    with no data, an agency code that is not in the registry — instead of storing a run that
    silently leaves those items out.

    Once the cycle's results are released, a new run needs ``supersede=True`` and a ``reason``
    (:class:`dgops.results.ReleaseError` otherwise); it is a draft until released.
    """
    from dgops.cycles import get_cycle
    from dgops.quality import apply_overrides
    from dgops.scoring import INPUT_REASONS, ScoringInputError, score

    cycle = get_cycle(session, year)
    supersede_reason = check_can_score(
        session, cycle.id, cycle.year_be, supersede=supersede, reason=reason
    )
    framework = (source or FrameworkSource()).load_framework(cycle.framework_version)
    wanted = [ResponseStatus(s) for s in statuses]
    answers = load_answers(session, cycle.id, statuses=wanted, framework=framework)
    answers = apply_overrides(answers, session, cycle.id)  # rejected evidence → "not done"
    ext = None
    if external is not None:
        ext, unknown = _by_agency_id(session, external, answers.index)
        if strict and unknown:
            raise ScoringInputError(
                [AnswerIssue(code, "external", None, "external_code_unknown") for code in unknown]
            )
    result = score(framework, answers, external=ext, strict=strict)
    agencies = load_agencies(session, answers.index.tolist())
    structural = [i for i in result.issues if i.reason in INPUT_REASONS]
    run = store_scores(
        session,
        cycle_id=cycle.id,
        result=result,
        agencies=agencies,
        actor=actor,
        peer_by=peer_by,
        params={
            "statuses": [s.value for s in wanted],
            "issues": len(result.issues) - len(structural),
            "input_issues": [f"{i.question_id}: {i.reason}" for i in structural],
            "external_keys": [] if external is None else [str(c) for c in external.columns],
        },
        supersede_reason=supersede_reason,
    )
    return ScoreOutcome(
        run_id=run.id,
        framework_version=framework.id,
        n_agencies=len(answers),
        scores=load_scores(session, run.id),
        n_issues=len(result.issues) - len(structural),
        input_issues=[f"{i.question_id}: {i.message}" for i in _collapse(structural)],
    )


def _by_agency_id(
    session: Session, external: pd.DataFrame, scored: pd.Index
) -> tuple[pd.DataFrame, list[str]]:
    """``external`` re-indexed from agency codes to the ids of the scored agencies (rows of
    agencies that are not scored are left out), and the codes the registry does not know."""
    from sqlalchemy import select

    from dgops.registry.models import Agency

    codes = [str(c) for c in external.index]
    ids = dict(session.execute(select(Agency.code, Agency.id).where(Agency.code.in_(codes))).all())
    unknown = [c for c in codes if c not in ids]
    out = external.copy()
    out.index = pd.Index([ids.get(c) for c in codes], dtype=object)
    return out[out.index.isin(scored)], unknown


def _collapse(issues: list[AnswerIssue]) -> list[AnswerIssue]:
    """One line per (key, reason): a missing row is reported per agency by the engine."""
    seen: dict[tuple[str, str], AnswerIssue] = {}
    for issue in issues:
        seen.setdefault((issue.question_id, issue.reason), issue)
    return list(seen.values())


def recommend_cycle(
    session: Session,
    year: int,
    *,
    peer_by: Sequence[str] | None = None,
    top_themes: int = 4,
    source: FrameworkSource | None = None,
) -> RecommendOutcome:
    """Classify and advise every agency of the cycle's current run; store it on that run.

    Peers are those of the run's scoring unless ``peer_by`` is given. A released run keeps
    its recommendations (nothing is written; ``released=True``): re-running is safe.
    """
    from dgops.cycles import get_cycle
    from dgops.recommend import ClassifyConfig, national_recommendations, recommend

    cycle = get_cycle(session, year)
    run: ScoreRun | None = current_run(session, cycle.id)
    if run is None:
        raise LookupError(f"cycle {cycle.year_be} has no score run; run `dgops score` first")
    if run.released_at is not None:
        # A released run's advice is what agencies were sent: never changed in place.
        n = session.scalar(
            select(func.count())
            .select_from(AgencyRecommendation)
            .where(AgencyRecommendation.run_id == run.id)
        )
        return RecommendOutcome(run_id=run.id, n_rows=int(n or 0), released=True)
    if peer_by is None:
        peer_by = tuple(run.params.get("peer_by", PEER_GROUP))
    src = source or FrameworkSource()
    framework = src.load_framework(run.framework_version)
    rules = src.load_rules(run.framework_version)
    long = load_scores(session, run.id, ScoreKind.SUB_INDICATOR)
    subs = long.pivot(index="agency_id", columns="code", values="score")
    agencies = load_agencies(session, subs.index.tolist())
    config = ClassifyConfig(peer_by=tuple(peer_by))
    recs = recommend(subs, agencies, framework, rules, config=config)
    national = national_recommendations(subs, framework, rules, top=top_themes)
    n = store_recommendations(session, run.id, recs, national)
    return RecommendOutcome(
        run_id=run.id,
        n_rows=n,
        by_class={str(k): int(v) for k, v in recs["rec_class"].value_counts().items()},
        themes=[x.theme for x in national],
    )


def level_distribution(scores: pd.DataFrame) -> pd.DataFrame:
    """Count and percent of agencies at each level, for overall and each pillar.

    ``scores`` is the long frame of :func:`dgops.results.load_scores`. Index: code; columns
    ``n_1..n_5``, ``pct_1..pct_5``, ``mean``, ``n``.
    """
    part = scores[scores["kind"].isin([ScoreKind.OVERALL.value, ScoreKind.PILLAR.value])]
    counts = (
        pd.crosstab(part["code"], part["level"].astype("float"))
        .reindex(columns=[1.0, 2.0, 3.0, 4.0, 5.0], fill_value=0)
        .astype(int)
    )
    counts.columns = pd.Index([f"n_{k}" for k in range(1, 6)])
    total = counts.sum(axis=1)
    for k in range(1, 6):
        counts[f"pct_{k}"] = (100 * counts[f"n_{k}"] / total.where(total > 0)).fillna(0.0)
    counts["mean"] = part.groupby("code")["score"].mean()
    counts["n"] = total
    order = ["overall", *[c for c in counts.index if c != "overall"]]
    return counts.reindex([c for c in order if c in counts.index])


def score_or_keep(
    session: Session,
    year: int,
    *,
    actor: str,
    reason: str | None = None,
    external: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Score the cycle into a draft run, unless a release stands (what a re-run of the results
    DAG must do): with released results and no ``reason`` the current run is kept; with a
    ``reason`` the released results are superseded by a new draft."""
    from dgops.cycles import get_cycle
    from dgops.results.release import released_run

    cycle = get_cycle(session, year)
    released = released_run(session, cycle.id)
    if released is not None and not reason:
        current = current_run(session, cycle.id)
        keep = current if current is not None else released
        return {
            "cycle_year": cycle.year_be,
            "run_id": keep.id,
            "scored": False,
            "n_agencies": keep.n_agencies,
        }
    out = score_cycle(
        session,
        cycle.year_be,
        actor=actor,
        external=external,
        strict=True,
        supersede=released is not None,
        reason=reason,
    )
    return {
        "cycle_year": cycle.year_be,
        "run_id": out.run_id,
        "scored": True,
        "n_agencies": out.n_agencies,
    }


def external_inputs_file(var_dir: Path, year_be: int) -> Path | None:
    """The external-inputs file an operator left for the year's scoring run by the DAG:
    ``<var_dir>/inbox/external-<year>.csv`` (or ``.xlsx``), or None."""
    for suffix in (".csv", ".xlsx"):
        path = var_dir / "inbox" / f"external-{year_be}{suffix}"
        if path.is_file():
            return path
    return None


def release_state(session: Session, year: int, run_id: int) -> int | None:
    """The released run's id once ``run_id`` (or a later run) of the cycle is released."""
    from dgops.cycles import get_cycle
    from dgops.results.release import released_run

    released = released_run(session, get_cycle(session, year).id)
    return released.id if released is not None and released.id >= run_id else None
