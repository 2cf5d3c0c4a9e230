"""Storing scores and recommendations: exact round trip, one current run, no duplicates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from dgops.db import Database
from dgops.demo.responses import generate_responses
from dgops.framework import Framework
from dgops.recommend import load_rules, national_recommendations, recommend
from dgops.results import (
    current_run,
    load_agencies,
    load_national_recommendations,
    load_recommendations,
    load_scores,
    store_recommendations,
    store_scores,
)
from dgops.results.models import (
    AgencyRecommendation,
    NationalRecommendation,
    ScoreRun,
    ScoreRunStatus,
    ScoreValue,
)
from dgops.scoring import ScoreResult, score

RULES = Path(__file__).resolve().parents[1] / "recommend" / "data" / "rules_mini.yaml"


def _scored(engine: Engine, mini: Framework, seed: int) -> tuple[ScoreResult, pd.DataFrame]:
    with Database(engine).begin() as session:
        agencies = load_agencies(session)
    return score(mini, generate_responses(mini, agencies, seed)), agencies


def test_should_store_every_score_at_full_precision_with_levels_and_ranks(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    result, agencies = _scored(engine, mini, seed=1)
    with Database(engine).begin() as session:
        run = store_scores(
            session,
            cycle_id=cycle_id,
            result=result,
            agencies=agencies,
            actor="t",
        )
        run_id = run.id
    with Database(engine).begin() as session:
        stored = load_scores(session, run_id)
        assert current_run(session, cycle_id) is not None
    assert len(stored) == 30 * (1 + 3 + 6)
    overall = stored[stored["kind"] == "overall"].set_index("agency_id")
    assert overall["score"].to_numpy() == pytest.approx(result.overall.to_numpy(), abs=0)
    assert (overall["level"] == result.overall_level).all()
    assert (overall["group_code"] == result.group).all()
    best = result.overall.idxmax()
    assert overall.loc[best, "rank_national"] == 1
    p2 = stored[(stored["kind"] == "pillar") & (stored["code"] == "P2")].set_index("agency_id")
    np.testing.assert_array_equal(p2["score"].to_numpy(), result.pillars["P2"].to_numpy())
    subs = stored[stored["kind"] == "sub_indicator"]
    wide = subs.pivot(index="agency_id", columns="code", values="score")
    np.testing.assert_array_equal(
        wide[result.sub_indicators.columns].to_numpy(), result.sub_indicators.to_numpy()
    )
    assert subs["level"].between(1, 5).all()
    assert (overall["peer_size"] == 30).all()


def test_should_supersede_the_previous_run_and_never_duplicate(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    result, agencies = _scored(engine, mini, seed=2)
    run_ids = []
    for _ in range(4):
        with Database(engine).begin() as session:
            run_ids.append(
                store_scores(
                    session,
                    cycle_id=cycle_id,
                    result=result,
                    agencies=agencies,
                    actor="t",
                    keep_history=2,
                ).id
            )
    with Database(engine).begin() as session:
        runs = session.execute(select(ScoreRun.id, ScoreRun.status).order_by(ScoreRun.id)).all()
        n_values = session.scalar(select(func.count()).select_from(ScoreValue))
        current = current_run(session, cycle_id)
        assert current is not None
        current_id = current.id
    assert current_id == run_ids[-1]
    # the oldest run was pruned: 1 current + 2 superseded remain, each with its own rows
    assert [r.id for r in runs] == run_ids[1:]
    assert [r.status for r in runs].count(ScoreRunStatus.CURRENT) == 1
    assert n_values == 3 * 30 * 10


def test_should_replace_a_runs_recommendations_on_rerun(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    result, agencies = _scored(engine, mini, seed=3)
    rules = load_rules(RULES)
    recs = recommend(result.sub_indicators, agencies, mini, rules)
    national = national_recommendations(result.sub_indicators, mini, rules, top=3)
    with Database(engine).begin() as session:
        run_id = store_scores(
            session, cycle_id=cycle_id, result=result, agencies=agencies, actor="t"
        ).id
        store_recommendations(session, run_id, recs, national)
    with Database(engine).begin() as session:
        n = store_recommendations(session, run_id, recs, national)
    with Database(engine).begin() as session:
        stored = load_recommendations(session, run_id)
        back = load_national_recommendations(session, run_id)
        n_rows = session.scalar(select(func.count()).select_from(AgencyRecommendation))
        n_nat = session.scalar(select(func.count()).select_from(NationalRecommendation))
    assert n == len(recs) == n_rows
    assert n_nat == 3
    assert back == national
    one = stored[stored["agency_id"] == 1].set_index("sub_indicator")
    mine = recs[recs["agency_id"] == 1].set_index("sub_indicator")
    assert one["rec_class"].to_dict() == mine["rec_class"].to_dict()
    assert one["advice_th"].to_dict() == mine["advice_th"].to_dict()
    assert one["support_units"].to_dict() == mine["support_units"].to_dict()
    accel = stored[(stored["agency_id"] == 1) & (stored["rec_class"] == "accelerate")]
    assert accel["rank"].tolist() == list(range(1, len(accel) + 1))
