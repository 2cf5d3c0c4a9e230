"""The shipped frameworks: 2565 (six pillars), 2566 (seven pillars) and their mapping."""

from __future__ import annotations

from collections import Counter

import pytest

from dgops.framework import (
    RULE_TYPES,
    Framework,
    YearMapping,
    available_frameworks,
    load_framework,
    load_mapping,
)
from dgops.framework.model import QUESTION_TYPES

SHIPPED = ("2565", "2566")

WEIGHTS = {
    "2565": {"P1": 20, "P2": 20, "P3": 30, "P4": 10, "P5": 15, "P6": 5},
    # not published by DGA: the assumption stated in 2566.yaml
    "2566": {"P1": 15, "P2": 15, "P3": 15, "P4": 25, "P5": 10, "P6": 15, "P7": 5},
}

PILLAR_LEVELS = {
    "Policies and Practices": [
        "Compliance",
        "Transparency",
        "Constituent value",
        "Insight-driven transformation",
        "Sustainability",
    ],
    "Data-driven Practices": [
        "Foundational",
        "Standardized",
        "Optimized",
        "Integrated",
        "Exemplary",
    ],
    "Digital Capability": [
        "Inefficient",
        "Elementary",
        "Intermediate",
        "Effective",
        "Digital savvy",
    ],
    "Public Services": ["Reactive", "Intermediated", "Proactive", "Embedded", "Predictive"],
    "Smart Back Office": ["Basic", "Co-ordinated", "Digital", "Strategic", "Transformational"],
    "Secure and Efficient Infrastructure": [
        "Obsolete",
        "Fundamental",
        "Cross-channel",
        "Integrated",
        "Digitized",
    ],
    "Digital Technology Practices": [
        "Outdated",
        "Standard",
        "Disruptive-tech",
        "Leading-tech",
        "Future-tech",
    ],
}

CLAIM_TYPES = ("yes_no", "single_choice", "multiple_choice", "percentage")


@pytest.fixture(scope="module")
def frameworks() -> dict[str, Framework]:
    return {fid: load_framework(fid) for fid in SHIPPED}


@pytest.fixture(scope="module")
def mapping(frameworks: dict[str, Framework]) -> YearMapping:
    return load_mapping(("2565", "2566"), previous=frameworks["2565"], current=frameworks["2566"])


def test_should_list_both_shipped_frameworks() -> None:
    assert set(SHIPPED) <= set(available_frameworks())


@pytest.mark.parametrize("fid", SHIPPED)
def test_should_load_with_its_own_id_and_year(frameworks: dict[str, Framework], fid: str) -> None:
    fw = frameworks[fid]
    assert fw.id == fid
    assert fw.year_be == int(fid)
    assert fw.assumptions, "what is not published must be stated as an assumption"


@pytest.mark.parametrize("fid", SHIPPED)
def test_should_hold_between_80_and_150_questions(
    frameworks: dict[str, Framework], fid: str
) -> None:
    assert 80 <= len(frameworks[fid].questions) <= 150


@pytest.mark.parametrize("fid", SHIPPED)
def test_should_use_every_question_type_rule_and_missing_policy(
    frameworks: dict[str, Framework], fid: str
) -> None:
    fw = frameworks[fid]
    assert {q.type for q in fw.questions} == set(QUESTION_TYPES)
    rules = [q.scoring for q in fw.scored_questions]
    assert {r.rule for r in rules if r is not None} == set(RULE_TYPES)
    assert {r.missing for r in rules if r is not None} == {"zero", "drop"}
    assert any(q.show_if is not None for q in fw.questions)
    assert any(q.meets == "full" for q in fw.questions)


@pytest.mark.parametrize("fid", SHIPPED)
def test_should_weight_pillars_as_stated(frameworks: dict[str, Framework], fid: str) -> None:
    fw = frameworks[fid]
    assert {p.code: p.weight for p in fw.pillars} == WEIGHTS[fid]
    assert sum(p.weight for p in fw.pillars) == fw.aggregation.weights_total == 100


def test_should_state_the_assumed_2566_weights(frameworks: dict[str, Framework]) -> None:
    assert any("15/15/15/25/10/15/5" in text for text in frameworks["2566"].assumptions)


def test_should_use_score_bands_in_2565_and_the_staged_rule_in_2566(
    frameworks: dict[str, Framework],
) -> None:
    assert frameworks["2565"].maturity.rule == "bands"
    assert frameworks["2565"].maturity.bands == [0, 20, 40, 60, 80]
    assert frameworks["2566"].maturity.rule == "staged"


@pytest.mark.parametrize("fid", SHIPPED)
def test_should_name_each_pillars_levels_as_published(
    frameworks: dict[str, Framework], fid: str
) -> None:
    fw = frameworks[fid]
    for pillar in fw.pillars:
        assert pillar.name_en is not None
        assert pillar.levels == PILLAR_LEVELS[pillar.name_en]
        assert 2 <= len(pillar.sub_indicators) <= 4
        assert all(s.name_th and s.name_en for s in pillar.sub_indicators)
    assert [lv.name_th for lv in fw.levels] == ["ริเริ่ม", "ขั้นต้น", "ขั้นกลาง", "ขั้นสูง", "ขั้นสูงสุด"]


@pytest.mark.parametrize("fid", SHIPPED)
def test_should_gate_every_level_2_to_5_of_every_pillar_with_required_items(
    frameworks: dict[str, Framework], fid: str
) -> None:
    fw = frameworks[fid]
    for pillar in fw.pillars:
        levels = {
            q.level
            for s in pillar.sub_indicators
            for q in s.questions
            if q.level is not None and q.scoring is not None and q.required
        }
        assert {2, 3, 4, 5} <= levels, f"{fid} {pillar.code} has items only at levels {levels}"


