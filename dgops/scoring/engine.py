"""The scoring engine: every agency at once, one numpy pass per question column."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from dgops.framework import (
    BandsRule,
    CountCappedRule,
    ExternalRule,
    Framework,
    NonemptyTextRule,
    OptionPointsRule,
    PositiveRule,
    Question,
    ValueWeightRule,
)
from dgops.scoring.aggregate import (
    group_from_scores,
    level_from_score,
    levels_from_scores,
    overall_from_pillars,
    pillars_from_sub_indicators,
)
from dgops.scoring.columns import (
    BoolArray,
    Column,
    FloatArray,
    clean_column,
    clean_external,
    condition_mask,
)

__all__ = [
    "INPUT_REASONS",
    "ISSUE_REASONS",
    "ITEM_STATES",
    "AnswerIssue",
    "ScoreResult",
    "ScoringInputError",
    "score",
]

ITEM_STATES = ("answered", "missing", "hidden", "invalid")
ANSWERED, MISSING, HIDDEN, INVALID = range(4)

VALUE_REASONS: dict[str, str] = {
    "not_an_option": "ค่าไม่อยู่ในตัวเลือกของคำถาม (value is not an option of the question)",
    "not_a_number": "ค่าไม่ใช่ตัวเลข (value is not a number)",
    "out_of_range": (
        "ค่าอยู่นอกช่วงที่กำหนด (value out of range: percentage 0..100, external 0..1, "
        "value_weight 0..top)"
    ),
    "wrong_type": "ชนิดของคำตอบไม่ตรงกับคำถาม (answer of the wrong type for the question)",
}

INPUT_REASONS: dict[str, str] = {
    "unknown_column": (
        "คอลัมน์คำตอบไม่ตรงกับคำถามใดในกรอบการประเมิน (answer column matches no question)"
    ),
    "missing_column": "ไม่มีคอลัมน์คำตอบของคำถามนี้ (no answer column for this question)",
    "missing_external": (
        "ไม่มีข้อมูลจากภายนอกสำหรับรหัสนี้ (no external input for this key: the item is not scored)"
    ),
    "unknown_external": (
        "ข้อมูลจากภายนอกมีรหัสที่กรอบการประเมินไม่ใช้ (external input key used by no question)"
    ),
    "external_row_missing": ("ไม่มีข้อมูลจากภายนอกของหน่วยงานนี้ (no external input row for this agency)"),
    "external_row_unknown": (
        "ข้อมูลจากภายนอกมีหน่วยงานที่ไม่มีคำตอบ (external input row for an agency not scored)"
    ),
    "external_code_unknown": (
        "รหัสหน่วยงานในข้อมูลจากภายนอกไม่มีในทะเบียน "
        "(agency code of an external input row is not in the registry)"
    ),
}
"""Problems with the shape of the inputs (columns, external keys and rows), as opposed to
out-of-domain values: each would silently move scores, so they are always reported."""

NOT_STRICT = frozenset({"external_row_unknown"})
"""Reported but never refused: an external row for an agency that is not scored moves nothing."""
ISSUE_REASONS: dict[str, str] = {**VALUE_REASONS, **INPUT_REASONS}
"""Every reason an :class:`AnswerIssue` can give, with its Thai and English explanation."""


class ScoringInputError(ValueError):
    """``score(..., strict=True)`` found inputs whose shape does not match the framework."""

    def __init__(self, issues: list[AnswerIssue]) -> None:
        self.issues = issues
        lines = [f"{i.question_id}: {i.message}" for i in issues[:20]]
        more = f"\n... and {len(issues) - 20} more" if len(issues) > 20 else ""
        super().__init__(
            f"{len(issues)} input problem(s) in the answers or external inputs:\n"
            + "\n".join(lines)
            + more
        )


@dataclass(frozen=True)
class AnswerIssue:
    """An out-of-domain answer: reported here and scored as missing."""

    agency_id: Any
    question_id: str
    value: Any
    reason: str

    @property
    def message(self) -> str:
        """Bilingual explanation of ``reason``."""
        return ISSUE_REASONS.get(self.reason, self.reason)


@dataclass(frozen=True)
class ScoreResult:
    """Scores of every agency, at full precision (round with ``round_half_up`` to publish).

    Frames are indexed by agency id. ``item_points``/``item_max`` are agency × item (scored
    question) with each agency's own maximum (0 where a `drop` item was missing);
    ``item_state`` holds codes into ``ITEM_STATES``.
    """

    framework_id: str
    scale: float
    item_points: pd.DataFrame
    item_max: pd.DataFrame
    item_state: pd.DataFrame
    sub_indicators: pd.DataFrame
    pillars: pd.DataFrame
    pillar_levels: pd.DataFrame
    overall: pd.Series
    overall_level: pd.Series
    group: pd.Series
    level_bands: tuple[float, ...] | None
    """The framework's maturity bands (sub-indicator levels use them); None: no levels."""
    issues: list[AnswerIssue] = field(default_factory=list)

    @cached_property
    def items(self) -> pd.DataFrame:
        """Long form: agency_id, question_id, points, max, state (one row per agency × item)."""
        n, m = self.item_points.shape
        state = self.item_state.to_numpy(dtype=np.int8).ravel()
        return pd.DataFrame(
            {
                "agency_id": np.repeat(self.item_points.index.to_numpy(), m),
                "question_id": np.tile(np.asarray(self.item_points.columns, dtype=object), n),
                "points": self.item_points.to_numpy(dtype=np.float64).ravel(),
                "max": self.item_max.to_numpy(dtype=np.float64).ravel(),
                "state": pd.Categorical.from_codes(state, categories=pd.Index(ITEM_STATES)),
            }
        )

    def issues_frame(self) -> pd.DataFrame:
        """The issues as a frame: agency_id, question_id, value, reason, message."""
        return pd.DataFrame(
            [(i.agency_id, i.question_id, i.value, i.reason, i.message) for i in self.issues],
            columns=["agency_id", "question_id", "value", "reason", "message"],
        )

    def to_frame(self) -> pd.DataFrame:
        """Wide scores per agency: overall, overall_level, group, pillar and sub-indicator codes.

        This is the stored shape ``yoy_deltas`` accepts as the previous year.
        """
        head = pd.DataFrame(
            {"overall": self.overall, "overall_level": self.overall_level, "group": self.group}
        )
        return pd.concat([head, self.pillars, self.sub_indicators], axis=1)


