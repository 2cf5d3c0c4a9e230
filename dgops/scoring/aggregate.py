"""Roll-ups from item points to published scores, levels and groups (all agencies at once)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from dgops.framework import Framework

__all__ = [
    "group_from_scores",
    "level_from_score",
    "levels_from_scores",
    "overall_from_pillars",
    "pillars_from_items",
    "pillars_from_sub_indicators",
    "ratio_scores",
    "sub_indicators_from_items",
]


def _membership(item_ids: list[str], groups: dict[str, list[str]]) -> npt.NDArray[np.float64]:
    """Indicator matrix items × groups (1.0 where the item belongs to the group)."""
    col = {item: i for i, item in enumerate(item_ids)}
    matrix = np.zeros((len(item_ids), len(groups)), dtype=np.float64)
    for j, members in enumerate(groups.values()):
        for item in members:
            if item in col:
                matrix[col[item], j] = 1.0
    return matrix


def ratio_scores(
    points: pd.DataFrame, maxima: pd.DataFrame, groups: dict[str, list[str]], scale: float
) -> pd.DataFrame:
    """Σ points / Σ max × scale per group of item columns (NaN where the maximum is 0).

    ``points`` and ``maxima`` are agency × item frames with the same columns; ``maxima`` holds
    each agency's own maximum (0 for dropped items).
    """
    items = list(points.columns)
    member = _membership(items, groups)
    got = points.to_numpy(dtype=np.float64) @ member
    out_of = maxima.to_numpy(dtype=np.float64) @ member
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(out_of > 0, got / np.where(out_of > 0, out_of, 1.0) * scale, np.nan)
    return pd.DataFrame(score, index=points.index, columns=list(groups))


def sub_indicators_from_items(
    framework: Framework, points: pd.DataFrame, maxima: pd.DataFrame
) -> pd.DataFrame:
    """Sub-indicator scores (ratio rule), columns in framework order."""
    groups = {code: [q.id for q in qs] for code, qs in framework.items_by_sub_indicator().items()}
    return ratio_scores(points, maxima, groups, framework.aggregation.scale)


def pillars_from_items(
    framework: Framework, points: pd.DataFrame, maxima: pd.DataFrame
) -> pd.DataFrame:
    """Pillar scores by the ratio rule: summed points / summed max over the pillar's items."""
    groups = {code: [q.id for q in qs] for code, qs in framework.items_by_pillar().items()}
    return ratio_scores(points, maxima, groups, framework.aggregation.scale)


def pillars_from_sub_indicators(framework: Framework, sub_scores: pd.DataFrame) -> pd.DataFrame:
    """Pillar scores as the unweighted mean of their sub-indicator scores (NaN ones left out)."""
    groups = {p.code: [s.code for s in p.sub_indicators] for p in framework.pillars}
    values = sub_scores.reindex(columns=framework.sub_indicator_codes).to_numpy(dtype=np.float64)
    member = _membership(framework.sub_indicator_codes, groups)
    present = ~np.isnan(values)
    total = np.where(present, values, 0.0) @ member
    count = present.astype(np.float64) @ member
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(count > 0, total / np.where(count > 0, count, 1.0), np.nan)
    return pd.DataFrame(score, index=sub_scores.index, columns=list(groups))


def overall_from_pillars(framework: Framework, pillar_scores: pd.DataFrame) -> pd.Series:
    """The overall score from pillar scores (full precision; round only when publishing).

    ``weighted_mean``: Σ weight × score / Σ weight over the pillars that have a score;
    ``mean``: plain mean of the pillars that have a score. NaN when no pillar has one.
    """
    codes = framework.pillar_codes
    values = pillar_scores.reindex(columns=codes).to_numpy(dtype=np.float64)
    if framework.aggregation.overall == "mean":
        weights = np.ones(len(codes))
    else:
        weights = np.array([framework.pillar(c).weight or 0.0 for c in codes], dtype=np.float64)
    present = ~np.isnan(values)
    total = np.where(present, values, 0.0) @ weights
    weight_sum = present.astype(np.float64) @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = np.where(
            weight_sum > 0, total / np.where(weight_sum > 0, weight_sum, 1.0), np.nan
        )
    return pd.Series(overall, index=pillar_scores.index, name="overall", dtype=np.float64)


def _levels(framework: Framework, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    if framework.maturity is None:  # an index without maturity levels
        return np.full(values.shape, np.nan)
    bands = np.asarray(framework.maturity.bands, dtype=np.float64)
    level = np.clip(np.searchsorted(bands, values, side="right"), 1, len(bands))
    return np.where(np.isnan(values), np.nan, level.astype(np.float64))


def levels_from_scores(framework: Framework, scores: pd.DataFrame) -> pd.DataFrame:
    """Maturity level 1..5 of each score by the framework's bands (Int64; NA for NaN)."""
    levels = _levels(framework, scores.to_numpy(dtype=np.float64))
    return pd.DataFrame(levels, index=scores.index, columns=scores.columns).astype("Int64")


def level_from_score(framework: Framework, scores: pd.Series) -> pd.Series:
    """Maturity level 1..5 of a Series of scores by the framework's bands (Int64)."""
    levels = _levels(framework, scores.to_numpy(dtype=np.float64))
    return pd.Series(levels, index=scores.index, name=scores.name).astype("Int64")


def group_from_scores(framework: Framework, overall: pd.Series) -> pd.Series:
    """The group code of each overall score: the first group (descending `min`) it reaches."""
    values = overall.to_numpy(dtype=np.float64)
    codes = np.full(len(values), None, dtype=object)
    undecided = ~np.isnan(values)
    for group in framework.groups:
        hit = undecided & (values >= group.min)
        codes[hit] = group.code
        undecided &= ~hit
    return pd.Series(codes, index=overall.index, name="group", dtype=object)
