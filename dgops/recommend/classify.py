"""Sort each agency's sub-indicators against its peers and attach the advice that matters most.

Classes (as in DGA's letters):

- ``outstanding`` (ตัวชี้วัดที่โดดเด่น): score ≥ peer mean + ``outstanding_sd`` × peer sd;
- ``fairly_outstanding`` (ตัวชี้วัดที่ค่อนข้างโดดเด่น): score ≥ peer mean + ``fairly_sd`` × peer sd;
- ``accelerate`` (ตัวชี้วัดที่ควรเร่งพัฒนา): otherwise, and always when the score is below
  ``accelerate_below`` × scale (a sub-indicator at the bottom band is never "outstanding" just
  because every peer is as weak).

Peers are the agencies sharing the ``peer_by`` columns (default: level); a peer group smaller
than ``min_peers`` falls back to the next grouping in ``fallback`` (default: level, then all).

Impact of a sub-indicator for an agency = the overall points it would gain at full marks:
``(scale − score) × pillar weight / weights total × the sub-indicator's share of its pillar``
(its share of the pillar's maximum item points under the ``ratio`` rule; 1/n under
``mean_of_sub_indicators``). "To accelerate" rows are ranked by impact, largest first.
See docs/recommendations.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dgops.framework import Framework
from dgops.recommend.rules import Advice, RuleBook

__all__ = [
    "CLASS_LABELS_TH",
    "ClassifyConfig",
    "classify",
    "recommend",
    "score_levels",
    "sub_indicator_shares",
]

OUTSTANDING = "outstanding"
FAIRLY = "fairly_outstanding"
ACCELERATE = "accelerate"

CLASS_LABELS_TH: dict[str, str] = {
    OUTSTANDING: "ตัวชี้วัดที่โดดเด่น",
    FAIRLY: "ตัวชี้วัดที่ค่อนข้างโดดเด่น",
    ACCELERATE: "ตัวชี้วัดที่ควรเร่งพัฒนา",
}


@dataclass(frozen=True)
class ClassifyConfig:
    """Thresholds and peer grouping of the classification (documented defaults)."""

    peer_by: tuple[str, ...] = ("level",)
    fallback: tuple[tuple[str, ...], ...] = (("level",), ())
    min_peers: int = 5
    outstanding_sd: float = 0.5
    fairly_sd: float = -0.5
    accelerate_below: float | None = 0.2

    def groupings(self) -> list[tuple[str, ...]]:
        """``peer_by`` then the fallbacks, without repeats."""
        out: list[tuple[str, ...]] = []
        for g in (self.peer_by, *self.fallback):
            if g not in out:
                out.append(g)
        return out


def score_levels(scores: pd.DataFrame | pd.Series, bands: Sequence[float] | None) -> pd.DataFrame:
    """Maturity level 1..5 of each score by the framework's bands (NaN stays NaN; all NaN for an
    index without maturity levels, ``bands=None``)."""
    frame = scores.to_frame() if isinstance(scores, pd.Series) else scores
    values = frame.to_numpy(dtype=float)
    if bands is None:
        return pd.DataFrame(np.nan, index=frame.index, columns=frame.columns)
    levels = np.searchsorted(np.asarray(bands, dtype=float), values, side="right").astype(float)
    levels = np.clip(levels, 1, len(bands))
    levels[np.isnan(values)] = np.nan
    return pd.DataFrame(levels, index=frame.index, columns=frame.columns)


def sub_indicator_shares(framework: Framework) -> pd.Series:
    """Each sub-indicator's share of the overall score (sums to 1 over scored sub-indicators)."""
    agg = framework.aggregation
    n_pillars = len(framework.pillars)
    rows: dict[str, float] = {}
    for pillar in framework.pillars:
        pillar_share = (
            (pillar.weight or 0.0) / agg.weights_total
            if agg.overall == "weighted_mean"
            else 1 / n_pillars
        )
        maxima = {
            s.code: sum(q.max_points() for q in s.questions if q.scoring is not None)
            for s in pillar.sub_indicators
        }
        total = sum(maxima.values())
        n_scored = sum(1 for v in maxima.values() if v > 0)
        for code, mx in maxima.items():
            if agg.pillar == "mean_of_sub_indicators":
                within = 1 / n_scored if mx > 0 and n_scored else 0.0
            else:
                within = mx / total if total > 0 else 0.0
            rows[code] = pillar_share * within
    return pd.Series(rows, name="share", dtype=float)


def _peer_key(agencies: pd.DataFrame, cols: tuple[str, ...]) -> pd.Series:
    if not cols:
        return pd.Series("*", index=agencies.index, dtype=object)
    parts = [agencies[c].astype(object).where(agencies[c].notna(), "-").astype(str) for c in cols]
    key = parts[0]
    for p in parts[1:]:
        key = key + "|" + p
    return key