def _points(q: Question, col: Column, n: int) -> FloatArray:
    rule = q.scoring
    assert rule is not None
    if isinstance(rule, OptionPointsRule):
        table = np.array([rule.points.get(o, 0.0) for o in q.option_ids()], dtype=np.float64)
        if col.selected is not None:
            raw = col.selected.astype(np.float64) @ table
            if rule.cap is not None:
                raw = np.minimum(raw, rule.cap)
            return raw * rule.weight
        assert col.codes is not None
        return np.where(col.codes >= 0, table[np.maximum(col.codes, 0)], 0.0) * rule.weight
    if isinstance(rule, ValueWeightRule):
        assert col.number is not None
        return np.clip(np.nan_to_num(col.number, nan=0.0) * rule.weight, 0.0, rule.max)
    if isinstance(rule, PositiveRule):
        return col.positive().astype(np.float64) * rule.weight
    if isinstance(rule, NonemptyTextRule):
        return (~col.missing).astype(np.float64) * q.max_points()
    if isinstance(rule, BandsRule):
        assert col.number is not None
        ordered = sorted(rule.bands, key=lambda b: b.min)
        mins = np.array([b.min for b in ordered], dtype=np.float64)
        pts = np.array([b.points for b in ordered], dtype=np.float64)
        value = col.number
        k = np.searchsorted(mins, np.nan_to_num(value, nan=-np.inf), side="right") - 1
        got = np.where((k >= 0) & ~np.isnan(value), pts[np.maximum(k, 0)], 0.0)
        return np.asarray(got * rule.weight, dtype=np.float64)
    if isinstance(rule, CountCappedRule):
        assert col.selected is not None
        counted: FloatArray = np.minimum(col.selected.sum(axis=1), rule.cap).astype(np.float64)
        return counted * rule.weight
    if isinstance(rule, ExternalRule):
        assert col.number is not None
        return np.nan_to_num(col.number, nan=0.0) * rule.weight
    raise TypeError(f"unknown rule {rule!r}")  # pragma: no cover


def _none(n: int) -> npt.NDArray[np.object_]:
    return np.full(n, None, dtype=object)


def _plain(value: Any) -> Any:
    """numpy scalars → Python values, so issues print and serialise plainly."""
    return value.item() if isinstance(value, np.generic) else value


