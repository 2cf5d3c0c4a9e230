"""National policy themes are chosen from aggregate weaknesses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dgops.framework import load_framework
from dgops.recommend import load_rules, national_recommendations, theme_weakness

HERE = Path(__file__).parent / "data"
CODES = ["P1.1", "P1.2", "P2.1", "P2.2", "P3.1", "P3.2"]


def _scores() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 40
    # P2.x (digital skills) weakest with many at level 1, then P1.2 (data); the rest strong
    centres = {"P1.1": 88, "P1.2": 45, "P2.1": 15, "P2.2": 25, "P3.1": 70, "P3.2": 80}
    data = {c: np.clip(rng.normal(m, 8, n), 0, 100) for c, m in centres.items()}
    return pd.DataFrame(data, index=range(1, n + 1))[CODES]


def test_should_rank_themes_by_weakness() -> None:
    framework = load_framework(HERE / "mini.yaml")
    rules = load_rules(HERE / "rules_mini.yaml")
    table = theme_weakness(_scores(), framework, rules)
    assert table["theme"].tolist() == ["digital_skills", "data", "digital_services", "policy"]
    skills = table.iloc[0]
    assert skills["share_level1"] > 0.4
    assert skills["mean_ratio"] == pytest.approx(_scores()[["P2.1", "P2.2"]].mean().mean() / 100)


def test_should_recommend_the_weakest_themes_with_thai_text_and_evidence() -> None:
    framework = load_framework(HERE / "mini.yaml")
    rules = load_rules(HERE / "rules_mini.yaml")
    recs = national_recommendations(_scores(), framework, rules, top=2)
    assert [r.theme for r in recs] == ["digital_skills", "data"]
    assert [r.rank for r in recs] == [1, 2]
    assert recs[0].title_th == "นโยบายด้านการส่งเสริมทักษะดิจิทัล"
    assert recs[0].actions_th
    assert all(a.strip() for a in recs[0].actions_th)
    assert recs[0].evidence["weakest"][0]["code"] == "P2.1"
    assert recs[0].evidence["n_agencies"] == 40
