"""Answer columns checked against their question's domain, as numpy arrays (one per question).

Everything here works on a whole column (all agencies) at once; out-of-domain cells become
missing and are reported as issues.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from dgops.framework import Condition, Question, ValueWeightRule

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class RawIssue:
    """Positions of out-of-domain cells of one column, with one reason for all of them."""

    positions: IntArray
    reason: str


@dataclass(frozen=True)
class Column:
    """One question's answers for every agency, cleaned.

    ``missing`` is True where there is no usable answer (none given, out of domain, hidden).
    Only the array that fits the question type is filled.
    """

    question: Question
    missing: BoolArray
    codes: IntArray | None = None  # yes_no / single_choice: option index, -1 when missing
    selected: BoolArray | None = None  # multiple_choice: agencies × options
    number: FloatArray | None = None  # number / percentage: NaN when missing
    text: npt.NDArray[np.object_] | None = None  # text / evidence: the string, None when missing
    issues: list[RawIssue] = field(default_factory=list)

    def masked(self, visible: BoolArray) -> Column:
        """The column as seen by scoring: hidden answers become missing."""
        if visible.all():
            return self
        hidden = ~visible
        return replace(
            self,
            missing=self.missing | hidden,
            codes=None if self.codes is None else np.where(hidden, -1, self.codes),
            selected=None if self.selected is None else self.selected & visible[:, None],
            number=None if self.number is None else np.where(hidden, np.nan, self.number),
            text=None if self.text is None else _blank_where(hidden, self.text),
        )

    def empty(self) -> BoolArray:
        """Missing, or an answer with nothing in it (no option selected)."""
        if self.selected is not None:
            return self.missing | ~self.selected.any(axis=1)
        return self.missing

    def positive(self) -> BoolArray:
        """A positive answer: yes, an option chosen, a number > 0, non-empty text."""
        q = self.question
        if q.type == "yes_no":
            assert self.codes is not None
            return np.asarray(self.codes == 0, dtype=bool)  # option_ids() puts "yes" first
        if q.type == "single_choice":
            assert self.codes is not None
            return np.asarray(self.codes >= 0, dtype=bool)
        if q.type == "multiple_choice":
            assert self.selected is not None
            return np.asarray(self.selected.any(axis=1), dtype=bool)
        if q.type in ("number", "percentage"):
            assert self.number is not None
            return np.asarray(np.nan_to_num(self.number, nan=0.0) > 0, dtype=bool)
        return np.asarray(~self.missing, dtype=bool)


_TYPE_OF = np.frompyfunc(type, 1, 1)
_NUMBER_TYPES = (
    int,
    float,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
    np.float16,
    np.float32,
    np.float64,
)
_ALL_NUMBERS = {"integer", "floating", "mixed-integer-float", "empty"}


def _type_in(arr: npt.NDArray[Any], kinds: tuple[type, ...]) -> BoolArray:
    """Elementwise ``type(value) in kinds`` (exact types, hash look-up per cell)."""
    if not arr.size:
        return np.zeros(0, dtype=bool)
    types = pd.Series(_TYPE_OF(arr), dtype=object)
    return types.isin(list(kinds)).to_numpy(dtype=bool)


def _choice_codes(options: list[str], arr: npt.NDArray[Any]) -> IntArray:
    index = pd.Index(options, dtype=object)
    try:
        return index.get_indexer(pd.Index(arr, dtype=object)).astype(np.int64)
    except TypeError:  # an unhashable value (a list for a single choice): not an option
        hashable = ~_type_in(arr, (list, dict, set, np.ndarray))
        codes = np.full(arr.size, -1, dtype=np.int64)
        codes[hashable] = index.get_indexer(pd.Index(arr[hashable], dtype=object))
        return codes


def clean_column(question: Question, values: npt.NDArray[Any]) -> Column:
    """Check one column of raw answers (a 1-d array, one cell per agency) against ``question``."""
    n = len(values)
    isna = np.asarray(pd.isna(values), dtype=bool)
    kind = question.type
    if kind in ("yes_no", "single_choice"):
        codes = np.where(isna, -1, _choice_codes(question.option_ids(), values))
        invalid = np.flatnonzero((~isna) & (codes < 0))
        is_str = np.array([isinstance(values[p], str) for p in invalid], dtype=bool)
        issues = [RawIssue(invalid[~is_str], "wrong_type")] if (~is_str).any() else []
        issues += [RawIssue(invalid[is_str], "not_an_option")] if is_str.any() else []
        return Column(question, missing=codes < 0, codes=codes, issues=issues)
    if kind == "multiple_choice":
        return _clean_multiple(question, values, isna)
    if kind in ("number", "percentage"):
        number = np.full(n, np.nan)
        if values.dtype.kind == "b":
            ok = np.zeros(n, dtype=bool)
        elif values.dtype.kind in "iuf":
            ok = ~isna
            number = values.astype(np.float64)
        else:
            if pd.api.types.infer_dtype(values, skipna=True) in _ALL_NUMBERS:
                ok = ~isna
            else:
                ok = (~isna) & _type_in(values, _NUMBER_TYPES)
            number[ok] = values[ok].astype(np.float64)
        finite = np.isfinite(number)
        issues = _issues((~isna) & ~(ok & finite), "not_a_number")
        top = 100.0 if kind == "percentage" else None
        if isinstance(question.scoring, ValueWeightRule) and question.scoring.top is not None:
            top = question.scoring.top
        if top is not None:
            out = finite & ((number < 0) | (number > top))
            issues += _issues(out, "out_of_range")
            finite &= ~out
        number = np.where(finite, number, np.nan)
        return Column(question, missing=~finite, number=number, issues=issues)
    # text / evidence: a string; blank counts as not answered
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        is_str = ~isna
    else:
        is_str = (~isna) & _type_in(values, (str,))
    strings = values[is_str].astype(str)
    nonblank = np.char.str_len(np.char.strip(strings)) > 0 if strings.size else np.zeros(0, bool)
    filled = np.zeros(n, dtype=bool)
    filled[np.flatnonzero(is_str)[nonblank]] = True
    text = np.full(n, None, dtype=object)
    text[filled] = values[filled]
    return Column(
        question, missing=~filled, text=text, issues=_issues((~isna) & ~is_str, "wrong_type")
    )


def _clean_multiple(question: Question, values: npt.NDArray[Any], isna: BoolArray) -> Column:
    n = len(values)
    options = question.option_ids()
    is_list = (~isna) & _type_in(values, (list, tuple))
    selected = np.zeros((n, len(options)), dtype=bool)
    bad_element = np.zeros(n, dtype=bool)
    positions = np.flatnonzero(is_list)
    if positions.size:
        lists = values[positions]
        lengths = np.frompyfunc(len, 1, 1)(lists).astype(np.int64)
        flat = np.fromiter(itertools.chain.from_iterable(lists), dtype=object, count=lengths.sum())
        rows = np.repeat(positions, lengths)
        codes = _choice_codes(options, flat)
        bad_element[rows[codes < 0]] = True  # an unknown id, or None, inside the list
        ok = codes >= 0
        selected[rows[ok], codes[ok]] = True
    selected[bad_element] = False
    issues = _issues((~isna) & ~is_list, "wrong_type") + _issues(bad_element, "not_an_option")
    return Column(question, missing=~is_list | bad_element, selected=selected, issues=issues)


def _blank_where(mask: BoolArray, text: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    out = text.copy()
    out[mask] = None
    return out


def _issues(mask: BoolArray, reason: str) -> list[RawIssue]:
    positions = np.flatnonzero(mask)
    return [RawIssue(positions, reason)] if positions.size else []


def clean_external(question: Question, values: npt.NDArray[Any]) -> Column:
    """An external 0..1 input as a number column (out of range or non-numeric: issue, missing)."""
    isna = np.asarray(pd.isna(values), dtype=bool)
    number = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    not_num = (~isna) & ~np.isfinite(number)
    out = np.isfinite(number) & ((number < 0) | (number > 1))
    number = np.where(np.isfinite(number) & ~out, number, np.nan)
    issues = _issues(not_num, "not_a_number") + _issues(out, "out_of_range")
    return Column(question, missing=np.isnan(number), number=number, issues=issues)


def condition_mask(condition: Condition, columns: dict[str, Column], n: int) -> BoolArray:
    """Vectorised show-if: where ``condition`` holds, over effective (masked) columns."""
    if condition.all_ is not None:
        out = np.ones(n, dtype=bool)
        for c in condition.all_:
            out &= condition_mask(c, columns, n)
        return out
    if condition.any_ is not None:
        out = np.zeros(n, dtype=bool)
        for c in condition.any_:
            out |= condition_mask(c, columns, n)
        return out
    assert condition.question is not None
    col = columns[condition.question]
    ((test, expected),) = condition.tests().items()
    if test == "not_empty":
        empty = col.empty()
        return ~empty if expected else empty
    wanted: list[Any] = list(expected) if test in ("in", "any_selected") else [expected]
    if col.codes is not None:
        idx = [i for i, o in enumerate(col.question.option_ids()) if o in wanted]
        if test in ("gt", "gte", "lt", "lte"):
            return np.zeros(n, dtype=bool)
        return np.isin(col.codes, idx)
    if col.selected is not None:
        idx = [i for i, o in enumerate(col.question.option_ids()) if o in wanted]
        if test != "any_selected" or not idx:
            return np.zeros(n, dtype=bool)
        return np.asarray(col.selected[:, idx].any(axis=1), dtype=bool)
    if col.number is not None:
        num = col.number
        with np.errstate(invalid="ignore"):
            if test == "gt":
                return num > float(expected)
            if test == "gte":
                return num >= float(expected)
            if test == "lt":
                return num < float(expected)
            if test == "lte":
                return num <= float(expected)
        nums = [float(w) for w in wanted if isinstance(w, int | float) and not isinstance(w, bool)]
        return np.isin(num, nums) & ~col.missing
    assert col.text is not None
    return np.isin(col.text, [w for w in wanted if isinstance(w, str)]) & ~col.missing
