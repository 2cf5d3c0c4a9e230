"""The engine on small frameworks with hand-checked results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from dgops.framework import Framework, load_framework
from dgops.scoring import ScoreResult, ScoringInputError, score

FIXTURES = Path(__file__).parents[1] / "framework" / "fixtures"


@pytest.fixture(scope="module")
def govtech() -> Framework:
    return load_framework(FIXTURES / "govtech_like.yaml")


def frame(rows: dict[int, dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index").astype(object)


def one_question(question: dict[str, Any], **framework: Any) -> Framework:
    """A framework with a single scored question (plus any extra fields)."""
    return Framework.model_validate(
        {
            "id": "one",
            "year_be": 2566,
            "title_th": "หนึ่งข้อ",
            "pillars": [
                {
                    "code": "P1",
                    "name_th": "มิติ",
                    "weight": 100,
                    "sub_indicators": [
                        {"code": "P1.1", "name_th": "ตัวชี้วัด", "questions": [question]}
                    ],
                }
            ],
        }
        | framework
    )


class TestGovTechLike:
    """Components normalised by their maximum, unweighted mean, groups A–D, scale 1."""

    @pytest.fixture(scope="class")
    def result(self, govtech: Framework) -> ScoreResult:
        answers = frame(
            {
                10: {
                    "I1": "full",
                    "I2": "yes",
                    "I3": "yes",
                    "I5": ["web", "social", "app"],
                    "I7": "yes",
                    "I8": 85,
                },
                11: {
                    "I1": "partial",
                    "I2": "no",
                    "I3": "yes",
                    "I5": ["web"],
                    "I7": "yes",
                    "I8": 60,
                },
                12: {"I1": None, "I2": "yes", "I3": "no", "I5": [], "I7": "no", "I8": 90},
            }
        )
        external = pd.DataFrame(
            {"egdi_osi": [0.9, np.nan, 0.5], "wjp_open_gov": [0.8, 0.4, np.nan]},
            index=[10, 11, 12],
        )
        return score(govtech, answers, external=external)

    def test_should_normalise_each_component_by_its_maximum(self, result: ScoreResult) -> None:
        # agency 10: CGSI (2+1)/3, PSDI (1+0.9)/2, DCEI (min(3,2)+0.8)/3, GTEI (1+2)/3
        expected = {"CGSI": 1.0, "PSDI": 0.95, "DCEI": 2.8 / 3, "GTEI": 1.0}
        assert result.pillars.loc[10].to_dict() == pytest.approx(expected)

    def test_should_drop_missing_external_inputs_from_points_and_maximum(
        self, result: ScoreResult
    ) -> None:
        # agency 11 has no OSI: PSDI = 1/1, not 1/2; agency 12 has no WJP: DCEI = 0/2
        assert result.pillars.loc[11, "PSDI"] == pytest.approx(1.0)
        assert result.item_max.loc[11, "I4"] == 0
        assert result.pillars.loc[12, "DCEI"] == pytest.approx(0.0)
        assert result.item_max.loc[12, "I6"] == 0

    def test_should_average_components_without_weights(self, result: ScoreResult) -> None:
        assert result.overall.loc[10] == pytest.approx((1 + 0.95 + 2.8 / 3 + 1) / 4)
        # agency 11: CGSI 1/3, PSDI 1, DCEI (1+0.4)/3, GTEI (1+1)/3
        assert result.overall.loc[11] == pytest.approx((1 / 3 + 1 + 1.4 / 3 + 2 / 3) / 4)

    def test_should_band_the_index_into_groups(self, result: ScoreResult) -> None:
        # 0.9708 → A, 0.6167 → B; agency 12: (1/3 + 0.25 + 0 + 0) / 4 = 0.1458 → D
        assert result.group.to_dict() == {10: "A", 11: "B", 12: "D"}
        assert result.overall.loc[12] == pytest.approx((1 / 3 + 0.5 / 2 + 0 + 0) / 4)

    def test_should_hide_a_gated_item_and_score_it_as_missing(self, result: ScoreResult) -> None:
        # agency 12 answered I8 = 90 but I7 is "no": I8 is hidden, 0 of 2
        assert result.item_points.loc[12, "I8"] == 0
        assert result.item_max.loc[12, "I8"] == 2
        assert (
            result.items.set_index(["agency_id", "question_id"]).loc[(12, "I8"), "state"]
            == "hidden"
        )

    def test_should_level_scores_by_bands_on_the_scale(self, result: ScoreResult) -> None:
        assert result.overall_level.to_dict() == {10: 5, 11: 4, 12: 1}


@pytest.mark.parametrize(
    ("question", "answer", "points", "maximum"),
    [
        (
            {
                "type": "single_choice",
                "scoring": {"rule": "option_points", "points": {"a": 0, "b": 1, "c": 3}},
            },
            "b",
            1,
            3,
        ),
        (
            {
                "type": "multiple_choice",
                "scoring": {"rule": "option_points", "points": {"a": 2, "b": 2, "c": 3}, "cap": 4},
            },
            ["a", "c"],
            4,
            4,
        ),
        (
            {
                "type": "multiple_choice",
                "scoring": {
                    "rule": "option_points",
                    "points": {"a": 2, "b": 2, "c": 3},
                    "weight": 2,
                },
            },
            ["a", "b"],
            8,
            14,
        ),
        (
            {"type": "yes_no", "scoring": {"rule": "option_points", "points": {"yes": 3}}},
            "no",
            0,
            3,
        ),
        ({"type": "number", "scoring": {"rule": "value_weight", "weight": 2, "max": 10}}, 3, 6, 10),
        (
            {"type": "number", "scoring": {"rule": "value_weight", "weight": 2, "max": 10}},
            30,
            10,
            10,
        ),
        ({"type": "number", "scoring": {"rule": "value_weight", "max": 10}}, -4, 0, 10),
        ({"type": "yes_no", "scoring": {"rule": "positive", "weight": 2}}, "yes", 2, 2),
        ({"type": "number", "scoring": {"rule": "positive"}}, 0, 0, 1),
        ({"type": "multiple_choice", "scoring": {"rule": "positive"}}, ["c"], 1, 1),
        ({"type": "text", "scoring": {"rule": "nonempty_text", "points": 3}}, "แผน", 3, 3),
        ({"type": "text", "scoring": {"rule": "nonempty_text"}}, "   ", 0, 1),
        (
            {
                "type": "percentage",
                "scoring": {
                    "rule": "bands",
                    "bands": [
                        {"min": 80, "points": 4},
                        {"min": 50, "points": 2},
                        {"min": 0, "points": 0},
                    ],
                },
            },
            80,
            4,
            4,
        ),
        (
            {
                "type": "percentage",
                "scoring": {
                    "rule": "bands",
                    "bands": [{"min": 80, "points": 4}, {"min": 50, "points": 2}],
                },
            },
            49.9,
            0,
            4,
        ),
        (
            {
                "type": "multiple_choice",
                "scoring": {"rule": "count_capped", "cap": 2, "weight": 1.5},
            },
            ["a", "b", "c"],
            3,
            3,
        ),
        ({"type": "evidence", "scoring": {"rule": "positive"}}, "sha256:ab", 1, 1),
    ],
)
def test_should_score_each_rule_as_documented(
    question: dict[str, Any], answer: Any, points: float, maximum: float
) -> None:
    q = {"id": "Q", "text_th": "คำถาม"} | question
    if q["type"] in ("single_choice", "multiple_choice"):
        q["options"] = [{"id": o, "text_th": o} for o in "abc"]
    fw = one_question(q)
    result = score(fw, pd.DataFrame({"Q": [answer]}, index=[1], dtype=object))
    assert result.item_points.loc[1, "Q"] == pytest.approx(points)
    assert result.item_max.loc[1, "Q"] == pytest.approx(maximum)
    assert result.issues == []


@pytest.mark.parametrize(
    ("qtype", "value", "reason"),
    [
        ("yes_no", "maybe", "not_an_option"),
        ("yes_no", True, "wrong_type"),
        ("single_choice", "z", "not_an_option"),
        ("single_choice", ["a"], "wrong_type"),
        ("multiple_choice", "a", "wrong_type"),
        ("multiple_choice", ["a", "z"], "not_an_option"),
        ("number", "12", "not_a_number"),
        ("number", True, "not_a_number"),
        ("number", float("inf"), "not_a_number"),
        ("percentage", 120, "out_of_range"),
        ("percentage", -1, "out_of_range"),
        ("text", 42, "wrong_type"),
    ],
)
def test_should_report_out_of_domain_answers_and_score_them_as_missing(
    qtype: str, value: Any, reason: str
) -> None:
    q: dict[str, Any] = {
        "id": "Q",
        "text_th": "คำถาม",
        "type": qtype,
        "scoring": {"rule": "positive", "missing": "drop"},
    }
    if qtype in ("single_choice", "multiple_choice"):
        q["options"] = [{"id": o, "text_th": o} for o in "abc"]
    fw = one_question(q)
    answers = pd.DataFrame({"Q": [value, None]}, index=[7, 8], dtype=object)
    result = score(fw, answers)
    assert [(i.agency_id, i.question_id, i.reason) for i in result.issues] == [(7, "Q", reason)]
    assert result.issues[0].value == value
    assert "(" in result.issues[0].message  # bilingual text
    assert result.item_max.loc[7, "Q"] == 0  # dropped like a missing answer
    assert np.isnan(result.overall.loc[7])
    assert result.item_state.loc[7, "Q"] == 3  # invalid


def test_should_report_issues_as_a_frame() -> None:
    fw = one_question(
        {"id": "Q", "text_th": "ก", "type": "yes_no", "scoring": {"rule": "positive"}}
    )
    result = score(fw, pd.DataFrame({"Q": ["oui"]}, index=[3], dtype=object))
    issues = result.issues_frame()
    assert issues.to_dict("records")[0] | {"message": ""} == {
        "agency_id": 3,
        "question_id": "Q",
        "value": "oui",
        "reason": "not_an_option",
        "message": "",
    }


def test_should_score_zero_of_max_for_missing_answers_under_the_zero_policy() -> None:
    fw = one_question(
        {"id": "Q", "text_th": "ก", "type": "yes_no", "scoring": {"rule": "positive"}}
    )
    result = score(fw, pd.DataFrame({"Q": [None]}, index=[1], dtype=object))
    assert result.item_max.loc[1, "Q"] == 1
    assert result.overall.loc[1] == 0


def test_should_treat_an_absent_column_as_unanswered() -> None:
    fw = one_question(
        {"id": "Q", "text_th": "ก", "type": "yes_no", "scoring": {"rule": "positive"}}
    )
    result = score(fw, pd.DataFrame(index=[1, 2]))
    assert result.overall.tolist() == [0.0, 0.0]


def test_should_refuse_duplicate_agency_ids() -> None:
    fw = one_question(
        {"id": "Q", "text_th": "ก", "type": "yes_no", "scoring": {"rule": "positive"}}
    )
    with pytest.raises(ValueError, match="unique"):
        score(fw, pd.DataFrame({"Q": ["yes", "no"]}, index=[1, 1], dtype=object))


def test_should_reach_a_staged_level_only_when_every_lower_level_is_met() -> None:
    questions = [
        {
            "id": f"L{k}",
            "text_th": f"ระดับ {k}",
            "type": "yes_no",
            "level": k,
            "scoring": {"rule": "positive"},
        }
        for k in (1, 2, 3, 4, 5)
    ]
    questions[3]["type"] = "percentage"
    questions[3]["meets"] = "full"
    questions[3]["scoring"] = {
        "rule": "bands",
        "bands": [{"min": 90, "points": 2}, {"min": 50, "points": 1}],
    }
    fw = Framework.model_validate(
        {
            "id": "staged",
            "year_be": 2566,
            "title_th": "ขั้น",
            "maturity": {"rule": "staged"},
            "pillars": [
                {
                    "code": "P1",
                    "name_th": "มิติ",
                    "weight": 100,
                    "sub_indicators": [
                        {"code": "P1.1", "name_th": "ตัวชี้วัด", "questions": questions}
                    ],
                }
            ],
        }
    )
    answers = frame(
        {
            1: {"L1": "yes", "L2": "yes", "L3": "yes", "L4": 95, "L5": "yes"},  # all met → 5
            2: {"L1": "yes", "L2": "no", "L3": "yes", "L4": 95, "L5": "yes"},  # L2 fails → 1
            3: {"L1": "yes", "L2": "yes", "L3": "yes", "L4": 60, "L5": "yes"},  # L4 not full → 3
            4: {"L1": "no", "L2": "yes", "L3": "yes", "L4": 95, "L5": "yes"},  # lowest is 1
        }
    )
    result = score(fw, answers)
    assert result.pillar_levels["P1"].to_dict() == {1: 5, 2: 1, 3: 3, 4: 1}
    assert result.overall_level.to_dict() == {1: 5, 2: 1, 3: 3, 4: 1}


def test_should_average_sub_indicators_when_the_pillar_rule_says_so() -> None:
    fw = Framework.model_validate(
        {
            "id": "mean",
            "year_be": 2566,
            "title_th": "เฉลี่ย",
            "aggregation": {"pillar": "mean_of_sub_indicators"},
            "pillars": [
                {
                    "code": "P1",
                    "name_th": "มิติ",
                    "weight": 100,
                    "sub_indicators": [
                        {
                            "code": "S1",
                            "name_th": "ก",
                            "questions": [
                                {
                                    "id": "A",
                                    "text_th": "ก",
                                    "type": "yes_no",
                                    "scoring": {"rule": "positive"},
                                }
                            ],
                        },
                        {
                            "code": "S2",
                            "name_th": "ข",
                            "questions": [
                                {
                                    "id": "B",
                                    "text_th": "ข",
                                    "type": "number",
                                    "scoring": {"rule": "value_weight", "max": 3},
                                }
                            ],
                        },
                    ],
                }
            ],
        }
    )
    result = score(fw, frame({1: {"A": "yes", "B": 0}}))
    # ratio over items would be 1/4 = 25; the mean of 100 and 0 is 50
    assert result.pillars.loc[1, "P1"] == pytest.approx(50)
    assert result.sub_indicators.loc[1].tolist() == [100, 0]


def test_should_give_the_long_items_frame_one_row_per_agency_and_item(govtech: Framework) -> None:
    result = score(govtech, frame({1: {"I1": "full"}, 2: {"I1": "none"}}))
    items = result.items
    assert len(items) == 2 * 8
    assert list(items.columns) == ["agency_id", "question_id", "points", "max", "state"]
    first = items.iloc[0].to_dict()
    assert first == {
        "agency_id": 1,
        "question_id": "I1",
        "points": 2.0,
        "max": 2.0,
        "state": "answered",
    }


def test_should_offer_a_wide_frame_for_storage(govtech: Framework) -> None:
    result = score(govtech, frame({1: {"I1": "full"}}))
    wide = result.to_frame()
    assert list(wide.columns[:3]) == ["overall", "overall_level", "group"]
    assert {"CGSI", "CGSI.1", "GTEI.1"} <= set(wide.columns)


def test_should_band_the_overall_level_when_pillars_are_staged_but_overall_rule_is_bands() -> None:
    from dgops.demo.responses import generate_responses
    from dgops.scoring import level_from_score

    framework = load_framework("2566")
    assert framework.maturity.rule == "staged"
    assert framework.maturity.effective_overall_rule == "bands"
    agencies = pd.DataFrame(
        {
            "level": ["department"] * 60,
            "agency_type": ["government_agency", "state_enterprise"] * 30,
            "mission": ["policy", "service", "service"] * 20,
        },
        index=pd.Index(range(1, 61), name="id"),
    )
    result = score(framework, generate_responses(framework, agencies, seed=7))
    expected = level_from_score(framework, result.overall)
    assert result.overall_level.tolist() == expected.tolist()
    assert result.overall_level.nunique() > 1


class TestNothingSilent:
    """Inputs whose shape does not match the framework are reported, never silently scored."""

    @staticmethod
    def _answers(**extra: Any) -> pd.DataFrame:
        row = {"I1": "full", "I2": "yes", "I3": "yes", "I5": ["web"], "I7": "no", "I8": 50}
        return frame({10: row | extra, 11: row | extra})

    def _external(self, index: list[int] | None = None, **columns: list[float]) -> pd.DataFrame:
        data = columns or {"egdi_osi": [0.9, 0.5], "wjp_open_gov": [0.8, 0.4]}
        return pd.DataFrame(data, index=index or [10, 11])

    @staticmethod
    def _reasons(result: ScoreResult) -> set[tuple[str, str]]:
        return {(i.question_id, i.reason) for i in result.issues}

    def test_should_report_an_answer_column_that_matches_no_question(
        self, govtech: Framework
    ) -> None:
        result = score(govtech, self._answers(I9_typo=3), external=self._external())
        assert ("I9_typo", "unknown_column") in self._reasons(result)

    def test_should_report_a_question_without_a_column(self, govtech: Framework) -> None:
        answers = self._answers().drop(columns=["I8"])
        result = score(govtech, answers, external=self._external())
        assert ("I8", "missing_column") in self._reasons(result)

    def test_should_report_missing_misspelt_and_misindexed_external_inputs(
        self, govtech: Framework
    ) -> None:
        none = score(govtech, self._answers())
        assert {("egdi_osi", "missing_external"), ("wjp_open_gov", "missing_external")} <= (
            self._reasons(none)
        )
        misspelt = score(
            govtech,
            self._answers(),
            external=self._external(egdi_osi=[0.9, 0.5], wjp_opengov=[0.8, 0.4]),
        )
        assert {("wjp_open_gov", "missing_external"), ("wjp_opengov", "unknown_external")} <= (
            self._reasons(misspelt)
        )
        by_code = score(govtech, self._answers(), external=self._external(index=[1010, 1011]))
        rows = [(i.agency_id, i.reason) for i in by_code.issues if i.question_id == "external"]
        assert sorted(rows) == [
            (10, "external_row_missing"),
            (11, "external_row_missing"),
            (1010, "external_row_unknown"),
            (1011, "external_row_unknown"),
        ]

    def test_should_report_nothing_when_the_inputs_match(self, govtech: Framework) -> None:
        assert score(govtech, self._answers(), external=self._external()).issues == []

    def test_should_refuse_a_mismatch_when_strict(self, govtech: Framework) -> None:
        with pytest.raises(ScoringInputError, match="I9_typo") as caught:
            score(govtech, self._answers(I9_typo=3), strict=True)
        reasons = {i.reason for i in caught.value.issues}
        assert reasons == {"unknown_column", "missing_external"}

    def test_should_report_a_value_weight_answer_above_its_top(self) -> None:
        fw = one_question(
            {
                "id": "Q1",
                "type": "number",
                "text_th": "คะแนน 0-5",
                "scoring": {"rule": "value_weight", "max": 5, "top": 5},
            }
        )
        result = score(fw, frame({1: {"Q1": 4}, 2: {"Q1": 40}, 3: {"Q1": -1}}))
        assert [(i.agency_id, i.reason) for i in result.issues] == [
            (2, "out_of_range"),
            (3, "out_of_range"),
        ]
        assert result.item_state.loc[2, "Q1"] == 3  # invalid, scored as missing
        assert result.overall.loc[1] == pytest.approx(80.0)


class TestIndicesOfOtherShapes:
    """International indices: ids with "-", no maturity levels, a plain mean of pillars."""

    @staticmethod
    def framework(**extra: Any) -> Framework:
        def pillar(code: str, qid: str) -> dict[str, Any]:
            return {
                "code": code,
                "name_th": code,
                "sub_indicators": [
                    {
                        "code": f"{code}.1",
                        "name_th": code,
                        "questions": [
                            {
                                "id": qid,
                                "type": "yes_no",
                                "text_th": qid,
                                "scoring": {"rule": "positive"},
                            }
                        ],
                    }
                ],
            }

        return Framework.model_validate(
            {
                "id": "index",
                "year_be": 2566,
                "title_th": "ดัชนี",
                "aggregation": {"overall": "mean"},
                "maturity": None,
                "pillars": [pillar("I-1", "I-1.4"), pillar("I-2", "I-2.1")],
            }
            | extra
        )

    def test_should_accept_ids_with_a_dash_and_no_weights_or_levels(self) -> None:
        from dgops.framework import check_framework

        fw = self.framework()
        assert check_framework(fw) == []
        result = score(fw, frame({1: {"I-1.4": "yes", "I-2.1": "no"}}), strict=True)
        assert result.overall.loc[1] == pytest.approx(50.0)
        assert result.pillar_levels.isna().all().all()
        assert result.overall_level.isna().all()
        assert result.level_bands is None

    def test_should_need_pillar_weights_only_for_a_weighted_mean(self) -> None:
        from dgops.framework import check_framework

        fw = self.framework(aggregation={"overall": "weighted_mean"})
        problems = check_framework(fw)
        assert (
            "pillars[0].weight",
            "the overall score is a weighted_mean: every pillar needs a weight",
        ) in problems
