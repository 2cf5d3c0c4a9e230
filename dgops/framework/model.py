"""Pydantic models of a survey framework file (see docs/framework-format.md).

The models check the shape of each object; rules that look across objects (unique ids, show-if
references, weights, rule/type compatibility) live in :mod:`dgops.framework.checks` so that every
problem is reported with its path in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from dgops.framework.conditions import condition_holds, is_missing

__all__ = [
    "QUESTION_TYPES",
    "Aggregation",
    "BandPoints",
    "BandsRule",
    "Condition",
    "CountCappedRule",
    "ExternalInput",
    "ExternalRule",
    "Framework",
    "Group",
    "Level",
    "Maturity",
    "NonemptyTextRule",
    "Option",
    "OptionPointsRule",
    "Pillar",
    "PositiveRule",
    "Question",
    "QuestionType",
    "ScoringRule",
    "SubIndicator",
    "ValueWeightRule",
    "YearMapping",
]

QuestionType = Literal[
    "single_choice", "multiple_choice", "yes_no", "number", "percentage", "text", "evidence"
]
QUESTION_TYPES: tuple[str, ...] = (
    "single_choice",
    "multiple_choice",
    "yes_no",
    "number",
    "percentage",
    "text",
    "evidence",
)

# Ids may contain "-": international indices code their items that way (``I-1.4``).
_ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_.\-]*$"


class _Model(BaseModel):
    # Unknown keys are errors: a misspelt key (`wieght:`) must not be silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Level(_Model):
    """One of the five maturity levels."""

    level: int = Field(ge=1, le=5)
    name_th: str
    name_en: str | None = None


class Aggregation(_Model):
    """How item points roll up into sub-indicator, pillar and overall scores."""

    sub_indicator: Literal["ratio"] = "ratio"
    pillar: Literal["ratio", "mean_of_sub_indicators"] = "ratio"
    overall: Literal["weighted_mean", "mean"] = "weighted_mean"
    weights_total: float = Field(default=100, gt=0)
    scale: float = Field(default=100, gt=0)


class Maturity(_Model):
    """How a maturity level (1..5) is derived: score bands or the staged rule."""

    rule: Literal["bands", "staged"] = "bands"
    bands: list[float] = Field(default_factory=lambda: [0.0, 20.0, 40.0, 60.0, 80.0])
    overall_rule: Literal["same", "bands", "staged"] = "same"
    """The rule for the overall level; ``same`` applies ``rule``. A staged overall level needs
    every levelled item of every pillar, so frameworks that stage pillars may band the overall."""

    @property
    def effective_overall_rule(self) -> Literal["bands", "staged"]:
        return self.rule if self.overall_rule == "same" else self.overall_rule


class Group(_Model):
    """A named band of the overall score (e.g. GovTech groups A–D)."""

    code: str = Field(min_length=1)
    name_th: str | None = None
    name_en: str | None = None
    min: float


class ExternalInput(_Model):
    """A continuous 0..1 input supplied from outside the questionnaire."""

    key: str = Field(pattern=_ID_PATTERN)
    name_th: str | None = None
    name_en: str | None = None
    source: str | None = None


class Option(_Model):
    """An answer option of a single- or multiple-choice question."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    id: str = Field(min_length=1)
    text_th: str
    text_en: str | None = None


