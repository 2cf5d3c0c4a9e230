"""Loading framework files: every validation rule names the file and the path inside it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from dgops.framework import (
    DATA_DIR,
    FrameworkError,
    load_framework,
    load_mapping,
    resolve_framework_path,
)

FIXTURES = Path(__file__).parent / "fixtures"


def _q(qid: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": qid,
        "text_th": f"คำถาม {qid}",
        "type": "yes_no",
        "scoring": {"rule": "positive"},
    } | extra


def base() -> dict[str, Any]:
    """A small valid framework; each bad case changes one thing."""
    return {
        "id": "t",
        "year_be": 2566,
        "title_th": "ทดสอบ",
        "external_inputs": [{"key": "osi"}],
        "pillars": [
            {
                "code": "P1",
                "name_th": "มิติ 1",
                "weight": 60,
                "sub_indicators": [
                    {
                        "code": "P1.1",
                        "name_th": "ตัวชี้วัด 1.1",
                        "questions": [
                            _q("Q1"),
                            {
                                "id": "Q2",
                                "text_th": "ช่องทาง",
                                "type": "single_choice",
                                "options": [
                                    {"id": "a", "text_th": "ก"},
                                    {"id": "b", "text_th": "ข"},
                                ],
                                "scoring": {"rule": "option_points", "points": {"a": 0, "b": 2}},
                            },
                            _q("Q3", show_if={"question": "Q1", "equals": "yes"}),
                        ],
                    }
                ],
            },
            {
                "code": "P2",
                "name_th": "มิติ 2",
                "weight": 40,
                "sub_indicators": [
                    {
                        "code": "P2.1",
                        "name_th": "ตัวชี้วัด 2.1",
                        "questions": [
                            {
                                "id": "Q4",
                                "text_th": "จำนวนระบบ",
                                "type": "number",
                                "scoring": {"rule": "value_weight", "max": 5},
                            },
                            _q("Q5"),
                        ],
                    }
                ],
            },
        ],
    }


def write(tmp_path: Path, data: Any, name: str = "2566.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def q(data: dict[str, Any], pillar: int, question: int) -> dict[str, Any]:
    result: dict[str, Any] = data["pillars"][pillar]["sub_indicators"][0]["questions"][question]
    return result


def test_should_load_a_valid_framework_from_a_path(tmp_path: Path) -> None:
    fw = load_framework(write(tmp_path, base()))
    assert fw.question_ids == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert fw.question("Q4").max_points() == 5


def test_should_resolve_a_bare_id_to_the_shipped_data_file() -> None:
    assert resolve_framework_path("2566") == DATA_DIR / "2566.yaml"
    assert resolve_framework_path("some/file.yaml") == Path("some/file.yaml")


def test_should_name_the_missing_file_and_the_shipped_ids() -> None:
    with pytest.raises(FrameworkError, match=r"2499\.yaml: no such framework file"):
        load_framework("2499")


def test_should_report_yaml_syntax_errors_with_line_and_column() -> None:
    with pytest.raises(
        FrameworkError, match=r"yaml_syntax\.yaml: YAML syntax error at line 6, column 1"
    ):
        load_framework(FIXTURES / "bad" / "yaml_syntax.yaml")


def test_should_refuse_a_key_written_twice() -> None:
    with pytest.raises(FrameworkError, match=r"line 4, column 1: duplicate key 'title_th'"):
        load_framework(FIXTURES / "bad" / "duplicate_key.yaml")


def test_should_report_every_problem_at_once(tmp_path: Path) -> None:
    data = base()
    q(data, 0, 2)["id"] = "Q5"
    data["pillars"][1]["weight"] = 10
    with pytest.raises(FrameworkError) as info:
        load_framework(write(tmp_path, data))
    assert len(info.value.problems) == 2
    assert info.value.file == "2566.yaml"


Mutation = Callable[[dict[str, Any]], None]


def _set(path: list[Any], value: Any) -> Mutation:
    def apply(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return apply


QP = ["pillars", 0, "sub_indicators", 0, "questions"]

BAD_CASES: dict[str, tuple[Mutation, str]] = {
    "scoring max not positive": (
        _set(["pillars", 1, "sub_indicators", 0, "questions", 0, "scoring", "max"], 0),
        r"2566\.yaml: pillars\[1\]\.sub_indicators\[0\]\.questions\[0\]\.scoring\.max: must be > 0",
    ),
    "rule whose maximum is zero": (
        _set([*QP, 1, "scoring", "points"], {"a": 0, "b": 0}),
        r"questions\[1\]\.scoring\.points: the rule's maximum is 0; it must be > 0",
    ),
    "weight zero makes the maximum zero": (
        _set([*QP, 0, "scoring", "weight"], 0),
        r"questions\[0\]\.scoring\.weight: must be > 0",
    ),
    "weights not summing as declared": (
        _set(["pillars", 0, "weight"], 50),
        r"2566\.yaml: pillars: pillar weights sum to 90, but aggregation\.weights_total is 100",
    ),
    "duplicate question ids": (
        _set([*QP, 2, "id"], "Q1"),
        r"questions\[2\]\.id: duplicate question id 'Q1' \(first at pillars\[0\]",
    ),
    "duplicate pillar codes": (
        _set(["pillars", 1, "code"], "P1"),
        r"pillars\[1\]\.code: duplicate code 'P1'",
    ),
    "duplicate sub-indicator codes": (
        _set(["pillars", 1, "sub_indicators", 0, "code"], "P1.1"),
        r"pillars\[1\]\.sub_indicators\[0\]\.code: duplicate code 'P1\.1'",
    ),
    "duplicate option ids": (
        _set([*QP, 1, "options"], [{"id": "a", "text_th": "ก"}, {"id": "a", "text_th": "ข"}]),
        r"questions\[1\]\.options\[1\]\.id: duplicate option id 'a'",
    ),
    "unknown option id in points": (
        _set([*QP, 1, "scoring", "points"], {"a": 0, "z": 2}),
        r"questions\[1\]\.scoring\.points\.z: unknown option id 'z' of Q2",
    ),
    "unknown option id in show_if": (
        _set([*QP, 2, "show_if"], {"question": "Q2", "in": ["a", "zz"]}),
        r"questions\[2\]\.show_if\.in: unknown option id\(s\) \['zz'\] of Q2",
    ),
    "show_if on an unknown question": (
        _set([*QP, 2, "show_if"], {"question": "Q99", "equals": "yes"}),
        r"questions\[2\]\.show_if\.question: unknown question 'Q99'",
    ),
    "show_if on a later question": (
        _set([*QP, 0, "show_if"], {"question": "Q2", "equals": "a"}),
        r"questions\[0\]\.show_if\.question: refers to Q2, which is not earlier than Q1",
    ),
    "show_if cycle": (
        _set([*QP, 0, "show_if"], {"any": [{"question": "Q3", "equals": "yes"}]}),
        r"questions\[0\]\.show_if: show_if conditions form a cycle: Q1 → Q3 → Q1",
    ),
    "show_if test that does not fit the type": (
        _set([*QP, 2, "show_if"], {"question": "Q1", "gt": 3}),
        r"show_if\.gt: test 'gt' does not fit Q1, a yes_no question",
    ),
    "show_if with two tests": (
        _set([*QP, 2, "show_if"], {"question": "Q1", "equals": "yes", "gt": 1}),
        r"questions\[2\]\.show_if: a condition needs exactly one test",
    ),
    "rule incompatible with the type": (
        _set([*QP, 0, "scoring"], {"rule": "value_weight", "max": 3}),
        r"questions\[0\]\.scoring\.rule: rule 'value_weight' does not fit a yes_no question",
    ),
    "count_capped on a single choice": (
        _set([*QP, 1, "scoring"], {"rule": "count_capped", "cap": 2}),
        r"questions\[1\]\.scoring\.rule: rule 'count_capped' does not fit a single_choice",
    ),
    "unknown scoring rule": (
        _set([*QP, 0, "scoring"], {"rule": "magic"}),
        r"questions\[0\]\.scoring: unknown scoring rule 'magic'",
    ),
    "bands not descending": (
        _set(
            ["pillars", 1, "sub_indicators", 0, "questions", 0, "scoring"],
            {"rule": "bands", "bands": [{"min": 0, "points": 0}, {"min": 50, "points": 2}]},
        ),
        r"questions\[0\]\.scoring\.bands: bands must be listed by strictly descending min",
    ),
    "maturity bands not increasing": (
        _set(["maturity"], {"rule": "bands", "bands": [0, 40, 20, 60, 80]}),
        r"maturity\.bands: must be strictly increasing",
    ),
    "maturity bands not five": (
        _set(["maturity"], {"rule": "bands", "bands": [0, 50]}),
        r"maturity\.bands: must have 5 entries",
    ),
    "pillar levels not five names": (
        _set(["pillars", 0, "levels"], ["Compliance", "Transparency"]),
        r"pillars\[0\]\.levels: must name the 5 levels, found 2",
    ),
    "choice question without options": (
        _set([*QP, 1, "options"], None),
        r"questions\[1\]\.options: a single_choice question needs options",
    ),
    "options on a yes/no question": (
        _set([*QP, 0, "options"], [{"id": "a", "text_th": "ก"}]),
        r"questions\[0\]\.options: a yes_no question takes no options",
    ),
    "unknown external key": (
        _set([*QP, 0, "scoring"], {"rule": "external", "key": "nope"}),
        r"questions\[0\]\.scoring\.key: unknown external input 'nope'",
    ),
    "misspelt key": (
        _set([*QP, 0, "scoring"], {"rule": "positive", "wieght": 2}),
        r"questions\[0\]\.scoring\.wieght: unknown key",
    ),
    "missing required key": (
        _set(["pillars", 0, "name_th"], None),
        r"pillars\[0\]\.name_th: Input should be a valid string",
    ),
    "bad question id": (
        _set([*QP, 0, "id"], "1-bad"),
        r"questions\[0\]\.id: '1-bad' is not a valid id",
    ),
    "groups not descending": (
        _set(["groups"], [{"code": "B", "min": 50}, {"code": "A", "min": 75}]),
        r"groups\[1\]\.min: groups must be listed by strictly descending min",
    ),
    "level without scoring": (
        _set([*QP, 0], {"id": "Q1", "text_th": "x", "type": "text", "level": 2}),
        r"questions\[0\]\.level: a maturity level needs a scoring rule",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_should_reject_a_bad_framework_naming_file_and_path(tmp_path: Path, case: str) -> None:
    mutate, expected = BAD_CASES[case]
    data = copy.deepcopy(base())
    mutate(data)
    with pytest.raises(FrameworkError, match=expected):
        load_framework(write(tmp_path, data))


def test_should_load_the_mapping_and_check_it_against_both_frameworks(tmp_path: Path) -> None:
    before = write(tmp_path, base() | {"id": "2565"}, "2565.yaml")
    after_data = base() | {"id": "2566"}
    after_data["pillars"][1]["code"] = "P9"
    after = write(tmp_path, after_data)
    mapping_file = write(
        tmp_path,
        {"from": "2565", "to": "2566", "pillars": {"P9": "P2"}, "questions": {"Q1": None}},
        "mapping.yaml",
    )
    mapping = load_mapping(
        mapping_file, previous=load_framework(before), current=load_framework(after)
    )
    assert mapping.previous_pillar("P9") == "P2"
    assert mapping.previous_pillar("P1") == "P1"
    assert mapping.previous_question("Q1") is None


def test_should_reject_a_mapping_to_an_unknown_code(tmp_path: Path) -> None:
    fw = load_framework(write(tmp_path, base()))
    mapping_file = write(
        tmp_path, {"from": "t", "to": "t", "pillars": {"P1": "P7"}}, "mapping.yaml"
    )
    with pytest.raises(
        FrameworkError, match=r"mapping\.yaml: pillars\.P1: maps to 'P7', not in framework t"
    ):
        load_mapping(mapping_file, previous=fw, current=fw)


@pytest.mark.parametrize("fid", ["2565", "2566"])
def test_should_load_the_shipped_frameworks(fid: str) -> None:
    if not (DATA_DIR / f"{fid}.yaml").exists():
        pytest.skip(f"{fid}.yaml not written yet")
    fw = load_framework(fid)
    assert fw.id == fid
    assert sum(p.weight for p in fw.pillars) == pytest.approx(fw.aggregation.weights_total)


def test_should_load_the_shipped_mapping_against_its_frameworks() -> None:
    if not (DATA_DIR / "mapping_2565_2566.yaml").exists():
        pytest.skip("mapping not written yet")
    mapping = load_mapping(
        ("2565", "2566"), previous=load_framework("2565"), current=load_framework("2566")
    )
    assert mapping.from_ == "2565"
    assert mapping.to == "2566"
