"""The one reader of operators' YAML files: typed, strict, and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from dgops.configfile import ConfigError, ConfigModel, format_loc, load_model, read_yaml


class Policy(ConfigModel):
    min_gap_days: int = Field(ge=0)
    timezone: str = "Asia/Bangkok"
    rounds: list[int] = Field(default_factory=list)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_should_map_pydantic_loc_to_a_file_path_without_union_tags() -> None:
    loc = ("pillars", 2, "sub_indicators", 0, "questions", 4, "scoring", "value_weight", "max")
    assert format_loc(loc) == "pillars[2].sub_indicators[0].questions[4].scoring.max"


def test_should_read_a_valid_file_into_its_model(tmp_path: Path) -> None:
    policy = load_model(write(tmp_path, "min_gap_days: 3\nrounds: [7, 14]\n"), Policy)
    assert policy == Policy(min_gap_days=3, rounds=[7, 14])


def test_should_refuse_a_misspelt_key_naming_the_file_and_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_model(write(tmp_path, "min_gap_day: 3\n"), Policy)
    assert caught.value.file == "policy.yaml"
    assert caught.value.problems == [
        ("min_gap_days", "required key is missing"),
        ("min_gap_day", "unknown key (check the spelling)"),
    ]


def test_should_name_the_place_of_a_bad_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"policy\.yaml: rounds\[1\]: "):
        load_model(write(tmp_path, "min_gap_days: 1\nrounds: [7, soon]\n"), Policy)


def test_should_refuse_a_key_written_twice_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"line 2, column 1: .*duplicate key 'min_gap_days'"):
        read_yaml(write(tmp_path, "min_gap_days: 1\nmin_gap_days: 2\n"))


def test_should_refuse_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="YAML mapping at the top level"):
        load_model(write(tmp_path, "- 1\n- 2\n"), Policy)


def test_should_say_when_the_file_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the file"):
        read_yaml(tmp_path / "missing.yaml")