class Condition(_Model):
    """A show-if condition: one test on an earlier question, or `all`/`any` of conditions."""

    question: str | None = None
    equals: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    any_selected: list[str] | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    not_empty: bool | None = None
    all_: list[Condition] | None = Field(default=None, alias="all")
    any_: list[Condition] | None = Field(default=None, alias="any")

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = self.tests()
        combinators = [c for c in (self.all_, self.any_) if c is not None]
        if combinators:
            if self.question is not None or tests or len(combinators) != 1:
                raise ValueError(
                    "a combinator (all/any) stands alone: no question or test beside it"
                )
            if not combinators[0]:
                raise ValueError("all/any needs at least one condition")
            return self
        if self.question is None:
            raise ValueError("a condition needs `question` (or all/any)")
        if len(tests) != 1:
            raise ValueError(
                "a condition needs exactly one test among equals, in, any_selected, gt, gte, "
                f"lt, lte, not_empty (found {len(tests)})"
            )
        return self

    def tests(self) -> dict[str, Any]:
        """The tests set on this condition (key as written in the file → value)."""
        found: dict[str, Any] = {}
        if "equals" in self.model_fields_set:
            found["equals"] = self.equals
        for key, value in (
            ("in", self.in_),
            ("any_selected", self.any_selected),
            ("gt", self.gt),
            ("gte", self.gte),
            ("lt", self.lt),
            ("lte", self.lte),
            ("not_empty", self.not_empty),
        ):
            if value is not None:
                found[key] = value
        return found

    def referenced_questions(self) -> list[str]:
        """Every question id this condition reads, in order."""
        if self.all_ is not None or self.any_ is not None:
            out: list[str] = []
            for sub in self.all_ or self.any_ or []:
                out.extend(sub.referenced_questions())
            return out
        return [self.question] if self.question is not None else []


class _Rule(_Model):
    weight: float = 1.0
    missing: Literal["zero", "drop"] = "zero"


class OptionPointsRule(_Rule):
    """Points per option id; multiple choice sums the selected ones (optionally capped)."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    rule: Literal["option_points"]
    points: dict[str, float]
    cap: float | None = None


class ValueWeightRule(_Rule):
    """Numeric value × weight, clipped to 0..max."""

    rule: Literal["value_weight"]
    max: float = Field(gt=0)
    top: float | None = Field(default=None, gt=0)
    """The highest answer that makes sense (e.g. 5 on a 0..5 scale): answers below 0 or above it
    are reported as out of range and scored as missing instead of being clipped silently."""


class PositiveRule(_Rule):
    """Weight for a positive answer (yes, number > 0, any option, non-empty)."""

    rule: Literal["positive"]


class NonemptyTextRule(_Rule):
    """`points` (default: weight) for a non-empty text or evidence answer."""

    rule: Literal["nonempty_text"]
    points: float | None = None


class BandPoints(_Model):
    """One band of the `bands` rule: values >= min earn points."""

    min: float
    points: float


class BandsRule(_Rule):
    """Points by value bands (listed from the highest `min` down)."""

    rule: Literal["bands"]
    bands: list[BandPoints] = Field(min_length=1)


class CountCappedRule(_Rule):
    """Number of selected options × weight, capped at `cap` options."""

    rule: Literal["count_capped"]
    cap: int = Field(gt=0)


class ExternalRule(_Rule):
    """A 0..1 value supplied from outside the questionnaire × weight."""

    rule: Literal["external"]
    key: str


ScoringRule = Annotated[
    OptionPointsRule
    | ValueWeightRule
    | PositiveRule
    | NonemptyTextRule
    | BandsRule
    | CountCappedRule
    | ExternalRule,
    Field(discriminator="rule"),
]


class Question(_Model):
    """A questionnaire item; scored when it has `scoring`."""

    id: str = Field(pattern=_ID_PATTERN)
    text_th: str
    text_en: str | None = None
    help_th: str | None = None
    help_en: str | None = None
    type: QuestionType
    required: bool = True
    options: list[Option] | None = None
    show_if: Condition | None = None
    evidence: Literal["none", "optional", "required"] = "none"
    level: int | None = Field(default=None, ge=1, le=5)
    meets: Literal["positive", "full"] = "positive"
    scoring: ScoringRule | None = None
    notes: str | None = None

    def option_ids(self) -> list[str]:
        """The allowed answer values of a choice question (`yes`/`no` for yes_no)."""
        if self.type == "yes_no":
            return ["yes", "no"]
        return [o.id for o in self.options or []]

    def max_points(self) -> float:
        """The item's maximum points, derived from its rule (0 when not scored)."""
        rule = self.scoring
        if rule is None:
            return 0.0
        if isinstance(rule, OptionPointsRule):
            values = list(rule.points.values())
            if self.type == "multiple_choice":
                best = sum(v for v in values if v > 0)
                if rule.cap is not None:
                    best = min(best, rule.cap)
            else:
                best = max(values, default=0.0)
            return best * rule.weight
        if isinstance(rule, ValueWeightRule):
            return rule.max
        if isinstance(rule, NonemptyTextRule):
            return rule.points if rule.points is not None else rule.weight
        if isinstance(rule, BandsRule):
            return max((b.points for b in rule.bands), default=0.0) * rule.weight
        if isinstance(rule, CountCappedRule):
            return rule.cap * rule.weight
        return rule.weight  # positive, external


