"""Storing scoring results: one run per scoring of a cycle, superseding the previous run.

``store_scores`` writes a :class:`~dgops.results.models.ScoreRun` and every agency's overall, pillar
and sub-indicator scores (full precision) with levels, group band and ranks, in bulk and inside
the caller's transaction. A new run marks the cycle's current run superseded (a partial unique
index guarantees one current run per cycle); runs superseded longer ago than ``keep_history``
runs are deleted with their rows. ``store_recommendations`` replaces a run's recommendations.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from dgops.recommend import NationalRecommendation as NationalAdvice
from dgops.results.models import (
    AgencyRecommendation,
    NationalRecommendation,
    ScoreKind,
    ScoreRun,
    ScoreRunStatus,
    ScoreValue,
)
from dgops.scoring import ScoreResult

__all__ = [
    "CHUNK",
    "current_run",
    "load_national_recommendations",
    "load_recommendations",
    "load_scores",
    "score_long_frame",
    "store_recommendations",
    "store_scores",
]

CHUNK = 5_000
"""Rows per INSERT batch (executemany through SQLAlchemy's insertmanyvalues)."""


def _chunks(
    rows: Sequence[dict[str, Any]], size: int = CHUNK
) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _none(value: Any) -> Any:
    """NaN / NA → None; numpy scalars → Python scalars."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _peer_key(agencies: pd.DataFrame, by: Sequence[str]) -> pd.Series:
    if not by:
        return pd.Series("all", index=agencies.index, dtype=object)
    key = agencies[by[0]].astype(object).where(agencies[by[0]].notna(), "-").astype(str)
    for col in by[1:]:
        key = key + "|" + agencies[col].astype(object).where(agencies[col].notna(), "-").astype(str)
    return key


def score_long_frame(
    result: ScoreResult,
    agencies: pd.DataFrame,
    peer_by: Sequence[str] = ("level",),
) -> pd.DataFrame:
    """Every score of ``result`` as rows: agency_id, kind, code, score, level, group_code,
    rank_national, rank_peer, peer_size — the shape of the ``score_value`` table.

    Ranks: 1 = highest score, ties share the lowest rank (90, 80, 80, 70 → 1, 2, 2, 4), among
    all scored agencies and within the peer group (agencies equal on ``peer_by``).
    Sub-indicator levels use the framework's maturity bands (none for an index without levels).
    """
    from dgops.recommend import score_levels

    ids = result.overall.index
    parts = [
        pd.DataFrame(
            {
                "agency_id": ids,
                "kind": ScoreKind.OVERALL.value,
                "code": "overall",
                "score": result.overall.to_numpy(dtype=float),
                "level": result.overall_level.astype("Float64").to_numpy(
                    dtype=float, na_value=np.nan
                ),
                "group_code": result.group.to_numpy(dtype=object),
            }
        )
    ]
    for kind, scores, levels in (
        (ScoreKind.PILLAR, result.pillars, result.pillar_levels.astype("Float64")),
        (
            ScoreKind.SUB_INDICATOR,
            result.sub_indicators,
            score_levels(result.sub_indicators, result.level_bands),
        ),
    ):
        if scores.shape[1] == 0:
            continue
        n, m = scores.shape
        parts.append(
            pd.DataFrame(
                {
                    "agency_id": np.repeat(scores.index.to_numpy(), m),
                    "kind": kind.value,
                    "code": np.tile(np.asarray(scores.columns, dtype=object), n),
                    "score": scores.to_numpy(dtype=float).ravel(),
                    "level": levels.to_numpy(dtype=float, na_value=np.nan).ravel(),
                    "group_code": None,
                }
            )
        )
    long = pd.concat(parts, ignore_index=True)
    peer = long["agency_id"].map(_peer_key(agencies.reindex(ids), list(peer_by)))
    by_code = long.groupby(["kind", "code"], sort=False)["score"]
    long["rank_national"] = by_code.rank(method="min", ascending=False)
    by_peer = long.groupby([long["kind"], long["code"], peer], sort=False)["score"]
    long["rank_peer"] = by_peer.rank(method="min", ascending=False)
    long["peer_size"] = by_peer.transform("count").where(long["score"].notna())
    return long


def store_scores(
    session: Session,
    *,
    cycle_id: int,
    result: ScoreResult,
    agencies: pd.DataFrame,
    actor: str,
    peer_by: Sequence[str] = ("level",),
    params: dict[str, Any] | None = None,
    keep_history: int = 2,
    supersede_reason: str | None = None,
) -> ScoreRun:
    """Write a new current run of ``cycle_id`` with every score of ``result``; returns the run.

    Levels come from the engine (sub-indicator levels by the framework's bands). Runs in the
    caller's transaction; the previous current run
    becomes superseded, and unreleased superseded runs beyond the newest ``keep_history`` are
    deleted (a released run is never deleted: letters refer to it).
    """
    session.execute(
        update(ScoreRun)
        .where(ScoreRun.cycle_id == cycle_id, ScoreRun.status == ScoreRunStatus.CURRENT)
        .values(status=ScoreRunStatus.SUPERSEDED)
    )
    old = session.scalars(
        select(ScoreRun.id)
        .where(
            ScoreRun.cycle_id == cycle_id,
            ScoreRun.status == ScoreRunStatus.SUPERSEDED,
            ScoreRun.released_at.is_(None),
        )
        .order_by(ScoreRun.id.desc())
        .offset(keep_history)
    ).all()
    if old:
        for table in (ScoreValue, AgencyRecommendation, NationalRecommendation):
            session.execute(delete(table).where(table.run_id.in_(old)))
        session.execute(delete(ScoreRun).where(ScoreRun.id.in_(old)))

    run = ScoreRun(
        cycle_id=cycle_id,
        framework_version=result.framework_id,
        actor=actor,
        status=ScoreRunStatus.CURRENT,
        n_agencies=len(result.overall),
        params={"peer_by": list(peer_by), **(params or {})},
        supersede_reason=supersede_reason,
    )
    session.add(run)
    session.flush()

    long = score_long_frame(result, agencies, peer_by)
    cols = ["agency_id", "kind", "code", "score", "level", "group_code"]
    cols += ["rank_national", "rank_peer", "peer_size"]
    ints = {"agency_id", "level", "rank_national", "rank_peer", "peer_size"}
    rows = []
    for rec in zip(*(long[c].to_numpy(dtype=object) for c in cols), strict=True):
        row: dict[str, Any] = {"run_id": run.id}
        for name, value in zip(cols, rec, strict=True):
            v = _none(value)
            row[name] = int(v) if name in ints and v is not None else v
        rows.append(row)
    for chunk in _chunks(rows):
        session.execute(insert(ScoreValue), chunk)
    return run


def store_recommendations(
    session: Session,
    run_id: int,
    recommendations: pd.DataFrame,
    national: Iterable[NationalAdvice] = (),
) -> int:
    """Replace the run's agency and national recommendations; returns agency rows written.

    ``recommendations`` is the frame of :func:`dgops.recommend.recommend`.
    """
    session.execute(delete(AgencyRecommendation).where(AgencyRecommendation.run_id == run_id))
    session.execute(delete(NationalRecommendation).where(NationalRecommendation.run_id == run_id))
    cols = ["agency_id", "sub_indicator", "pillar", "rec_class", "rank", "score", "peer_mean"]
    cols += ["impact", "level", "advice_th", "lead_unit", "support_units"]
    ints = {"agency_id", "rank", "level"}
    rows = []
    for rec in zip(*(recommendations[c].to_numpy(dtype=object) for c in cols), strict=True):
        row: dict[str, Any] = {"run_id": run_id}
        for name, value in zip(cols, rec, strict=True):
            v = value if name == "support_units" else _none(value)
            row[name] = int(v) if name in ints and v is not None else v
        rows.append(row)
    for chunk in _chunks(rows):
        session.execute(insert(AgencyRecommendation), chunk)
    national_rows = [
        {
            "run_id": run_id,
            "theme": n.theme,
            "rank": n.rank,
            "title_th": n.title_th,
            "summary_th": n.summary_th,
            "actions_th": list(n.actions_th),
            "evidence": dict(n.evidence),
        }
        for n in national
    ]
    if national_rows:
        session.execute(insert(NationalRecommendation), national_rows)
    return len(rows)


def current_run(session: Session, cycle_id: int) -> ScoreRun | None:
    """The cycle's current run, or None when it was never scored."""
    return session.scalar(
        select(ScoreRun).where(
            ScoreRun.cycle_id == cycle_id, ScoreRun.status == ScoreRunStatus.CURRENT
        )
    )


def load_scores(
    session: Session,
    run_id: int,
    kind: ScoreKind | str | None = None,
    *,
    agency_ids: Iterable[int] | None = None,
) -> pd.DataFrame:
    """The run's stored scores as rows (the ``score_value`` columns), optionally one kind or
    only some agencies."""
    stmt = select(
        ScoreValue.agency_id,
        ScoreValue.kind,
        ScoreValue.code,
        ScoreValue.score,
        ScoreValue.level,
        ScoreValue.group_code,
        ScoreValue.rank_national,
        ScoreValue.rank_peer,
        ScoreValue.peer_size,
    ).where(ScoreValue.run_id == run_id)
    if kind is not None:
        stmt = stmt.where(ScoreValue.kind == ScoreKind(kind))
    if agency_ids is not None:
        stmt = stmt.where(ScoreValue.agency_id.in_(list(agency_ids)))
    rows = session.execute(stmt.order_by(ScoreValue.agency_id)).all()
    cols = ["agency_id", "kind", "code", "score", "level", "group_code"]
    cols += ["rank_national", "rank_peer", "peer_size"]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=cols)
    frame["kind"] = frame["kind"].map(lambda k: getattr(k, "value", k))
    frame["group_code"] = (
        frame["group_code"].astype(object).where(frame["group_code"].notna(), None)
    )
    frame["score"] = frame["score"].astype(float)
    for c in ("level", "rank_national", "rank_peer", "peer_size"):
        frame[c] = frame[c].astype("Int64")
    return frame


def load_recommendations(
    session: Session, run_id: int, agency_id: int | None = None
) -> pd.DataFrame:
    """The run's agency recommendations (all agencies, or one), ordered by agency then rank."""
    stmt = select(AgencyRecommendation).where(AgencyRecommendation.run_id == run_id)
    if agency_id is not None:
        stmt = stmt.where(AgencyRecommendation.agency_id == agency_id)
    cols = ["agency_id", "sub_indicator", "pillar", "rec_class", "rank", "score", "peer_mean"]
    cols += ["impact", "level", "advice_th", "lead_unit", "support_units"]
    records = [
        [getattr(getattr(r, c), "value", getattr(r, c)) for c in cols]
        for r in session.scalars(stmt)
    ]
    frame = pd.DataFrame(records, columns=cols)
    frame["rank"] = frame["rank"].astype("Int64")
    frame["level"] = frame["level"].astype("Int64")
    return frame.sort_values(
        ["agency_id", "rank", "sub_indicator"], na_position="last"
    ).reset_index(drop=True)


def load_national_recommendations(session: Session, run_id: int) -> list[NationalAdvice]:
    """The run's national recommendations in rank order."""
    rows = session.scalars(
        select(NationalRecommendation)
        .where(NationalRecommendation.run_id == run_id)
        .order_by(NationalRecommendation.rank)
    )
    return [
        NationalAdvice(
            theme=r.theme,
            rank=r.rank,
            title_th=r.title_th,
            summary_th=r.summary_th,
            actions_th=list(r.actions_th),
            evidence=dict(r.evidence),
        )
        for r in rows
    ]
