"""What counts as a *claim* (a positive answer that evidence must back) and as "not done".

Intake (which evidence a submission needs), data quality (which claims operators review) and a
rejected claim's scored value all use these two definitions, so they cannot disagree.
"""

from __future__ import annotations

from typing import Any

from dgops.framework.model import OptionPointsRule, Question


def not_done_option(question: Question) -> str | None:
    """The option that means "not done": ``no`` for yes/no, else the option worth the fewest
    points (the first such), else the first option; None for questions without options."""
    ids = question.option_ids()
    if not ids:
        return None
    if question.type == "yes_no":
        return "no"
    rule = question.scoring
    if isinstance(rule, OptionPointsRule):
        return min(ids, key=lambda o: rule.points.get(o, 0.0))
    return ids[0]


def is_claim(question: Question, value: Any) -> bool:
    """True when ``value`` claims something done: "yes", any option selected, a number > 0, a
    single choice other than the "not done" option, or non-empty text."""
    if question.type == "yes_no":
        return bool(value == "yes")
    if question.type == "multiple_choice":
        return isinstance(value, list | tuple) and len(value) > 0
    if question.type in ("number", "percentage"):
        return isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    if question.type == "single_choice":
        return (
            isinstance(value, str)
            and value in question.option_ids()
            and value != not_done_option(question)
        )
    return isinstance(value, str) and bool(value.strip())
