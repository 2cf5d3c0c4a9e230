"""The advice library: merged topics, overrides, validation errors, coverage of shipped years."""

from __future__ import annotations

from pathlib import Path

import pytest

from dgops.framework import DATA_DIR as FRAMEWORK_DIR
from dgops.framework import load_framework
from dgops.recommend import LEVELS, RuleError, check_rules, load_rules, load_themes
from dgops.recommend.rules import DATA_DIR

HERE = Path(__file__).parent / "data"


def test_should_merge_topic_advice_with_per_sub_indicator_overrides() -> None:
    book = load_rules(HERE / "rules_mini.yaml")
    assert book.framework == "mini"
    literacy = book.advice("P2.1", 3)
    assert "ร้อยละ ๘๐" in literacy.text_th
    assert literacy.lead_unit == "ฝ่ายบริหารทรัพยากรบุคคล"
    assert "ฝ่ายเทคโนโลยีสารสนเทศ" in literacy.support_units
    assert book.advice("P2.2", 1).lead_unit == "สำนักงานเลขานุการกรม"
    assert book.advice("P3.2", 5).text_th == "ควรรักษามาตรฐานบริการ"
    assert book.advice("P3.2", 4).text_th != "ควรรักษามาตรฐานบริการ"
    assert book.theme_of("P1.2") == "data"


def test_should_have_no_problem_between_the_mini_rules_and_their_framework() -> None:
    framework = load_framework(HERE / "mini.yaml")
    assert check_rules(load_rules(HERE / "rules_mini.yaml"), framework) == []


def test_should_name_the_file_and_path_of_an_unknown_topic(tmp_path: Path) -> None:
    bad = tmp_path / "rules_x.yaml"
    bad.write_text('framework: "x"\nsub_indicators:\n  P1.1: {topic: usabilty}\n', "utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(bad)
    assert "rules_x.yaml: sub_indicators.P1.1.topic: unknown topic 'usabilty'" in str(info.value)


def test_should_reject_a_topic_that_misses_a_level_or_repeats_one(tmp_path: Path) -> None:
    topics = tmp_path / "topics.yaml"
    topics.write_text(
        "topics:\n  t:\n    theme: data\n    name_th: x\n    lead: ฝ่ายไอที\n"
        '    advice: {"1-2": a, "2": b, "4-5": c}\n',
        "utf-8",
    )
    rules = tmp_path / "rules_x.yaml"
    rules.write_text('framework: "x"\nsub_indicators:\n  P1.1: {topic: t}\n', "utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(rules, topics_path=topics)
    message = str(info.value)
    assert "topics.yaml: topics.t.advice.2: level 2 is given twice" in message
    assert "topics.yaml: topics.t.advice: no advice for level(s) [3]" in message


def test_should_flag_sub_indicators_without_advice_and_unknown_codes(tmp_path: Path) -> None:
    rules = tmp_path / "rules_mini.yaml"
    rules.write_text(
        'framework: "mini"\nsub_indicators:\n  P1.1: {topic: data_policy}\n'
        "  P9.9: {topic: data_policy}\n",
        "utf-8",
    )
    problems = check_rules(load_rules(rules), load_framework(HERE / "mini.yaml"))
    assert "P1.2: no advice for this sub-indicator" in problems
    assert "P9.9: not a sub-indicator of mini" in problems


@pytest.mark.parametrize("framework_id", ["2565", "2566"])
def test_should_advise_every_sub_indicator_of_a_shipped_framework_at_every_level(
    framework_id: str,
) -> None:
    if not (FRAMEWORK_DIR / f"{framework_id}.yaml").exists():
        pytest.skip(f"framework {framework_id} is not shipped yet")
    framework = load_framework(framework_id)
    book = load_rules(framework_id)
    assert check_rules(book, framework) == []
    for code in framework.sub_indicator_codes:
        for level in LEVELS:
            advice = book.advice(code, level)
            assert advice.text_th.strip(), (code, level)
            assert advice.lead_unit.strip(), (code, level)


def test_should_have_a_national_text_for_every_theme_a_topic_feeds() -> None:
    import yaml

    topics = yaml.safe_load((DATA_DIR / "topics.yaml").read_text("utf-8"))["topics"]
    themes = load_themes()
    assert {t["theme"] for t in topics.values()} <= set(themes)
    assert {"data", "digital_skills", "digital_services", "cyber_security"} <= set(themes)
