"""Properties of the engine over generated answers (hypothesis; example counts kept modest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dgops.framework import Framework, Question, load_framework
from dgops.scoring import ScoreResult, score

FIXTURES = Path(__file__).parents[1] / "framework" / "fixtures"
FW: Framework = load_framework(FIXTURES / "govtech_like.yaml")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

OUT_OF_DOMAIN = st.sampled_from(["?", -5, 250.0, ["zz"], True])


def answer(q: Question) -> st.SearchStrategy[Any]:
    valid: st.SearchStrategy[Any]
    if q.type in ("yes_no", "single_choice"):
        valid = st.sampled_from(q.option_ids())
    elif q.type == "multiple_choice":
        valid = st.lists(st.sampled_from(q.option_ids()), unique=True)
    elif q.type == "percentage":
        valid = st.floats(0, 100)
    else:
        valid = st.integers(0, 50)
    return st.one_of(valid, st.none(), OUT_OF_DOMAIN) if q.scoring else st.none()


ROW = st.fixed_dictionaries({q.id: answer(q) for q in FW.questions})
EXTERNAL_ROW = st.fixed_dictionaries(
    {
        "egdi_osi": st.one_of(st.none(), st.floats(0, 1)),
        "wjp_open_gov": st.one_of(st.none(), st.floats(0, 1)),
    }
)


@st.composite
def survey(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = draw(st.lists(st.tuples(ROW, EXTERNAL_ROW), min_size=1, max_size=12))
    index = pd.Index(range(100, 100 + len(rows)))
    answers = pd.DataFrame([r for r, _ in rows], index=index, columns=FW.question_ids, dtype=object)
    external = pd.DataFrame([e for _, e in rows], index=index, dtype=float)
    return answers, external


def all_scores(result: ScoreResult) -> pd.DataFrame:
    return pd.concat([result.sub_indicators, result.pillars, result.overall], axis=1)


@SETTINGS
@given(survey())
def test_scores_should_stay_within_the_scale(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    answers, external = data
    values = all_scores(score(FW, answers, external=external)).to_numpy(dtype=float)
    present = values[~np.isnan(values)]
    assert ((present >= 0) & (present <= FW.aggregation.scale + 1e-12)).all()


@SETTINGS
@given(survey(), st.data())
def test_improving_one_answer_should_never_lower_a_score(
    data: tuple[pd.DataFrame, pd.DataFrame], pick: st.DataObject
) -> None:
    answers, external = data
    agency = pick.draw(st.sampled_from(list(answers.index)))
    better = answers.copy()
    # more points on one item: I1 → "full" (top option), I2/I3 → "yes", I5 → every channel
    item = pick.draw(st.sampled_from(["I1", "I2", "I3", "I5"]))
    better.at[agency, item] = {"I1": "full", "I5": ["web", "social", "app"]}.get(item, "yes")
    before = score(FW, answers, external=external)
    after = score(FW, better, external=external)
    assert after.item_points.loc[agency, item] >= before.item_points.loc[agency, item]
    diff = all_scores(after) - all_scores(before)
    assert (diff.fillna(0).to_numpy() >= -1e-12).all()


@SETTINGS
@given(survey(), st.randoms(use_true_random=False))
def test_results_should_not_depend_on_the_order_of_agencies(
    data: tuple[pd.DataFrame, pd.DataFrame], rnd: Any
) -> None:
    answers, external = data
    order = list(answers.index)
    rnd.shuffle(order)
    plain = score(FW, answers, external=external)
    shuffled = score(FW, answers.loc[order], external=external)
    pd.testing.assert_frame_equal(all_scores(shuffled).loc[answers.index], all_scores(plain))
    assert sorted((i.agency_id, i.question_id) for i in shuffled.issues) == sorted(
        (i.agency_id, i.question_id) for i in plain.issues
    )


@SETTINGS
@given(survey())
def test_missing_policies_should_behave_as_declared(
    data: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    answers, external = data
    result = score(FW, answers, external=external)
    state = result.item_state
    for q in FW.scored_questions:
        assert q.scoring is not None
        unanswered = state[q.id] != 0
        points = result.item_points.loc[unanswered, q.id]
        maxima = result.item_max.loc[unanswered, q.id]
        assert (points == 0).all()
        expected_max = 0.0 if q.scoring.missing == "drop" else q.max_points()
        assert (maxima == expected_max).all()
        assert (result.item_max.loc[~unanswered, q.id] == q.max_points()).all()
    # drop: PSDI of an agency without OSI is I3 alone, on the 0..1 scale
    no_osi = external["egdi_osi"].isna()
    i3 = result.item_points.loc[no_osi, "I3"]
    assert np.allclose(result.pillars.loc[no_osi, "PSDI"], i3)
