"""The fieldwork policy file: read strictly, refused where it is wrong, before any send."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from dgops.fieldwork import PolicyError, load_policy
from dgops.settings import get_settings

SHIPPED = get_settings().templates_dir / "fieldwork" / "policy.yaml"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(SHIPPED, tmp_path / "policy.yaml")
    return tmp_path


def test_should_read_the_shipped_policy() -> None:
    policy = load_policy(2566)
    assert [r.offset_days for r in policy.rounds] == [7, -7, -3, -1]
    assert policy.max_reminders == 4
    assert policy.office_start == dt.time(8, 30)
    assert policy.target("level", "provincial_cio") == 100


def test_should_refuse_a_misspelt_key_in_a_cycle_override(folder: Path) -> None:
    (folder / "policy-2567.yaml").write_text("min_gap_day: 3\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(2567, directory=folder)
    assert caught.value.file == "policy.yaml + policy-2567.yaml"
    assert caught.value.problems == [("min_gap_day", "unknown key (check the spelling)")]


def test_should_refuse_an_unknown_time_zone_and_a_bad_anchor(folder: Path) -> None:
    (folder / "policy-2567.yaml").write_text(
        "timezone: Asia/Bangkook\nrounds: [{anchor: invite, offset_days: 7}]\n", encoding="utf-8"
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(2567, directory=folder)
    places = dict(caught.value.problems)
    assert "unknown time zone 'Asia/Bangkook'" in places["timezone"]
    assert "rounds[0].anchor" in places


def test_should_refuse_escalation_to_the_parent_before_the_head(folder: Path) -> None:
    (folder / "policy-2567.yaml").write_text(
        "escalation: {head_after: 3, parent_after: 2}\n", encoding="utf-8"
    )
    with pytest.raises(PolicyError, match="parent_after must not be below head_after"):
        load_policy(2567, directory=folder)
