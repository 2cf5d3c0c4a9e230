"""The per-value domain check agrees with the scoring engine's column check."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from dgops.framework import Framework
from dgops.responses import AnswerValueError, domain_issue, parse_number, spreadsheet_safe
from dgops.scoring import clean_column

SAMPLES: list[Any] = [
    None,
    "yes",
    "no",
    "maybe",
    True,
    1,
    2,
    "2",
    "1",
    0,
    -1,
    12.5,
    100,
    101,
    float("inf"),
    "12",
    "",
    "  ",
    "text",
    ["web"],
    ["web", "fax"],
    [],
    ("app",),
    [None],
    {"a": 1},
]


@pytest.mark.parametrize(
    "qid", ["Q_PLAN", "Q_BUDGET", "Q_CHANNELS", "Q_STAFF", "Q_LEVEL", "Q_DOC", "Q_NOTE"]
)
def test_should_give_the_engines_reason_for_every_value(mini: Framework, qid: str) -> None:
    question = mini.question(qid)
    values = np.empty(len(SAMPLES), dtype=object)
    values[:] = SAMPLES
    column = clean_column(question, values)
    engine_reason: dict[int, str] = {}
    for issue in column.issues:
        for position in issue.positions:
            engine_reason[int(position)] = issue.reason
    mine = {i: r for i, v in enumerate(SAMPLES) if (r := domain_issue(question, v)) is not None}
    assert mine == engine_reason


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("๑๒", 12),
        ("1,234", 1234),
        (" 1,234.50 ", 1234.5),
        ("87.5%", 87.5),
        ("-3", -3),
        (7, 7),
        (2.0, 2),
        ("๑,๐๐๐", 1000),
    ],
)
def test_should_parse_typed_numbers(raw: Any, number: float) -> None:
    assert parse_number(raw) == number


@pytest.mark.parametrize("raw", ["1,23", "12a", "1.2.3", "", True, "nan", "inf", [1]])
def test_should_refuse_what_is_not_a_number(raw: Any) -> None:
    with pytest.raises(AnswerValueError):
        parse_number(raw)


def test_should_neutralise_formula_text_for_spreadsheets() -> None:
    assert spreadsheet_safe('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("\tx") == "'\tx"
    assert spreadsheet_safe("แผนปี 2566") == "แผนปี 2566"
