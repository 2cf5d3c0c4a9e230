"""Navigation helpers on Framework and the one-agency show-if semantics."""

from __future__ import annotations

from pathlib import Path

import pytest

from dgops.framework import Condition, Framework, condition_holds, load_framework

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def govtech() -> Framework:
    return load_framework(FIXTURES / "govtech_like.yaml")


def test_should_list_questions_in_questionnaire_order(govtech: Framework) -> None:
    assert govtech.question_ids == ["I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8"]
    assert [q.id for q in govtech.scored_questions] == govtech.question_ids


def test_should_look_up_questions_and_their_parents(govtech: Framework) -> None:
    assert govtech.question("I5").type == "multiple_choice"
    assert govtech.sub_indicator_of("I5") == "DCEI.1"
    assert govtech.pillar_of("I5") == "DCEI"
    assert govtech.pillar_of_sub_indicator("GTEI.1") == "GTEI"
    with pytest.raises(KeyError):
        govtech.question("nope")


def test_should_group_items_per_sub_indicator_and_pillar(govtech: Framework) -> None:
    assert [q.id for q in govtech.items_by_sub_indicator()["PSDI.1"]] == ["I3", "I4"]
    assert [q.id for q in govtech.items_by_pillar()["GTEI"]] == ["I7", "I8"]


def test_should_derive_each_rule_maximum(govtech: Framework) -> None:
    maxima = {q.id: q.max_points() for q in govtech.scored_questions}
    assert maxima == {"I1": 2, "I2": 1, "I3": 1, "I4": 1, "I5": 2, "I6": 1, "I7": 1, "I8": 2}


def test_should_fall_back_to_framework_level_names(govtech: Framework) -> None:
    assert govtech.level_names("CGSI") == [
        "Initial",
        "Developing",
        "Defined",
        "Integrated",
        "Optimizing",
    ]


def test_should_show_a_gated_question_only_when_its_condition_holds(govtech: Framework) -> None:
    assert govtech.evaluate_show_if({"I7": "yes"})["I8"] is True
    assert govtech.evaluate_show_if({"I7": "no"})["I8"] is False
    assert govtech.evaluate_show_if({})["I8"] is False
    assert govtech.evaluate_show_if({})["I1"] is True


def _c(**kw: object) -> Condition:
    return Condition.model_validate(kw)


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        (_c(question="A", equals="yes"), {"A": "yes"}, True),
        (_c(question="A", equals="yes"), {"A": None}, False),
        (_c(question="A", **{"in": ["a", "b"]}), {"A": "b"}, True),
        (_c(question="A", any_selected=["x"]), {"A": ["y", "x"]}, True),
        (_c(question="A", any_selected=["x"]), {"A": []}, False),
        (_c(question="A", gt=0), {"A": 0}, False),
        (_c(question="A", gt=0), {"A": 2.5}, True),
        (_c(question="A", gte=2), {"A": 2}, True),
        (_c(question="A", lt=2), {"A": "1"}, False),
        (_c(question="A", not_empty=True), {"A": "  "}, False),
        (_c(question="A", not_empty=False), {}, True),
        (
            _c(all=[{"question": "A", "equals": 1}, {"question": "B", "gt": 1}]),
            {"A": 1, "B": 2},
            True,
        ),
        (
            _c(all=[{"question": "A", "equals": 1}, {"question": "B", "gt": 1}]),
            {"A": 1, "B": 0},
            False,
        ),
        (
            _c(any=[{"question": "A", "equals": 1}, {"question": "B", "gt": 1}]),
            {"A": 0, "B": 2},
            True,
        ),
    ],
)
def test_should_evaluate_conditions_as_documented(
    condition: Condition, answers: dict[str, object], expected: bool
) -> None:
    assert condition_holds(condition, answers) is expected


def test_should_cascade_hiding_down_a_chain_of_conditions() -> None:
    fw = Framework.model_validate(
        {
            "id": "chain",
            "year_be": 2566,
            "title_th": "ต่อเนื่อง",
            "pillars": [
                {
                    "code": "P1",
                    "name_th": "มิติ",
                    "weight": 100,
                    "sub_indicators": [
                        {
                            "code": "P1.1",
                            "name_th": "ตัวชี้วัด",
                            "questions": [
                                {"id": "A", "text_th": "ก", "type": "yes_no"},
                                {
                                    "id": "B",
                                    "text_th": "ข",
                                    "type": "yes_no",
                                    "show_if": {"question": "A", "equals": "yes"},
                                },
                                {
                                    "id": "C",
                                    "text_th": "ค",
                                    "type": "yes_no",
                                    "show_if": {"question": "B", "equals": "yes"},
                                    "scoring": {"rule": "positive"},
                                },
                            ],
                        }
                    ],
                }
            ],
        }
    )
    # B was answered "yes" but is hidden (A is "no"), so C is hidden too
    assert fw.evaluate_show_if({"A": "no", "B": "yes", "C": "yes"}) == {
        "A": True,
        "B": False,
        "C": False,
    }