@pytest.mark.parametrize("fid", SHIPPED)
def test_should_require_evidence_for_claims_at_level_3_and_above(
    frameworks: dict[str, Framework], fid: str
) -> None:
    unbacked = [
        q.id
        for q in frameworks[fid].questions
        if q.level is not None
        and q.level >= 3
        and q.type in CLAIM_TYPES
        and q.evidence != "required"
    ]
    assert unbacked == []


@pytest.mark.parametrize("fid", SHIPPED)
def test_should_ask_the_topics_the_seed_documents_name(
    frameworks: dict[str, Framework], fid: str
) -> None:
    fw = frameworks[fid]
    # the 8 government digital-service processes
    assert len(fw.question("CX_02").option_ids()) == 8
    # the 5 NIST CSF functions
    assert fw.question("CYB_02").option_ids() == [
        "identify",
        "protect",
        "detect",
        "respond",
        "recover",
    ]
    # central government infrastructure
    assert {"gdcc", "gin", "gin_conf", "mailgothai"} <= set(fw.question("RI_05").option_ids())
    # open-data star level, 5 stars = RDF linked data
    stars = fw.question("DPO_03")
    assert stars.option_ids()[-1] == "star5"
    assert stars.options is not None
    assert "RDF" in stars.options[-1].text_th
    # share of digital services: >= 80 % earns full points
    share = fw.question("SP_03")
    assert share.type == "percentage"
    assert share.scoring is not None
    assert share.scoring.rule == "bands"
    assert share.scoring.bands[0].min == 80
    # share of staff passing the digital-skills test, target > 80 %
    passed = fw.question("ITC_04")
    assert passed.type == "percentage"
    assert passed.scoring is not None
    assert passed.scoring.rule == "bands"
    assert passed.scoring.bands[0].min == 80
    # digital transactions (asked only when there are transactions) <= all transactions
    assert fw.question("SP_05").type == fw.question("SP_06").type == "number"
    gate = fw.question("SP_06").show_if
    assert gate is not None
    assert gate.referenced_questions() == ["SP_05"]
    # free-text reason for not surveying user needs before opening data, coded later
    reason = fw.question("OGD_05")
    assert reason.type == "text"
    assert reason.scoring is None
    assert reason.show_if is not None
    assert reason.show_if.question == "OGD_04"


@pytest.mark.parametrize("fid", SHIPPED)
def test_should_declare_every_external_input_it_uses_and_drop_it_when_missing(
    frameworks: dict[str, Framework], fid: str
) -> None:
    fw = frameworks[fid]
    external = [
        q for q in fw.scored_questions if q.scoring is not None and q.scoring.rule == "external"
    ]
    assert external
    declared = {e.key for e in fw.external_inputs}
    for q in external:
        assert q.scoring is not None
        assert q.scoring.missing == "drop"
        assert getattr(q.scoring, "key", None) in declared
        assert not q.required, f"{q.id} comes from a central system: agencies do not answer it"


def test_should_map_only_codes_that_exist(
    frameworks: dict[str, Framework], mapping: YearMapping
) -> None:
    old, new = frameworks["2565"], frameworks["2566"]
    sections = (
        (mapping.pillars, old.pillar_codes, new.pillar_codes),
        (mapping.sub_indicators, old.sub_indicator_codes, new.sub_indicator_codes),
        (mapping.questions, old.question_ids, new.question_ids),
    )
    for entries, old_codes, new_codes in sections:
        for to_code, from_code in entries.items():
            if from_code is None:
                assert to_code in set(new_codes) | set(old_codes)
            else:
                assert to_code in new_codes
                assert from_code in old_codes


def test_should_map_every_pillar_and_sub_indicator_of_2566_explicitly(
    frameworks: dict[str, Framework], mapping: YearMapping
) -> None:
    # pillar codes shift in 2566 (Data-driven Practices is pillar 2): nothing may map implicitly
    new = frameworks["2566"]
    assert set(mapping.pillars) == set(new.pillar_codes)
    assert set(mapping.sub_indicators) == set(new.sub_indicator_codes)
    assert mapping.previous_pillar("P2") is None
    assert new.pillar("P2").name_en == "Data-driven Practices"
    for to_code, from_code in mapping.pillars.items():
        if from_code is not None:
            assert new.pillar(to_code).name_en == frameworks["2565"].pillar(from_code).name_en


def test_should_list_every_question_that_is_not_shared_by_both_years(
    frameworks: dict[str, Framework], mapping: YearMapping
) -> None:
    old_ids, new_ids = set(frameworks["2565"].question_ids), set(frameworks["2566"].question_ids)
    mapped_from = {v for v in mapping.questions.values() if v is not None}
    assert (new_ids - old_ids) <= set(mapping.questions)
    assert (old_ids - new_ids) <= set(mapping.questions) | mapped_from


def test_should_keep_shared_question_ids_for_unchanged_questions(
    frameworks: dict[str, Framework],
) -> None:
    old, new = frameworks["2565"], frameworks["2566"]
    shared = set(old.question_ids) & set(new.question_ids)
    assert len(shared) >= 90
    changed = [
        qid
        for qid in sorted(shared)
        if (old.question(qid).type, old.question(qid).option_ids(), old.question(qid).text_th)
        != (new.question(qid).type, new.question(qid).option_ids(), new.question(qid).text_th)
    ]
    assert changed == []


@pytest.mark.parametrize("fid", SHIPPED)
def test_should_spread_questions_over_all_pillars(
    frameworks: dict[str, Framework], fid: str
) -> None:
    counts = Counter(frameworks[fid].pillar_of(q.id) for q in frameworks[fid].questions)
    assert set(counts) == set(WEIGHTS[fid])
    assert min(counts.values()) >= 10
