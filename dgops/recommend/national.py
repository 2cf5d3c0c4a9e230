"""National policy recommendations (ข้อเสนอแนะเชิงนโยบาย), chosen from aggregate weaknesses.

Each sub-indicator feeds one theme (through its topic in the rule book). Per theme:

- ``mean_ratio``: the mean over its sub-indicators of the national mean score ÷ scale;
- ``share_level1``: the mean over its sub-indicators of the share of agencies at level 1;
- ``weakness`` = ((1 − mean_ratio) + share_level1) / 2, in 0..1.

Themes are ranked by weakness (largest first) and the ``top`` ones are recommended, with the Thai
text of ``national_themes.yaml``. See docs/recommendations.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from dgops.configfile import ConfigModel, load_model
from dgops.framework import Framework
from dgops.recommend.classify import score_levels
from dgops.recommend.rules import DATA_DIR, RuleBook, RuleError

__all__ = [
    "NationalRecommendation",
    "Theme",
    "load_themes",
    "national_recommendations",
    "theme_weakness",
]


class Theme(BaseModel):
    """Thai text of one policy theme."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title_th: str = Field(min_length=1)
    summary_th: str = Field(min_length=1)
    actions_th: list[str] = Field(min_length=1)


class _ThemesFile(ConfigModel):
    version: int = 1
    themes: dict[str, Theme]


@dataclass(frozen=True)
class NationalRecommendation:
    """One theme recommended in the national report, with the figures that chose it."""

    theme: str
    rank: int
    title_th: str
    summary_th: str
    actions_th: list[str]
    evidence: dict[str, Any] = field(default_factory=dict)


def load_themes(path: Path | None = None) -> dict[str, Theme]:
    """Read the theme texts (default: the shipped ``national_themes.yaml``)."""
    path = path or DATA_DIR / "national_themes.yaml"
    return dict(load_model(path, _ThemesFile, error=RuleError).themes)


def theme_weakness(sub_scores: pd.DataFrame, framework: Framework, rules: RuleBook) -> pd.DataFrame:
    """Per theme: mean_ratio, share_level1, weakness, n_agencies and its weakest sub-indicators.

    Sorted by weakness, largest first (ties: theme name).
    """
    scale = float(framework.aggregation.scale)
    codes = [c for c in framework.sub_indicator_codes if c in sub_scores.columns]
    scores = sub_scores[codes].astype(float)
    levels = score_levels(scores, framework.level_bands)
    per_sub = pd.DataFrame(
        {
            "mean_ratio": scores.mean() / scale,
            "share_level1": (levels == 1).sum() / levels.notna().sum().replace(0, pd.NA),
            "n": scores.notna().sum(),
        }
    )
    per_sub = per_sub[per_sub["n"] > 0]
    per_sub["theme"] = per_sub.index.map(
        lambda c: rules.theme_of(c) if c in rules.entries else None
    )
    per_sub = per_sub[per_sub["theme"].notna()]
    per_sub["share_level1"] = per_sub["share_level1"].astype(float)
    rows = []
    for theme, part in per_sub.groupby("theme", sort=True):
        mean_ratio = float(part["mean_ratio"].mean())
        share1 = float(part["share_level1"].mean())
        weakest = part.sort_values("mean_ratio").index[:3].tolist()
        rows.append(
            {
                "theme": theme,
                "mean_ratio": mean_ratio,
                "share_level1": share1,
                "weakness": ((1 - mean_ratio) + share1) / 2,
                "n_agencies": int(part["n"].max()),
                "sub_indicators": part.index.tolist(),
                "weakest": weakest,
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.sort_values(["weakness", "theme"], ascending=[False, True]).reset_index(drop=True)


def national_recommendations(
    sub_scores: pd.DataFrame,
    framework: Framework,
    rules: RuleBook,
    *,
    themes: dict[str, Theme] | None = None,
    top: int = 4,
) -> list[NationalRecommendation]:
    """The ``top`` weakest themes that have a text, as policy recommendations in rank order."""
    texts = themes if themes is not None else load_themes()
    table = theme_weakness(sub_scores, framework, rules)
    out: list[NationalRecommendation] = []
    names = {s.code: s.name_th for p in framework.pillars for s in p.sub_indicators}
    for rec in table.to_dict(orient="records"):
        theme = str(rec["theme"])
        if theme not in texts or len(out) >= top:
            continue
        text = texts[theme]
        out.append(
            NationalRecommendation(
                theme=theme,
                rank=len(out) + 1,
                title_th=text.title_th,
                summary_th=" ".join(text.summary_th.split()),
                actions_th=[" ".join(a.split()) for a in text.actions_th],
                evidence={
                    "mean_ratio": float(rec["mean_ratio"]),
                    "share_level1": float(rec["share_level1"]),
                    "weakness": float(rec["weakness"]),
                    "n_agencies": int(rec["n_agencies"]),
                    "sub_indicators": list(rec["sub_indicators"]),
                    "weakest": [{"code": c, "name_th": names.get(c, "")} for c in rec["weakest"]],
                },
            )
        )
    return out