def classify(
    sub_scores: pd.DataFrame,
    agencies: pd.DataFrame,
    framework: Framework,
    *,
    config: ClassifyConfig | None = None,
) -> pd.DataFrame:
    """Class every (agency, sub-indicator) against its peers; one row per pair, vectorised.

    ``sub_scores``: index agency id, one column per sub-indicator code (0..scale, NaN when not
    scored). ``agencies``: index agency id, the ``peer_by`` columns (e.g. ``level``,
    ``agency_type``, ``mission``). Returns columns agency_id, sub_indicator, pillar, score,
    level, peer_key, peer_n, peer_mean, peer_sd, rec_class, impact. Pairs without a score are
    left out.
    """
    cfg = config or ClassifyConfig()
    scale = float(framework.aggregation.scale)
    codes = [c for c in framework.sub_indicator_codes if c in sub_scores.columns]
    scores = sub_scores[codes].astype(float)
    scores.index.name = "agency_id"
    scores.columns.name = None
    long = scores.reset_index().melt(
        id_vars="agency_id", var_name="sub_indicator", value_name="score"
    )
    long = long[long["score"].notna()].sort_values("agency_id", kind="stable")
    long = long.reset_index(drop=True)

    agencies = agencies.reindex(scores.index)
    chosen_key = pd.Series(pd.NA, index=long.index, dtype=object)
    n = pd.Series(np.nan, index=long.index)
    mean = pd.Series(np.nan, index=long.index)
    sd = pd.Series(np.nan, index=long.index)
    for cols in cfg.groupings():
        missing = [c for c in cols if c not in agencies.columns]
        if missing:
            raise KeyError(f"peer grouping needs agency column(s) {missing}")
        key = long["agency_id"].map(_peer_key(agencies, cols))
        grouped = long.groupby([key, long["sub_indicator"]])["score"]
        g_n, g_mean, g_sd = (grouped.transform(f) for f in ("count", "mean", "std"))
        take = chosen_key.isna() & (g_n >= cfg.min_peers)
        if cols == cfg.groupings()[-1]:
            take = chosen_key.isna()
        chosen_key = chosen_key.where(~take, ("+".join(cols) or "all") + "=" + key)
        n, mean, sd = n.where(~take, g_n), mean.where(~take, g_mean), sd.where(~take, g_sd)
    sd = sd.fillna(0.0)

    score = long["score"]
    cls = np.where(
        score >= mean + cfg.outstanding_sd * sd,
        OUTSTANDING,
        np.where(score >= mean + cfg.fairly_sd * sd, FAIRLY, ACCELERATE),
    )
    if cfg.accelerate_below is not None:
        cls = np.where(score < cfg.accelerate_below * scale, ACCELERATE, cls)

    pillar_of = {s.code: p.code for p in framework.pillars for s in p.sub_indicators}
    shares = sub_indicator_shares(framework)
    long["pillar"] = long["sub_indicator"].map(pillar_of)
    long["level"] = score_levels(score, framework.level_bands).iloc[:, 0].astype("Int64")
    long["peer_key"] = chosen_key.astype(str)
    long["peer_n"] = n.astype("Int64")
    long["peer_mean"] = mean
    long["peer_sd"] = sd
    long["rec_class"] = cls
    long["impact"] = (scale - score).clip(lower=0) * long["sub_indicator"].map(shares).fillna(0.0)
    return long[
        [
            "agency_id",
            "sub_indicator",
            "pillar",
            "score",
            "level",
            "peer_key",
            "peer_n",
            "peer_mean",
            "peer_sd",
            "rec_class",
            "impact",
        ]
    ]


def recommend(
    sub_scores: pd.DataFrame,
    agencies: pd.DataFrame,
    framework: Framework,
    rules: RuleBook,
    *,
    config: ClassifyConfig | None = None,
) -> pd.DataFrame:
    """:func:`classify`, plus advice at each pair's level and a rank for "to accelerate".

    ``rank`` is 1 for the most impactful sub-indicator to accelerate of an agency (ties broken by
    the lower score, then framework order); other classes have no rank. Adds columns rank,
    advice_th, lead_unit, support_units (list), theme.
    """
    out = classify(sub_scores, agencies, framework, config=config)
    order = {c: i for i, c in enumerate(framework.sub_indicator_codes)}
    out = out.assign(_order=out["sub_indicator"].map(order))
    accel = out[out["rec_class"] == ACCELERATE].sort_values(
        ["agency_id", "impact", "score", "_order"], ascending=[True, False, True, True]
    )
    out["rank"] = (
        pd.Series(accel.groupby("agency_id").cumcount().add(1).to_numpy(), index=accel.index)
        .reindex(out.index)
        .astype("Int64")
    )

    # Advice depends only on (sub-indicator, level): look up the distinct pairs once.
    pairs = out[["sub_indicator", "level"]].drop_duplicates()
    lookup: dict[tuple[str, int], Advice] = {}
    for code, level in pairs.itertuples(index=False):
        if code in rules.entries:
            lookup[(code, int(level))] = rules.advice(code, int(level))
    keys = list(zip(out["sub_indicator"], out["level"].astype(int), strict=True))
    advice = [lookup.get(k) for k in keys]
    out["advice_th"] = [a.text_th if a else "" for a in advice]
    out["lead_unit"] = [a.lead_unit if a else "" for a in advice]
    out["support_units"] = [list(a.support_units) if a else [] for a in advice]
    out["theme"] = [a.theme if a else None for a in advice]
    return out.drop(columns="_order").reset_index(drop=True)
