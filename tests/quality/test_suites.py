"""The committed suites are in sync with the frameworks and carry a severity and Thai message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dgops.framework import available_frameworks, load_framework
from dgops.quality import check_suites_in_sync, load_suites, write_suites
from dgops.quality.suites import SEVERITIES

EXPECTATIONS = Path(__file__).resolve().parents[2] / "expectations"


@pytest.mark.parametrize("framework_id", available_frameworks())
def test_should_keep_the_committed_suites_in_sync_with_the_framework(framework_id: str) -> None:
    assert check_suites_in_sync(load_framework(framework_id), EXPECTATIONS) == []


@pytest.mark.parametrize("framework_id", available_frameworks())
def test_should_give_every_expectation_a_severity_and_a_thai_message(framework_id: str) -> None:
    suites = load_suites(framework_id, EXPECTATIONS)

    metas = [e["meta"] for s in suites for e in s.data["expectations"]]
    assert metas
    assert {m["severity"] for m in metas} <= set(SEVERITIES)
    assert all(any("\u0e00" <= ch <= "\u0e7f" for ch in m["message_th"]) for m in metas)


def test_should_report_a_generated_suite_that_the_framework_no_longer_matches(
    tmp_path: Path,
) -> None:
    fw = load_framework("2566")
    paths = write_suites(fw, tmp_path)
    data = json.loads(paths[0].read_text(encoding="utf-8"))
    data["expectations"].pop()
    paths[0].write_text(json.dumps(data), encoding="utf-8")

    problems = check_suites_in_sync(fw, tmp_path)

    assert problems == [
        f"{paths[0].name}: out of date; run `dgops quality suites --framework 2566`"
    ]


def test_should_check_the_2566_digital_transactions_against_all_transactions() -> None:
    cross = json.loads((EXPECTATIONS / "dgops_2566_cross.json").read_text(encoding="utf-8"))
    fw = load_framework("2566")

    pair = next(e for e in cross["expectations"] if e["meta"]["rule"] == "digital_exceeds_total")
    assert (pair["kwargs"]["column_A"], pair["kwargs"]["column_B"]) == ("SP_05", "SP_06")
    assert "ทั้งหมด" in fw.question("SP_05").help_th or "ทั้งหมด" in fw.question("SP_05").text_th
    assert "ดิจิทัล" in fw.question("SP_06").text_th
