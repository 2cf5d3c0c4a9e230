"""Rules that look across a framework's objects; each problem comes with its path in the file."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

from dgops.framework.model import (
    BandsRule,
    Condition,
    CountCappedRule,
    ExternalRule,
    Framework,
    NonemptyTextRule,
    OptionPointsRule,
    PositiveRule,
    Question,
    ValueWeightRule,
    YearMapping,
)

__all__ = ["RULE_TYPES", "Problem", "check_framework", "check_mapping"]

Problem = tuple[str, str]  # (path in the file, message)

# Which question types each scoring rule accepts.
RULE_TYPES: dict[str, tuple[str, ...]] = {
    "option_points": ("single_choice", "multiple_choice", "yes_no"),
    "value_weight": ("number", "percentage"),
    "positive": (
        "yes_no",
        "single_choice",
        "multiple_choice",
        "number",
        "percentage",
        "text",
        "evidence",
    ),
    "nonempty_text": ("text", "evidence"),
    "bands": ("number", "percentage"),
    "count_capped": ("multiple_choice",),
    "external": (
        "yes_no",
        "single_choice",
        "multiple_choice",
        "number",
        "percentage",
        "text",
        "evidence",
    ),
}

# Which show-if tests make sense on which question type.
_TEST_TYPES: dict[str, tuple[str, ...]] = {
    "equals": ("yes_no", "single_choice", "number", "percentage", "text"),
    "in": ("yes_no", "single_choice", "number", "percentage", "text"),
    "any_selected": ("single_choice", "multiple_choice"),
    "gt": ("number", "percentage"),
    "gte": ("number", "percentage"),
    "lt": ("number", "percentage"),
    "lte": ("number", "percentage"),
    "not_empty": (
        "yes_no",
        "single_choice",
        "multiple_choice",
        "number",
        "percentage",
        "text",
        "evidence",
    ),
}


def _questions_with_paths(fw: Framework) -> Iterator[tuple[str, Question]]:
    for pi, pillar in enumerate(fw.pillars):
        for si, sub in enumerate(pillar.sub_indicators):
            for qi, q in enumerate(sub.questions):
                yield f"pillars[{pi}].sub_indicators[{si}].questions[{qi}]", q


def check_framework(fw: Framework) -> list[Problem]:
    """Every cross-object problem of ``fw`` (empty list: the framework is valid)."""
    problems: list[Problem] = []
    problems += _check_levels_and_bands(fw)
    problems += _check_pillars(fw)
    questions = list(_questions_with_paths(fw))
    problems += _check_question_ids(questions)
    external_keys = {e.key for e in fw.external_inputs}
    by_id = {q.id: q for _, q in questions}
    for path, q in questions:
        problems += _check_options(path, q)
        problems += _check_scoring(path, q, external_keys)
        if q.level is not None and q.scoring is None:
            problems.append(
                (f"{path}.level", "a maturity level needs a scoring rule (staged rule)")
            )
    problems += _check_show_if(questions, by_id)
    return problems


def _check_levels_and_bands(fw: Framework) -> list[Problem]:
    problems: list[Problem] = []
    if fw.maturity is None:
        # An index without maturity levels: nothing may ask for one.
        for pi, pillar in enumerate(fw.pillars):
            if pillar.levels is not None:
                problems.append((f"pillars[{pi}].levels", "maturity is null: no level names"))
        return problems + _check_groups_and_inputs(fw)
    if sorted(lv.level for lv in fw.levels) != [1, 2, 3, 4, 5]:
        problems.append(("levels", "must list the five levels 1, 2, 3, 4, 5 once each"))
    bands = fw.maturity.bands
    if len(bands) != 5:
        problems.append(
            ("maturity.bands", f"must have 5 entries (levels 1..5), found {len(bands)}")
        )
    elif any(b2 <= b1 for b1, b2 in itertools.pairwise(bands)):
        problems.append(("maturity.bands", f"must be strictly increasing, found {bands}"))
    elif not 0 <= bands[-1] <= fw.aggregation.scale:
        problems.append(
            ("maturity.bands", f"must lie on the score scale 0..{fw.aggregation.scale:g}")
        )
    return problems + _check_groups_and_inputs(fw)


def _check_groups_and_inputs(fw: Framework) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, g in enumerate(fw.groups):
        if g.code in seen:
            problems.append((f"groups[{i}].code", f"duplicate group code {g.code!r}"))
        seen.add(g.code)
        if i and g.min >= fw.groups[i - 1].min:
            problems.append(
                (f"groups[{i}].min", "groups must be listed by strictly descending min")
            )
    keys: set[str] = set()
    for i, e in enumerate(fw.external_inputs):
        if e.key in keys:
            problems.append((f"external_inputs[{i}].key", f"duplicate external key {e.key!r}"))
        keys.add(e.key)
    return problems


def _check_pillars(fw: Framework) -> list[Problem]:
    problems: list[Problem] = []
    codes: dict[str, str] = {}
    for pi, pillar in enumerate(fw.pillars):
        path = f"pillars[{pi}]"
        if pillar.code in codes:
            problems.append(
                (f"{path}.code", f"duplicate code {pillar.code!r} (first at {codes[pillar.code]})")
            )
        codes.setdefault(pillar.code, path)
        if pillar.levels is not None and len(pillar.levels) != 5:
            problems.append(
                (f"{path}.levels", f"must name the 5 levels, found {len(pillar.levels)}")
            )
        for si, sub in enumerate(pillar.sub_indicators):
            spath = f"{path}.sub_indicators[{si}]"
            if sub.code in codes:
                problems.append(
                    (f"{spath}.code", f"duplicate code {sub.code!r} (first at {codes[sub.code]})")
                )
            codes.setdefault(sub.code, spath)
    if fw.aggregation.overall != "weighted_mean":
        return problems  # a plain mean of the pillars: weights are not used
    missing = [f"pillars[{pi}].weight" for pi, p in enumerate(fw.pillars) if p.weight is None]
    for path in missing:
        problems.append((path, "the overall score is a weighted_mean: every pillar needs a weight"))
    if missing:
        return problems
    total = sum(p.weight or 0.0 for p in fw.pillars)
    declared = fw.aggregation.weights_total
    if not math.isclose(total, declared, rel_tol=1e-9, abs_tol=1e-9):
        problems.append(
            (
                "pillars",
                f"pillar weights sum to {total:g}, but aggregation.weights_total is {declared:g}",
            )
        )
    return problems


def _check_question_ids(questions: list[tuple[str, Question]]) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, str] = {}
    for path, q in questions:
        if q.id in first:
            problems.append(
                (f"{path}.id", f"duplicate question id {q.id!r} (first at {first[q.id]})")
            )
        first.setdefault(q.id, path)
    return problems


def _check_options(path: str, q: Question) -> list[Problem]:
    problems: list[Problem] = []
    if q.type in ("single_choice", "multiple_choice"):
        if not q.options:
            problems.append((f"{path}.options", f"a {q.type} question needs options"))
            return problems
        seen: set[str] = set()
        for oi, o in enumerate(q.options):
            if o.id in seen:
                problems.append((f"{path}.options[{oi}].id", f"duplicate option id {o.id!r}"))
            seen.add(o.id)
    elif q.options is not None:
        problems.append((f"{path}.options", f"a {q.type} question takes no options"))
    return problems


def _check_scoring(path: str, q: Question, external_keys: set[str]) -> list[Problem]:
    rule = q.scoring
    if rule is None:
        return []
    spath = f"{path}.scoring"
    if q.type not in RULE_TYPES[rule.rule]:
        allowed = ", ".join(RULE_TYPES[rule.rule])
        return [
            (
                f"{spath}.rule",
                f"rule {rule.rule!r} does not fit a {q.type} question (fits: {allowed})",
            )
        ]
    problems: list[Problem] = []
    if rule.weight <= 0:
        problems.append((f"{spath}.weight", f"must be > 0, found {rule.weight:g}"))
    options = set(q.option_ids())
    if isinstance(rule, OptionPointsRule):
        for key, value in rule.points.items():
            if key not in options:
                problems.append((f"{spath}.points.{key}", f"unknown option id {key!r} of {q.id}"))
            elif value < 0:
                problems.append((f"{spath}.points.{key}", f"points must be >= 0, found {value:g}"))
        if rule.cap is not None and rule.cap <= 0:
            problems.append((f"{spath}.cap", f"must be > 0, found {rule.cap:g}"))
    if isinstance(rule, BandsRule):
        mins = [b.min for b in rule.bands]
        if any(b >= a for a, b in itertools.pairwise(mins)):
            problems.append(
                (f"{spath}.bands", f"bands must be listed by strictly descending min, found {mins}")
            )
        for bi, band in enumerate(rule.bands):
            if band.points < 0:
                problems.append(
                    (f"{spath}.bands[{bi}].points", f"must be >= 0, found {band.points:g}")
                )
    if isinstance(rule, ExternalRule) and rule.key not in external_keys:
        problems.append(
            (f"{spath}.key", f"unknown external input {rule.key!r} (declare it in external_inputs)")
        )
    if isinstance(rule, NonemptyTextRule) and rule.points is not None and rule.points <= 0:
        problems.append((f"{spath}.points", f"must be > 0, found {rule.points:g}"))
    if not problems and q.max_points() <= 0:
        field = {
            OptionPointsRule: "points",
            ValueWeightRule: "max",
            BandsRule: "bands",
            CountCappedRule: "cap",
            PositiveRule: "weight",
            ExternalRule: "weight",
            NonemptyTextRule: "points",
        }[type(rule)]
        problems.append(
            (f"{spath}.{field}", f"the rule's maximum is {q.max_points():g}; it must be > 0")
        )
    return problems


def _check_show_if(
    questions: list[tuple[str, Question]], by_id: dict[str, Question]
) -> list[Problem]:
    problems: list[Problem] = []
    order = {q.id: i for i, (_, q) in enumerate(questions)}
    graph = {
        q.id: [r for r in q.show_if.referenced_questions() if r in by_id]
        for _, q in questions
        if q.show_if is not None
    }
    in_cycle = _cycle_members(graph)
    for path, q in questions:
        if q.show_if is None:
            continue
        if q.id in in_cycle:
            cycle = " → ".join(in_cycle[q.id])
            problems.append((f"{path}.show_if", f"show_if conditions form a cycle: {cycle}"))
            continue
        problems += _check_condition(f"{path}.show_if", q, q.show_if, by_id, order)
    return problems


def _check_condition(
    path: str, owner: Question, cond: Condition, by_id: dict[str, Question], order: dict[str, int]
) -> list[Problem]:
    for key, subs in (("all", cond.all_), ("any", cond.any_)):
        if subs is not None:
            out: list[Problem] = []
            for i, sub in enumerate(subs):
                out += _check_condition(f"{path}.{key}[{i}]", owner, sub, by_id, order)
            return out
    assert cond.question is not None
    target = by_id.get(cond.question)
    if target is None:
        return [(f"{path}.question", f"unknown question {cond.question!r}")]
    if order[target.id] >= order[owner.id]:
        return [
            (
                f"{path}.question",
                f"refers to {target.id}, which is not earlier than {owner.id} "
                "(conditions may only use earlier questions)",
            )
        ]
    ((test, expected),) = cond.tests().items()
    if target.type not in _TEST_TYPES[test]:
        return [
            (f"{path}.{test}", f"test {test!r} does not fit {target.id}, a {target.type} question")
        ]
    if target.type in ("yes_no", "single_choice", "multiple_choice") and test in (
        "equals",
        "in",
        "any_selected",
    ):
        values = expected if isinstance(expected, list) else [expected]
        known = set(target.option_ids())
        unknown = [v for v in values if v not in known]
        if unknown:
            return [(f"{path}.{test}", f"unknown option id(s) {unknown} of {target.id}")]
    return []


def _cycle_members(graph: dict[str, list[str]]) -> dict[str, list[str]]:
    """Question id → one cycle through it (as a list of ids that closes on itself)."""
    found: dict[str, list[str]] = {}
    for start in graph:
        # depth-first search for a path back to `start`
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph.get(node, []):
                if nxt == start:
                    found.setdefault(start, [*trail, start])
                    stack.clear()
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
    return found


def check_mapping(
    mapping: YearMapping, previous: Framework | None = None, current: Framework | None = None
) -> list[Problem]:
    """Problems of a year-on-year mapping, checked against both frameworks when given."""
    problems: list[Problem] = []
    if previous is not None and mapping.from_ != previous.id:
        problems.append(
            ("from", f"is {mapping.from_!r}, but the earlier framework is {previous.id!r}")
        )
    if current is not None and mapping.to != current.id:
        problems.append(("to", f"is {mapping.to!r}, but the later framework is {current.id!r}"))
    sections = (
        ("pillars", mapping.pillars, "pillar_codes"),
        ("sub_indicators", mapping.sub_indicators, "sub_indicator_codes"),
        ("questions", mapping.questions, "question_ids"),
    )
    for section, entries, attr in sections:
        to_codes: set[str] = set(getattr(current, attr)) if current is not None else set()
        from_codes: set[str] = set(getattr(previous, attr)) if previous is not None else set()
        for to_code, from_code in entries.items():
            if from_code is None:
                # `X: null` marks a new item of the later year or a dropped one of the earlier year
                if (
                    current is not None
                    and previous is not None
                    and to_code not in to_codes | from_codes
                ):
                    problems.append(
                        (f"{section}.{to_code}", f"unknown in both {previous.id} and {current.id}")
                    )
                continue
            if current is not None and to_code not in to_codes:
                problems.append((f"{section}.{to_code}", f"not in framework {current.id}"))
            if previous is not None and from_code not in from_codes:
                problems.append(
                    (
                        f"{section}.{to_code}",
                        f"maps to {from_code!r}, not in framework {previous.id}",
                    )
                )
    return problems