class SubIndicator(_Model):
    """A sub-indicator (ตัวชี้วัดย่อย): a group of questions inside a pillar."""

    code: str = Field(pattern=_ID_PATTERN)
    name_th: str
    name_en: str | None = None
    questions: list[Question] = Field(min_length=1)


class Pillar(_Model):
    """A pillar (มิติ) with its weight in the overall score and its five level names."""

    code: str = Field(pattern=_ID_PATTERN)
    name_th: str
    name_en: str | None = None
    weight: float | None = Field(default=None, ge=0)
    """Needed only when the overall score is a ``weighted_mean`` of the pillars."""
    levels: list[str] | None = None
    sub_indicators: list[SubIndicator] = Field(min_length=1)


class Framework(_Model):
    """A versioned survey framework: pillars → sub-indicators → questions, and scoring rules."""

    id: str = Field(min_length=1)
    year_be: int
    title_th: str
    title_en: str | None = None
    assumptions: list[str] = Field(default_factory=list)
    levels: list[Level] = Field(
        default_factory=lambda: [
            Level(level=1, name_th="ริเริ่ม", name_en="Initial"),
            Level(level=2, name_th="ขั้นต้น", name_en="Developing"),
            Level(level=3, name_th="ขั้นกลาง", name_en="Defined"),
            Level(level=4, name_th="ขั้นสูง", name_en="Integrated"),
            Level(level=5, name_th="ขั้นสูงสุด", name_en="Optimizing"),
        ]
    )
    aggregation: Aggregation = Field(default_factory=Aggregation)
    maturity: Maturity | None = Field(default_factory=Maturity)
    """``null`` for an index without maturity levels: levels are then not computed at all."""
    groups: list[Group] = Field(default_factory=list)
    external_inputs: list[ExternalInput] = Field(default_factory=list)
    pillars: list[Pillar] = Field(min_length=1)

    _questions: list[Question] = PrivateAttr(default_factory=list)
    _by_id: dict[str, Question] = PrivateAttr(default_factory=dict)
    _sub_of: dict[str, str] = PrivateAttr(default_factory=dict)
    _pillar_of: dict[str, str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        for pillar in self.pillars:
            for sub in pillar.sub_indicators:
                for q in sub.questions:
                    self._questions.append(q)
                    self._by_id.setdefault(q.id, q)
                    self._sub_of.setdefault(q.id, sub.code)
                    self._pillar_of.setdefault(q.id, pillar.code)

    # -- navigation ------------------------------------------------------------------------

    @property
    def level_bands(self) -> list[float] | None:
        """Score bands of the maturity levels 1..5, or None for an index without levels."""
        return None if self.maturity is None else list(self.maturity.bands)

    @property
    def questions(self) -> list[Question]:
        """Every question in questionnaire order (pillar, sub-indicator, question)."""
        return list(self._questions)

    @property
    def question_ids(self) -> list[str]:
        """Question ids in questionnaire order."""
        return [q.id for q in self._questions]

    @property
    def scored_questions(self) -> list[Question]:
        """The questions that carry a scoring rule (the items), in order."""
        return [q for q in self._questions if q.scoring is not None]

    @property
    def pillar_codes(self) -> list[str]:
        """Pillar codes in order."""
        return [p.code for p in self.pillars]

    @property
    def sub_indicator_codes(self) -> list[str]:
        """Sub-indicator codes in order."""
        return [s.code for p in self.pillars for s in p.sub_indicators]

    def question(self, question_id: str) -> Question:
        """The question with this id (KeyError if unknown)."""
        return self._by_id[question_id]

    def pillar(self, code: str) -> Pillar:
        """The pillar with this code (KeyError if unknown)."""
        for p in self.pillars:
            if p.code == code:
                return p
        raise KeyError(code)

    def sub_indicator(self, code: str) -> SubIndicator:
        """The sub-indicator with this code (KeyError if unknown)."""
        for p in self.pillars:
            for s in p.sub_indicators:
                if s.code == code:
                    return s
        raise KeyError(code)

    def sub_indicator_of(self, question_id: str) -> str:
        """Code of the sub-indicator that holds the question."""
        return self._sub_of[question_id]

    def pillar_of(self, question_id: str) -> str:
        """Code of the pillar that holds the question."""
        return self._pillar_of[question_id]

    def pillar_of_sub_indicator(self, code: str) -> str:
        """Code of the pillar that holds the sub-indicator."""
        for p in self.pillars:
            if any(s.code == code for s in p.sub_indicators):
                return p.code
        raise KeyError(code)

    def items_by_sub_indicator(self) -> dict[str, list[Question]]:
        """Scored questions per sub-indicator code (every sub-indicator present, maybe empty)."""
        return {
            s.code: [q for q in s.questions if q.scoring is not None]
            for p in self.pillars
            for s in p.sub_indicators
        }

    def items_by_pillar(self) -> dict[str, list[Question]]:
        """Scored questions per pillar code."""
        return {
            p.code: [q for s in p.sub_indicators for q in s.questions if q.scoring is not None]
            for p in self.pillars
        }

    def level_names(self, pillar_code: str | None = None) -> list[str]:
        """Names of levels 1..5: the pillar's own, else the framework's (English, else Thai)."""
        if pillar_code is not None:
            pillar = self.pillar(pillar_code)
            if pillar.levels:
                return list(pillar.levels)
        return [lv.name_en or lv.name_th for lv in sorted(self.levels, key=lambda x: x.level)]

    def evaluate_show_if(self, answers_row: Mapping[str, Any]) -> dict[str, bool]:
        """Which questions one agency sees, given its answers (question id → shown).

        Conditions read *effective* answers: the answer of a question that is itself hidden
        counts as missing, so hiding cascades down a chain of conditions.
        """
        shown: dict[str, bool] = {}
        effective: dict[str, Any] = {}
        for q in self._questions:
            visible = q.show_if is None or condition_holds(q.show_if, effective)
            shown[q.id] = visible
            value = answers_row.get(q.id)
            effective[q.id] = value if visible and not is_missing(value) else None
        return shown


class YearMapping(_Model):
    """A year-on-year mapping file: to-year code ← from-year code (null: no counterpart)."""

    from_: str = Field(alias="from")
    to: str
    pillars: dict[str, str | None] = Field(default_factory=dict)
    sub_indicators: dict[str, str | None] = Field(default_factory=dict)
    questions: dict[str, str | None] = Field(default_factory=dict)
    notes_th: list[str] = Field(default_factory=list)
    notes_en: list[str] = Field(default_factory=list)

    def previous_pillar(self, to_code: str) -> str | None:
        """The from-year pillar of a to-year pillar (same code when not listed)."""
        return self.pillars.get(to_code, to_code)

    def previous_sub_indicator(self, to_code: str) -> str | None:
        """The from-year sub-indicator of a to-year one (same code when not listed)."""
        return self.sub_indicators.get(to_code, to_code)

    def previous_question(self, to_id: str) -> str | None:
        """The from-year question of a to-year question (same id when not listed)."""
        return self.questions.get(to_id, to_id)