def input_issues(
    framework: Framework, answers: pd.DataFrame, external: pd.DataFrame | None
) -> list[AnswerIssue]:
    """Problems with the shape of the inputs: answer columns that match no question, questions
    without a column, external keys missing or unknown, agencies missing from ``external``."""
    issues: list[AnswerIssue] = []
    known = set(framework.question_ids)
    external_keys = {
        q.scoring.key: q.id for q in framework.questions if isinstance(q.scoring, ExternalRule)
    }
    for column in answers.columns:
        if str(column) not in known:
            issues.append(AnswerIssue(None, str(column), None, "unknown_column"))
    present = {str(c) for c in answers.columns}
    for q in framework.questions:
        if not isinstance(q.scoring, ExternalRule) and q.id not in present:
            issues.append(AnswerIssue(None, q.id, None, "missing_column"))
    if not external_keys:
        return issues
    ext_columns = set() if external is None else {str(c) for c in external.columns}
    for key in sorted(external_keys):
        if key not in ext_columns:
            issues.append(AnswerIssue(None, key, None, "missing_external"))
    for key in sorted(ext_columns - set(external_keys)):
        issues.append(AnswerIssue(None, key, None, "unknown_external"))
    if external is not None and ext_columns & set(external_keys):
        rows = external.index
        issues.extend(
            AnswerIssue(_plain(a), "external", None, "external_row_missing")
            for a in answers.index[~answers.index.isin(rows)]
        )
        issues.extend(
            AnswerIssue(_plain(a), "external", None, "external_row_unknown")
            for a in rows[~rows.isin(answers.index)]
        )
    return issues


def score(
    framework: Framework,
    answers: pd.DataFrame,
    *,
    external: pd.DataFrame | None = None,
    strict: bool = False,
) -> ScoreResult:
    """Score every agency in ``answers`` (index: agency id; one column per question id).

    Values follow the answer format of docs/framework-format.md; NaN/None means not answered.
    ``external`` (index: agency id; one column per external key, floats 0..1) feeds
    `external` items. Out-of-domain answers are scored as missing and listed in ``issues``.
    Inputs whose shape does not match the framework (see :func:`input_issues`) are listed in
    ``issues`` too; with ``strict=True`` they raise :class:`ScoringInputError` instead.
    """
    if not answers.index.is_unique:
        raise ValueError("answers: agency ids in the index must be unique")
    if external is not None and not external.index.is_unique:
        raise ValueError("external: agency ids in the index must be unique")
    structural = input_issues(framework, answers, external)
    if strict and any(i.reason not in NOT_STRICT for i in structural):
        raise ScoringInputError([i for i in structural if i.reason not in NOT_STRICT])
    index = answers.index
    n = len(index)
    ext = external.reindex(index) if external is not None else None
    columns: dict[str, Column] = {}
    issues: list[AnswerIssue] = list(structural)
    item_ids = [q.id for q in framework.scored_questions]
    slot = {qid: j for j, qid in enumerate(item_ids)}
    # column j of each matrix is item j (Fortran order: one contiguous block per item)
    points_m = np.zeros((n, len(item_ids)), dtype=np.float64, order="F")
    max_m = np.zeros((n, len(item_ids)), dtype=np.float64, order="F")
    state_m = np.zeros((n, len(item_ids)), dtype=np.int8, order="F")
    meets_cols: dict[str, BoolArray] = {}
    agency_ids = index.tolist()

    for q in framework.questions:
        rule = q.scoring
        if isinstance(rule, ExternalRule):
            if ext is not None and rule.key in ext.columns:
                raw_column = ext[rule.key].to_numpy()
            else:
                raw_column = np.full(n, np.nan)
            col = clean_external(q, raw_column)
        else:
            raw_column = answers[q.id].to_numpy() if q.id in answers.columns else _none(n)
            col = clean_column(q, raw_column)
        if col.issues:
            for raw in col.issues:
                issues.extend(
                    AnswerIssue(agency_ids[p], q.id, _plain(raw_column[p]), raw.reason)
                    for p in raw.positions
                )
        invalid = np.zeros(n, dtype=bool)
        for raw in col.issues:
            invalid[raw.positions] = True
        visible = (
            np.ones(n, dtype=bool) if q.show_if is None else condition_mask(q.show_if, columns, n)
        )
        col = col.masked(visible)
        columns[q.id] = col
        if rule is None:
            continue
        state = np.where(
            ~visible, HIDDEN, np.where(invalid, INVALID, np.where(col.missing, MISSING, ANSWERED))
        ).astype(np.int8)
        points = _points(q, col, n)
        maximum = q.max_points()
        dropped = col.missing if rule.missing == "drop" else np.zeros(n, dtype=bool)
        j = slot[q.id]
        points_m[:, j] = points
        max_m[:, j] = np.where(dropped, 0.0, maximum)
        state_m[:, j] = state
        if q.level is not None:
            met = points >= maximum - 1e-12 if q.meets == "full" else points > 0
            # a dropped item does not take part in the staged rule: it neither meets nor blocks
            meets_cols[q.id] = met | dropped

    item_points = pd.DataFrame(points_m, index=index, columns=item_ids, copy=False)
    item_max = pd.DataFrame(max_m, index=index, columns=item_ids, copy=False)
    item_state = pd.DataFrame(state_m, index=index, columns=item_ids, copy=False)
    subs, pillars = _roll_up(framework, points_m, max_m, item_ids, index)
    overall = overall_from_pillars(framework, pillars)
    maturity = framework.maturity
    if maturity is not None and maturity.rule == "staged":
        pillar_levels = _staged_levels(framework, meets_cols, index, pillars)
    else:
        pillar_levels = levels_from_scores(framework, pillars)
    if maturity is not None and maturity.effective_overall_rule == "staged":
        overall_level = _staged_levels(framework, meets_cols, index, overall.to_frame())["overall"]
    else:
        overall_level = level_from_score(framework, overall)
    overall_level.name = "overall_level"
    return ScoreResult(
        framework_id=framework.id,
        scale=framework.aggregation.scale,
        item_points=item_points,
        item_max=item_max,
        item_state=item_state,
        sub_indicators=subs,
        pillars=pillars,
        pillar_levels=pillar_levels,
        overall=overall,
        overall_level=overall_level,
        group=group_from_scores(framework, overall),
        level_bands=None if framework.level_bands is None else tuple(framework.level_bands),
        issues=issues,
    )


