"""One answer checked against its question: the scoring engine's domain rules, one value at a
time, plus the parsing of form input (Thai digits, thousands separators, percent signs).

:func:`domain_issue` is the per-value twin of ``dgops.scoring.clean_column`` (the engine
checks a whole column at once with numpy); ``tests/responses/test_domain.py`` checks that both
give the same reason for the same values, so the rules cannot drift apart. The reasons and their
bilingual messages are the engine's own (:data:`dgops.scoring.ISSUE_REASONS`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from dgops.framework import Question, is_missing
from dgops.scoring import ISSUE_REASONS

__all__ = [
    "FORMULA_PREFIXES",
    "AnswerValueError",
    "domain_issue",
    "is_answered",
    "looks_like_formula",
    "parse_answer",
    "parse_number",
    "spreadsheet_safe",
]

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""A text starting with one of these is run as a formula by spreadsheet programs (OWASP CSV
injection); such answers are kept as text, flagged, and written back with a leading apostrophe."""


@dataclass(frozen=True)
class AnswerValueError(ValueError):
    """A value outside its question's domain: the engine's reason code and a bilingual text."""

    reason: str
    detail: str = ""

    def __str__(self) -> str:
        text = ISSUE_REASONS.get(self.reason, self.reason)
        return f"{text}: {self.detail}" if self.detail else text


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def domain_issue(question: Question, value: Any) -> str | None:
    """The engine's reason why a stored (JSON) ``value`` is outside ``question``'s domain, or
    None when it is inside (a missing value is inside: it is simply not answered)."""
    if is_missing(value):
        return None
    kind = question.type
    if kind in ("yes_no", "single_choice"):
        if not isinstance(value, str):
            return "wrong_type"
        return None if value in question.option_ids() else "not_an_option"
    if kind == "multiple_choice":
        if not isinstance(value, list | tuple):
            return "wrong_type"
        options = set(question.option_ids())
        ok = all(isinstance(v, str) and v in options for v in value)
        return None if ok else "not_an_option"
    if kind in ("number", "percentage"):
        if not _is_number(value) or not math.isfinite(float(value)):
            return "not_a_number"
        if kind == "percentage" and not 0 <= float(value) <= 100:
            return "out_of_range"
        return None
    return None if isinstance(value, str) else "wrong_type"


def parse_number(raw: Any) -> int | float:
    """A number from a JSON number or from typed text: Thai digits (๑๒), thousands separators
    (``1,234``), surrounding spaces and a trailing ``%`` are accepted. Raises
    :class:`AnswerValueError` (``not_a_number``) otherwise; booleans are not numbers."""
    number: int | float
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        number = raw
    elif isinstance(raw, str):
        text = raw.translate(_THAI_DIGITS).strip().replace("\u00a0", "").replace(" ", "")
        text = text.removesuffix("%")
        if _GROUPED.match(text):
            text = text.replace(",", "")
        if not _PLAIN.match(text):
            raise AnswerValueError("not_a_number", repr(raw))
        number = float(text) if "." in text else int(text)
    else:
        raise AnswerValueError("not_a_number", repr(raw))
    if not math.isfinite(float(number)):
        raise AnswerValueError("not_a_number", repr(raw))
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def parse_answer(question: Question, raw: Any) -> Any:
    """The stored value of ``raw`` for ``question``, or None when ``raw`` clears the answer
    (None, a blank string). Strings are trimmed; numbers are parsed from text (see
    :func:`parse_number`); a multiple choice keeps the options' order and drops repeats.
    Raises :class:`AnswerValueError` for a value outside the domain."""
    if is_missing(raw) or (isinstance(raw, str) and not raw.strip()):
        return None
    kind = question.type
    value: Any = raw
    if kind in ("yes_no", "single_choice"):
        if _is_number(raw) and str(raw) in question.option_ids():
            value = str(raw)
        elif isinstance(raw, str):
            value = raw.strip()
    elif kind == "multiple_choice":
        if isinstance(raw, list | tuple):
            items = [v.strip() if isinstance(v, str) else v for v in raw]
            issue = domain_issue(question, items)
            if issue is not None:
                raise AnswerValueError(issue, repr(raw))
            chosen = set(items)
            return [o for o in question.option_ids() if o in chosen]
    elif kind in ("number", "percentage"):
        value = parse_number(raw)
    elif isinstance(raw, str):
        value = raw.strip()
    issue = domain_issue(question, value)
    if issue is not None:
        raise AnswerValueError(issue, repr(raw))
    return value


def is_answered(question: Question, value: Any) -> bool:
    """True when ``value`` answers ``question`` for progress: not missing, not blank text (a
    multiple choice with nothing ticked is an answer: "none of these")."""
    if is_missing(value):
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet would run ``text`` as a formula (it starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return)."""
    return text.startswith(FORMULA_PREFIXES)


def spreadsheet_safe(text: str) -> str:
    """``text`` as it must be written to a spreadsheet cell: with a leading apostrophe when it
    would otherwise run as a formula (the importer strips that apostrophe again)."""
    return "'" + text if looks_like_formula(text) else text
