"""Show-if semantics for one agency (the scoring engine has the vectorised twin).

A test on a missing answer is false, except ``not_empty: false`` which is true.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the model calls these functions: a runtime import would be a cycle
    from dgops.framework.model import Condition

__all__ = ["condition_holds", "is_empty", "is_missing"]


def is_missing(value: Any) -> bool:
    """True for None, NaN and pandas' NA: the question was not answered."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in {"NAType", "NaTType"}


def is_empty(value: Any) -> bool:
    """Missing, a blank string or an empty list/tuple."""
    if is_missing(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return len(value) == 0
    return False


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def condition_holds(condition: Condition, answers: Mapping[str, Any]) -> bool:
    """Evaluate ``condition`` against one agency's (effective) answers."""
    if condition.all_ is not None:
        return all(condition_holds(c, answers) for c in condition.all_)
    if condition.any_ is not None:
        return any(condition_holds(c, answers) for c in condition.any_)
    assert condition.question is not None
    value = answers.get(condition.question)
    ((test, expected),) = condition.tests().items()
    if test == "not_empty":
        return (not is_empty(value)) is bool(expected)
    if is_missing(value):
        return False
    if test == "equals":
        return bool(value == expected)
    if test == "in":
        return value in expected
    if test == "any_selected":
        selected = value if isinstance(value, list | tuple) else [value]
        return any(s in expected for s in selected)
    number = _number(value)
    if number is None:
        return False
    bound = float(expected)
    return {
        "gt": number > bound,
        "gte": number >= bound,
        "lt": number < bound,
        "lte": number <= bound,
    }[test]
