"""Roll-ups, including the published Bangkok example (six-pillar weights 20/20/30/10/15/5)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dgops.framework import DATA_DIR, Framework, load_framework
from dgops.scoring import (
    group_from_scores,
    level_from_score,
    levels_from_scores,
    overall_from_pillars,
    pillars_from_sub_indicators,
    round_half_up,
)

FIXTURES = Path(__file__).parents[1] / "framework" / "fixtures"

# Bangkok, published pillar scores (P&P, Digital Capability, Public Services, Smart Back Office,
# Secure & Efficient Infrastructure, Digital Technology Practices) and overall.
BANGKOK = {
    2022: ([89.38, 82.50, 90.02, 90.00, 60.00, 62.50], 82.51),
    2021: ([47.63, 77.61, 74.70, 70.75, 93.33, 17.50], 69.41),
}


def bangkok_frame(codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame([BANGKOK[y][0] for y in (2022, 2021)], index=[2022, 2021], columns=codes)


def test_should_reproduce_the_published_bangkok_overall_scores() -> None:
    fw = load_framework(FIXTURES / "six_pillars.yaml")
    overall = overall_from_pillars(fw, bangkok_frame(fw.pillar_codes))
    published = round_half_up(overall, 2)
    assert published.to_dict() == {2022: 82.51, 2021: 69.41}


def test_should_reproduce_bangkok_with_the_2565_framework_weights() -> None:
    if not (DATA_DIR / "2565.yaml").exists():
        pytest.skip("2565.yaml not written yet")
    fw = load_framework("2565")
    assert [p.weight for p in fw.pillars] == [20, 20, 30, 10, 15, 5]
    published = round_half_up(overall_from_pillars(fw, bangkok_frame(fw.pillar_codes)), 2)
    assert published.to_dict() == {2022: 82.51, 2021: 69.41}


def test_should_reweight_over_the_pillars_that_have_a_score() -> None:
    fw = load_framework(FIXTURES / "six_pillars.yaml")
    scores = pd.DataFrame([[50.0, np.nan, 100.0, np.nan, np.nan, np.nan]], columns=fw.pillar_codes)
    # (20 × 50 + 30 × 100) / 50
    assert overall_from_pillars(fw, scores).iloc[0] == pytest.approx(80.0)
    empty = pd.DataFrame([[np.nan] * 6], columns=fw.pillar_codes)
    assert np.isnan(overall_from_pillars(fw, empty).iloc[0])


def test_should_level_by_lower_bounds() -> None:
    fw = load_framework(FIXTURES / "six_pillars.yaml")  # default bands 0/20/40/60/80
    levels = level_from_score(fw, pd.Series([0.0, 19.99, 20.0, 59.9, 80.0, 100.0, np.nan]))
    assert levels.tolist() == [1, 1, 2, 3, 5, 5, pd.NA]
    frame = levels_from_scores(fw, pd.DataFrame({"P1": [45.0], "P2": [85.0]}))
    assert frame.iloc[0].tolist() == [3, 5]


def test_should_band_overall_scores_into_groups(tmp_path: Path) -> None:
    fw = load_framework(FIXTURES / "govtech_like.yaml")
    groups = group_from_scores(fw, pd.Series([0.75, 0.7499, 0.25, 0.0, np.nan]))
    assert groups.tolist() == ["A", "B", "C", "D", None]


def test_should_average_sub_indicators_ignoring_empty_ones() -> None:
    fw: Framework = load_framework(FIXTURES / "govtech_like.yaml")
    subs = pd.DataFrame([[0.5, np.nan, 1.0, 0.0]], columns=fw.sub_indicator_codes)
    pillars = pillars_from_sub_indicators(fw, subs)
    assert pillars.iloc[0].tolist()[0] == 0.5
    assert np.isnan(pillars.iloc[0].tolist()[1])
