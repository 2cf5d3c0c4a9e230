"""Peer classification, advice attachment and impact ordering, on hand-made scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dgops.framework import Framework, load_framework
from dgops.recommend import (
    ClassifyConfig,
    classify,
    load_rules,
    recommend,
    sub_indicator_shares,
)

HERE = Path(__file__).parent / "data"
CODES = ["P1.1", "P1.2", "P2.1", "P2.2", "P3.1", "P3.2"]


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework(HERE / "mini.yaml")


def _frame(rows: dict[int, list[float]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=CODES, dtype=float)


def _agencies(ids: list[int], **cols: list[str]) -> pd.DataFrame:
    data = {"level": ["department"] * len(ids), **cols}
    return pd.DataFrame(data, index=ids)


def test_should_class_against_the_peer_mean_and_sd(framework: Framework) -> None:
    # P1.1 scores 90, 70, 60, 50, 10: mean 56, sample sd 29.66 → cut-offs 70.83 and 41.17
    scores = _frame({i + 1: [s, 50, 50, 50, 50, 50] for i, s in enumerate([90, 70, 60, 50, 10])})
    out = classify(scores, _agencies([1, 2, 3, 4, 5]), framework)
    p11 = out[out["sub_indicator"] == "P1.1"].set_index("agency_id")
    assert p11["peer_mean"].iloc[0] == pytest.approx(56.0)
    assert p11["peer_sd"].iloc[0] == pytest.approx(np.std([90, 70, 60, 50, 10], ddof=1))
    assert p11["rec_class"].to_dict() == {
        1: "outstanding",
        2: "fairly_outstanding",
        3: "fairly_outstanding",
        4: "fairly_outstanding",
        5: "accelerate",
    }
    assert p11["level"].to_dict() == {1: 5, 2: 4, 3: 4, 4: 3, 5: 1}


def test_should_follow_configured_thresholds(framework: Framework) -> None:
    scores = _frame({i + 1: [s, 50, 50, 50, 50, 50] for i, s in enumerate([90, 70, 60, 50, 10])})
    # one sd above (85.66) / at the mean (56)
    strict = ClassifyConfig(outstanding_sd=1.0, fairly_sd=0.0)
    out = classify(scores, _agencies([1, 2, 3, 4, 5]), framework, config=strict)
    p11 = out[out["sub_indicator"] == "P1.1"].set_index("agency_id")["rec_class"]
    assert p11.to_dict() == {
        1: "outstanding",
        2: "fairly_outstanding",
        3: "fairly_outstanding",
        4: "accelerate",
        5: "accelerate",
    }


def test_should_use_the_finer_peer_group_when_big_enough_and_fall_back_otherwise(
    framework: Framework,
) -> None:
    # five policy agencies around 80, two service agencies around 30 (too few → level group)
    rows = {i: [80.0 + i] * 6 for i in range(1, 6)} | {6: [30.0] * 6, 7: [35.0] * 6}
    agencies = _agencies(list(rows), mission=["policy"] * 5 + ["service"] * 2)
    cfg = ClassifyConfig(peer_by=("level", "mission"), min_peers=5)
    out = classify(_frame(rows), agencies, framework, config=cfg).set_index("agency_id")
    p11 = out[out["sub_indicator"] == "P1.1"]
    assert p11.loc[1, "peer_key"] == "level+mission=department|policy"
    assert p11.loc[1, "peer_n"] == 5
    assert p11.loc[6, "peer_key"] == "level=department"
    assert p11.loc[6, "peer_n"] == 7
    assert p11.loc[6, "rec_class"] == "accelerate"


def test_should_never_call_a_bottom_band_score_outstanding(framework: Framework) -> None:
    scores = _frame({i: [5.0] * 6 for i in range(1, 7)})
    out = classify(scores, _agencies(list(range(1, 7))), framework)
    assert set(out["rec_class"]) == {"accelerate"}


def test_should_leave_out_sub_indicators_without_a_score(framework: Framework) -> None:
    scores = _frame({1: [np.nan, 50, 50, 50, 50, 50], 2: [40, 50, 50, 50, 50, 50]})
    out = classify(scores, _agencies([1, 2]), framework)
    assert len(out[out["agency_id"] == 1]) == 5
    assert "P1.1" not in set(out[out["agency_id"] == 1]["sub_indicator"])


def test_should_weight_shares_by_pillar_weight_and_item_maxima(framework: Framework) -> None:
    shares = sub_indicator_shares(framework)
    assert shares.sum() == pytest.approx(1.0)
    # P1 (weight 30): P1.1 max 4 points, P1.2 max 7 points
    assert shares["P1.1"] == pytest.approx(0.30 * 4 / 11)
    assert shares["P1.2"] == pytest.approx(0.30 * 7 / 11)
    # P3 (weight 40): P3.1 max 4, P3.2 max 4
    assert shares["P3.1"] == pytest.approx(0.40 * 4 / 8)


def test_should_rank_sub_indicators_to_accelerate_by_points_at_stake(
    framework: Framework,
) -> None:
    # agency 1 is far below its peers everywhere; its impact decides the order of advice
    peers = {i: [90.0] * 6 for i in range(2, 8)}
    scores = _frame({1: [10.0, 10.0, 10.0, 10.0, 10.0, 10.0], **peers})
    rules = load_rules(HERE / "rules_mini.yaml")
    out = recommend(scores, _agencies(list(range(1, 8))), framework, rules)
    mine = out[out["agency_id"] == 1].sort_values("rank")
    assert (mine["rec_class"] == "accelerate").all()
    shares = sub_indicator_shares(framework)
    expected = sorted(CODES, key=lambda c: (-shares[c], CODES.index(c)))
    assert mine["sub_indicator"].tolist() == expected
    assert mine["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    assert mine["impact"].iloc[0] == pytest.approx(90.0 * shares[expected[0]])
    first = mine.iloc[0]
    assert first["advice_th"] == rules.advice(first["sub_indicator"], 1).text_th
    assert first["lead_unit"]
    assert isinstance(first["support_units"], list)
    assert out[out["agency_id"] == 2]["rank"].isna().all()
