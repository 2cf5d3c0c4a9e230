"""Comparisons built on a ScoreResult: peer ranks, group statistics, year-on-year deltas."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dgops.framework import YearMapping
from dgops.scoring.engine import ScoreResult

__all__ = ["PEER_COLUMNS", "group_stats", "peer_ranks", "yoy_deltas"]

PEER_COLUMNS = ("level", "agency_type", "mission", "ministry")


def _scores(result: ScoreResult, measure: str) -> pd.Series:
    if measure == "overall":
        return result.overall
    if measure in result.pillars.columns:
        return result.pillars[measure]
    if measure in result.sub_indicators.columns:
        return result.sub_indicators[measure]
    raise KeyError(f"unknown measure {measure!r} (overall, a pillar or a sub-indicator code)")


def peer_ranks(
    result: ScoreResult,
    agencies: pd.DataFrame,
    by: Sequence[str] = PEER_COLUMNS,
    *,
    measure: str = "overall",
) -> pd.DataFrame:
    """Rank of each agency among all agencies and within each peer group.

    ``agencies`` is indexed by agency id with the grouping columns (level, agency_type,
    mission, ministry, ...). Rank 1 is the highest score; ties share the lowest rank
    (scores 90, 80, 80, 70 → 1, 2, 2, 4). Columns: ``score``, ``rank_all``, ``of_all`` and
    for each column c of ``by``: ``rank_<c>`` and ``of_<c>`` (the number of scored peers).
    Agencies without a score or without a group value get NA.
    """
    scores = _scores(result, measure).rename("score")
    frame = agencies.reindex(scores.index)[list(by)].copy()
    frame["score"] = scores
    out = pd.DataFrame({"score": scores}, index=scores.index)
    out["rank_all"] = scores.rank(method="min", ascending=False).astype("Int64")
    out["of_all"] = pd.Series(int(scores.notna().sum()), index=scores.index, dtype="Int64")
    out.loc[scores.isna(), "of_all"] = pd.NA
    for column in by:
        grouped = frame.groupby(column, dropna=True, observed=True)["score"]
        out[f"rank_{column}"] = grouped.rank(method="min", ascending=False).astype("Int64")
        counts = grouped.transform("count")
        out[f"of_{column}"] = counts.where(scores.notna()).astype("Int64")
    return out


def group_stats(
    result: ScoreResult, agencies: pd.DataFrame | None = None, by: str | None = None
) -> pd.DataFrame:
    """Mean, median, count and level distribution per group, overall and per pillar.

    Index: (group value, measure) where measure is ``overall`` or a pillar code; with
    ``by=None`` every agency is in the group ``"all"``. Columns: count, mean, median, min,
    max, level_1 .. level_5 (number of agencies at each maturity level).
    """
    index = result.overall.index
    if by is None:
        keys = pd.Series("all", index=index, name="group")
    else:
        if agencies is None:
            raise ValueError("group_stats: `by` needs the agencies frame")
        keys = agencies.reindex(index)[by].rename("group")
    scores = pd.concat([result.overall.rename("overall"), result.pillars], axis=1)
    levels = pd.concat([result.overall_level.rename("overall"), result.pillar_levels], axis=1)
    rows = []
    for measure in scores.columns:
        frame = pd.DataFrame({"group": keys, "score": scores[measure], "level": levels[measure]})
        grouped = frame.groupby("group", dropna=True, observed=True, sort=True)
        stats = grouped["score"].agg(["count", "mean", "median", "min", "max"])
        dist = (
            pd.crosstab(frame["group"], frame["level"])
            .reindex(columns=range(1, 6), fill_value=0)
            .reindex(stats.index, fill_value=0)
        )
        dist.columns = [f"level_{k}" for k in range(1, 6)]
        block = pd.concat([stats, dist], axis=1)
        block["measure"] = measure
        rows.append(block)
    out = pd.concat(rows).reset_index().set_index(["group", "measure"])
    out["count"] = out["count"].astype(int)
    for k in range(1, 6):
        out[f"level_{k}"] = out[f"level_{k}"].astype(int)
    return out.sort_index(level="group", sort_remaining=False)


def _previous_frame(previous: ScoreResult | pd.DataFrame) -> pd.DataFrame:
    if isinstance(previous, ScoreResult):
        return previous.to_frame()
    return previous


def yoy_deltas(
    result: ScoreResult,
    previous: ScoreResult | pd.DataFrame,
    mapping: YearMapping | None = None,
) -> pd.DataFrame:
    """This year against last year per agency: overall, pillars and sub-indicators.

    ``previous`` is last year's ScoreResult or its stored wide frame (``ScoreResult.to_frame()``:
    index agency id, columns ``overall`` and codes). ``mapping`` says which earlier code each
    code of this year continues (same code when not listed; null: new, no delta).
    Long result: agency_id, scope (overall | pillar | sub_indicator), code, previous_code,
    current, previous, delta (NaN when either side is missing).
    """
    before = _previous_frame(previous)
    parts = []
    targets: list[tuple[str, str, str | None]] = [("overall", "overall", "overall")]
    for code in result.pillars.columns:
        targets.append(("pillar", code, mapping.previous_pillar(code) if mapping else code))
    for code in result.sub_indicators.columns:
        targets.append(
            ("sub_indicator", code, mapping.previous_sub_indicator(code) if mapping else code)
        )
    now = result.to_frame()
    ids = now.index
    for scope, code, before_code in targets:
        current = now[code].to_numpy(dtype=np.float64)
        if before_code is not None and before_code in before.columns:
            prior = before[before_code].reindex(ids).to_numpy(dtype=np.float64)
        else:
            prior = np.full(len(ids), np.nan)
        parts.append(
            pd.DataFrame(
                {
                    "agency_id": ids.to_numpy(),
                    "scope": scope,
                    "code": code,
                    "previous_code": before_code,
                    "current": current,
                    "previous": prior,
                    "delta": current - prior,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
