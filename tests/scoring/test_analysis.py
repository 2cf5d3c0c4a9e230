"""Peer ranks, group statistics and year-on-year deltas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dgops.framework import YearMapping, load_framework
from dgops.scoring import ScoreResult, group_stats, peer_ranks, score, yoy_deltas

FIXTURES = Path(__file__).parents[1] / "framework" / "fixtures"


@pytest.fixture(scope="module")
def result() -> ScoreResult:
    fw = load_framework(FIXTURES / "six_pillars.yaml")
    rows = {
        1: ["yes"] * 6,  # 100
        2: ["yes", "yes", "yes", "no", "no", "no"],  # 70
        3: ["yes", "yes", "yes", "no", "no", "no"],  # 70
        4: ["no", "no", "yes", "no", "no", "no"],  # 30
        5: [None] * 6,  # 0
    }
    answers = pd.DataFrame.from_dict(rows, orient="index", columns=fw.question_ids, dtype=object)
    return score(fw, answers)


@pytest.fixture(scope="module")
def agencies() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": ["department"] * 4 + ["provincial_office"],
            "agency_type": [
                "government_agency",
                "state_enterprise",
                "government_agency",
                "government_agency",
                None,
            ],
            "mission": ["policy", "service", "service", "policy", None],
            "ministry": ["A", "A", "B", "B", None],
        },
        index=[1, 2, 3, 4, 5],
    )


def test_should_rank_descending_with_ties_sharing_the_lowest_rank(
    result: ScoreResult, agencies: pd.DataFrame
) -> None:
    ranks = peer_ranks(result, agencies)
    assert ranks["rank_all"].tolist() == [1, 2, 2, 4, 5]
    assert ranks["of_all"].tolist() == [5] * 5
    assert ranks["rank_level"].tolist() == [1, 2, 2, 4, 1]
    assert ranks["of_level"].tolist() == [4, 4, 4, 4, 1]
    assert ranks["rank_agency_type"].tolist()[:4] == [1, 1, 2, 3]
    assert ranks["rank_mission"].tolist()[:4] == [1, 1, 1, 2]
    assert ranks["rank_ministry"].tolist()[:4] == [1, 2, 1, 2]
    assert pd.isna(ranks.loc[5, "rank_ministry"])


def test_should_rank_on_a_pillar_when_asked(result: ScoreResult, agencies: pd.DataFrame) -> None:
    ranks = peer_ranks(result, agencies, by=["level"], measure="P4")
    assert ranks["rank_all"].tolist() == [1, 2, 2, 2, 2]


def test_should_summarise_groups_overall_and_per_pillar(
    result: ScoreResult, agencies: pd.DataFrame
) -> None:
    stats = group_stats(result, agencies, by="level")
    dept = stats.loc[("department", "overall")]
    assert dept["count"] == 4
    assert dept["mean"] == pytest.approx((100 + 70 + 70 + 30) / 4)
    assert dept["median"] == pytest.approx(70)
    # levels by default bands: 100 → 5, 70 → 4, 30 → 2
    assert [dept[f"level_{k}"] for k in range(1, 6)] == [0, 1, 0, 2, 1]
    assert stats.loc[("department", "P3"), "level_5"] == 4
    everyone = group_stats(result)
    assert everyone.loc[("all", "overall"), "count"] == 5
    assert set(everyone.index.get_level_values("measure")) == {
        "overall",
        "P1",
        "P2",
        "P3",
        "P4",
        "P5",
        "P6",
    }


def test_should_compute_deltas_through_the_mapping(result: ScoreResult) -> None:
    previous = result.to_frame().rename(columns={"P1": "OLD1"})
    previous["overall"] = previous["overall"] - 10
    mapping = YearMapping.model_validate(
        {"from": "a", "to": "b", "pillars": {"P1": "OLD1", "P2": None}}
    )
    deltas = yoy_deltas(result, previous, mapping).set_index(["agency_id", "code"])
    assert deltas.loc[(1, "overall"), "delta"] == pytest.approx(10)
    assert deltas.loc[(1, "P1"), "previous_code"] == "OLD1"
    assert deltas.loc[(1, "P1"), "delta"] == pytest.approx(0)
    assert np.isnan(deltas.loc[(1, "P2"), "delta"])  # new pillar: nothing to compare
    assert deltas.loc[(2, "P3"), "scope"] == "pillar"
    assert deltas.loc[(2, "P3.1"), "scope"] == "sub_indicator"


def test_should_accept_last_years_result_directly(result: ScoreResult) -> None:
    deltas = yoy_deltas(result, result)
    assert (deltas["delta"].dropna() == 0).all()
    assert len(deltas) == 5 * (1 + 6 + 6)