def _roll_up(
    framework: Framework,
    points: FloatArray,
    maxima: FloatArray,
    item_ids: list[str],
    index: pd.Index,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sub-indicator and pillar scores (the ratio rule sums points and maxima, never ratios).

    Items are in questionnaire order, so each sub-indicator owns a contiguous block of item
    columns: its sums are column-block sums (a groupby on columns); pillars then sum their
    sub-indicators through a small indicator-matrix product.
    """
    scale = framework.aggregation.scale
    sub_codes = framework.sub_indicator_codes
    n = points.shape[0]
    sub_points = np.zeros((n, len(sub_codes)))
    sub_max = np.zeros((n, len(sub_codes)))
    start = 0
    for k, items in enumerate(framework.items_by_sub_indicator().values()):
        stop = start + len(items)
        assert [q.id for q in items] == item_ids[start:stop]
        if stop > start:
            sub_points[:, k] = points[:, start:stop].sum(axis=1)
            sub_max[:, k] = maxima[:, start:stop].sum(axis=1)
        start = stop
    subs = pd.DataFrame(_ratio(sub_points, sub_max, scale), index=index, columns=sub_codes)
    if framework.aggregation.pillar == "mean_of_sub_indicators":
        return subs, pillars_from_sub_indicators(framework, subs)
    to_pillar = np.zeros((len(sub_codes), len(framework.pillars)), dtype=np.float64)
    for k, code in enumerate(sub_codes):
        to_pillar[k, framework.pillar_codes.index(framework.pillar_of_sub_indicator(code))] = 1.0
    pillar_scores = _ratio(sub_points @ to_pillar, sub_max @ to_pillar, scale)
    return subs, pd.DataFrame(pillar_scores, index=index, columns=framework.pillar_codes)


def _ratio(got: FloatArray, out_of: FloatArray, scale: float) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio: FloatArray = np.where(
            out_of > 0, got / np.where(out_of > 0, out_of, 1.0) * scale, np.nan
        )
    return ratio


def _staged_levels(
    framework: Framework,
    meets: dict[str, BoolArray],
    index: pd.Index,
    scores: pd.DataFrame,
) -> pd.DataFrame:
    """Staged maturity per column of ``scores`` (pillar codes, or "overall" for all items).

    Level L is reached when every item of every level k <= L is met; levels without items
    neither grant nor block; the lowest level is 1. NA where the score is NaN.
    """
    n = len(index)
    out: dict[str, npt.NDArray[np.float64]] = {}
    for code in scores.columns:
        items = (
            framework.scored_questions
            if code == "overall"
            else framework.items_by_pillar()[str(code)]
        )
        level = np.ones(n, dtype=np.float64)
        still = np.ones(n, dtype=bool)
        for k in range(1, 6):
            at_k = [q.id for q in items if q.level == k and q.id in meets]
            if not at_k:
                continue
            met_k = np.column_stack([meets[i] for i in at_k]).all(axis=1)
            still &= met_k
            level = np.where(still, float(k), level)
        values = scores[code].to_numpy(dtype=np.float64)
        out[str(code)] = np.where(np.isnan(values), np.nan, np.maximum(level, 1.0))
    return pd.DataFrame(out, index=index).astype("Int64")
