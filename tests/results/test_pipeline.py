"""score_cycle → recommend_cycle on stored demo responses (what `dgops score`/`recommend` run)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from dgops.db import Database
from dgops.demo.responses import store_demo_responses
from dgops.framework import Framework
from dgops.responses.models import ResponseStatus
from dgops.results import level_distribution, pipeline, recommend_cycle, score_cycle
from dgops.scoring import ScoringInputError

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


GOVTECH = Path(__file__).resolve().parents[1] / "framework" / "fixtures" / "govtech_like.yaml"


def _govtech_cycle(engine: Engine) -> pipeline.FrameworkSource:
    from dgops.framework import load_framework

    govtech = load_framework(GOVTECH)
    with Database(engine).begin() as session:
        store_demo_responses(session, 2566, seed=3, share=1.0, framework=govtech)
    return pipeline.FrameworkSource(framework=govtech)


def _external(codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"egdi_osi": [0.5] * len(codes), "wjp_open_gov": [0.25] * len(codes)},
        index=pd.Index(codes, name="agency"),
    )


def test_should_refuse_to_score_without_the_external_inputs_the_framework_needs(
    engine: Engine, cycle_id: int
) -> None:
    source = _govtech_cycle(engine)
    statuses = (ResponseStatus.VERIFIED, ResponseStatus.SUBMITTED)
    with Database(engine).begin() as session, pytest.raises(ScoringInputError) as caught:
        score_cycle(session, 2566, actor="t", statuses=statuses, source=source, strict=True)
    assert {(i.question_id, i.reason) for i in caught.value.issues} == {
        ("egdi_osi", "missing_external"),
        ("wjp_open_gov", "missing_external"),
    }
    with Database(engine).begin() as session:
        lenient = score_cycle(session, 2566, actor="t", statuses=statuses, source=source)
    assert len(lenient.input_issues) == 2  # scored through, but said, and stored with the run
    assert "egdi_osi" in lenient.input_issues[0]


def test_should_score_external_inputs_given_by_agency_code(engine: Engine, cycle_id: int) -> None:
    source = _govtech_cycle(engine)
    statuses = (ResponseStatus.VERIFIED, ResponseStatus.SUBMITTED)
    codes = [f"A{i:03d}" for i in range(1, 31)]
    with Database(engine).begin() as session:
        out = score_cycle(
            session,
            2566,
            actor="t",
            statuses=statuses,
            source=source,
            external=_external(codes),
            strict=True,
        )
    assert out.n_agencies == 30
    assert out.input_issues == []
    with Database(engine).begin() as session, pytest.raises(ScoringInputError) as caught:
        # a code that lost its leading zeros (or a typo) is not silently ignored
        score_cycle(
            session,
            2566,
            actor="t",
            statuses=statuses,
            source=source,
            external=_external([*codes, "A1"]),
            strict=True,
        )
    assert [(i.agency_id, i.reason) for i in caught.value.issues] == [
        ("A1", "external_code_unknown")
    ]
