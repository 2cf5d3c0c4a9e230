"""score_cycle → recommend_cycle on stored demo responses (what `dgops score`/`recommend` run)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from dgops.db import Database
from dgops.demo.responses import store_demo_responses
from dgops.framework import Framework
from dgops.responses.models import ResponseStatus
from dgops.results import level_distribution, pipeline, recommend_cycle, score_cycle

MINI_DIR = Path(__file__).resolve().parents[1] / "recommend" / "data"


def test_should_refuse_to_recommend_before_scoring(engine: Engine, cycle_id: int) -> None:
    with Database(engine).begin() as session, pytest.raises(LookupError):
        recommend_cycle(session, 2566)


def test_should_score_and_recommend_a_cycle_from_stored_answers(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    with Database(engine).begin() as session:
        store_demo_responses(session, 2566, seed=9, share=1.0, framework=mini)
    loaders = pipeline.FrameworkSource(framework=mini, rules=MINI_DIR / "rules_mini.yaml")
    with Database(engine).begin() as session:
        out = score_cycle(
            session,
            2566,
            actor="t",
            statuses=(ResponseStatus.VERIFIED, ResponseStatus.SUBMITTED),
            source=loaders,
        )
    assert out.n_agencies == 30
    assert out.n_issues == 0
    dist = level_distribution(out.scores)
    assert list(dist.index) == ["overall", "P1", "P2", "P3"]
    assert (dist["n"] == 30).all()
    assert dist.loc["P1", [f"pct_{k}" for k in range(1, 6)]].sum() == pytest.approx(100)
    with Database(engine).begin() as session:
        rec = recommend_cycle(session, 2566, source=loaders, top_themes=2)
    assert rec.run_id == out.run_id
    assert rec.n_rows == sum(rec.by_class.values())
    assert len(rec.themes) == 2
