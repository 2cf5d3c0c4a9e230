"""Benchmark of the scoring engine: 10,000 agencies × 150 items.

Targets: engine ≤ 2 s; ≥ 20× faster than ``reference_score_loop`` (a plain per-agency Python
loop that must give the same scores); peak memory ≤ 1 GB (measured in a child process).

Run: ``uv run python -m bench.bench_scoring`` (``--agencies N`` to change the size).
"""

from __future__ import annotations

import argparse
import math
import resource
import subprocess
import sys
import time
from typing import Any

import numpy as np
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
    check_framework,
    condition_holds,
    is_missing,
)
from dgops.scoring import score

ENGINE_LIMIT_S = 2.0
SPEEDUP_MIN = 20.0
MEMORY_LIMIT_MB = 1024.0
N_AGENCIES = 10_000
N_ITEMS = 150

# --------------------------------------------------------------------------------------------
# synthetic framework and answers


def synthetic_framework(n_items: int = N_ITEMS) -> Framework:
    """Six pillars (weights 20/20/30/10/15/5), five sub-indicators each, every rule and type."""
    weights = [20, 20, 30, 10, 15, 5]
    kinds = [
        "yes_no",
        "single",
        "multiple_points",
        "multiple_count",
        "number",
        "percentage",
        "text",
        "evidence",
        "gated",
        "yes_no_drop",
    ]
    pillars: list[dict[str, Any]] = []
    per_pillar = math.ceil(n_items / len(weights))
    made = 0
    for p, weight in enumerate(weights, start=1):
        subs: list[dict[str, Any]] = []
        for s in range(1, 6):
            subs.append({"code": f"P{p}.{s}", "name_th": f"ตัวชี้วัด {p}.{s}", "questions": []})
        for i in range(per_pillar):
            if made == n_items:
                break
            qid = f"Q{p}{i:03d}"
            kind = kinds[made % len(kinds)]
            q: dict[str, Any] = {"id": qid, "text_th": f"คำถาม {qid}", "level": 1 + i % 5}
            opts = [{"id": o, "text_th": o} for o in ("a", "b", "c", "d")]
            if kind in ("yes_no", "yes_no_drop"):
                q |= {"type": "yes_no", "scoring": {"rule": "positive", "weight": 2}}
                if kind == "yes_no_drop":
                    q["scoring"]["missing"] = "drop"
            elif kind == "single":
                q |= {
                    "type": "single_choice",
                    "options": opts,
                    "scoring": {
                        "rule": "option_points",
                        "points": {"a": 0, "b": 1, "c": 2, "d": 3},
                    },
                }
            elif kind == "multiple_points":
                q |= {
                    "type": "multiple_choice",
                    "options": opts,
                    "scoring": {
                        "rule": "option_points",
                        "points": {"a": 1, "b": 1, "c": 2, "d": 2},
                        "cap": 4,
                    },
                }
            elif kind == "multiple_count":
                q |= {
                    "type": "multiple_choice",
                    "options": opts,
                    "scoring": {"rule": "count_capped", "cap": 3},
                }
            elif kind == "number":
                q |= {
                    "type": "number",
                    "scoring": {"rule": "value_weight", "weight": 0.5, "max": 5},
                }
            elif kind == "percentage":
                q |= {
                    "type": "percentage",
                    "scoring": {
                        "rule": "bands",
                        "bands": [
                            {"min": 80, "points": 4},
                            {"min": 50, "points": 2},
                            {"min": 0, "points": 0},
                        ],
                    },
                }
            elif kind == "text":
                q |= {"type": "text", "scoring": {"rule": "nonempty_text", "points": 1}}
            elif kind == "evidence":
                q |= {"type": "evidence", "scoring": {"rule": "positive", "missing": "drop"}}
            else:  # gated: shown only when the question before it was answered "yes"... or > 2
                prev = subs[(i - 1) % 5]["questions"][-1]["id"] if i else None
                q |= {"type": "number", "scoring": {"rule": "value_weight", "max": 10}}
                if prev is not None:
                    q["show_if"] = {"question": prev, "not_empty": True}
            subs[i % 5]["questions"].append(q)
            made += 1
        pillars.append(
            {
                "code": f"P{p}",
                "name_th": f"มิติที่ {p}",
                "weight": weight,
                "sub_indicators": [s for s in subs if s["questions"]],
            }
        )
    data = {
        "id": "bench",
        "year_be": 2566,
        "title_th": "กรอบทดสอบความเร็ว",
        "pillars": pillars,
    }
    fw = Framework.model_validate(data)
    problems = check_framework(fw)
    if problems:
        raise ValueError(f"synthetic framework invalid: {problems[:3]}")
    return fw


def synthetic_answers(fw: Framework, n: int, seed: int = 7) -> pd.DataFrame:
    """Answers in the stored JSON shape, with ~3% missing and ~0.5% out-of-domain values."""
    rng = np.random.default_rng(seed)
    cols: dict[str, list[Any]] = {}
    for q in fw.questions:
        if q.type == "yes_no":
            vals: list[Any] = rng.choice(["yes", "no"], n).tolist()
        elif q.type == "single_choice":
            vals = rng.choice(["a", "b", "c", "d"], n).tolist()
        elif q.type == "multiple_choice":
            masks = rng.random((n, 4)) < 0.5
            names = np.array(["a", "b", "c", "d"])
            vals = [names[row].tolist() for row in masks]
        elif q.type == "number":
            vals = rng.integers(0, 15, n).tolist()
        elif q.type == "percentage":
            vals = np.round(rng.random(n) * 100, 1).tolist()
        elif q.type == "text":
            vals = rng.choice(["แผนงานดิจิทัล", "", "  "], n, p=[0.7, 0.2, 0.1]).tolist()
        else:
            vals = rng.choice(["sha256:ab12", None], n, p=[0.6, 0.4]).tolist()
        missing = rng.random(n) < 0.03
        bad = rng.random(n) < 0.005
        for j in np.flatnonzero(missing):
            vals[j] = None
        for j in np.flatnonzero(bad):
            vals[j] = {"yes_no": "maybe", "single_choice": "z", "number": "many"}.get(q.type, 250)
        cols[q.id] = vals
    return pd.DataFrame(cols, index=pd.RangeIndex(1, n + 1, name="agency_id"), dtype=object)


# --------------------------------------------------------------------------------------------
# the plain loop the engine is measured against


def _clean(q: Question, value: Any) -> Any:
    """One answer checked against its question: the value, or None (missing / out of domain)."""
    if is_missing(value):
        return None
    if q.type in ("yes_no", "single_choice"):
        return value if isinstance(value, str) and value in q.option_ids() else None
    if q.type == "multiple_choice":
        if not isinstance(value, list | tuple):
            return None
        if any(not isinstance(v, str) or v not in q.option_ids() for v in value):
            return None
        return list(dict.fromkeys(value))
    if q.type in ("number", "percentage"):
        ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool | np.bool_
        )
        if not ok or not math.isfinite(float(value)):
            return None
        if q.type == "percentage" and not 0 <= float(value) <= 100:
            return None
        return float(value)
    return value if isinstance(value, str) and value.strip() else None


def _item_points(q: Question, value: Any) -> float:
    rule = q.scoring
    if value is None:
        return 0.0
    if isinstance(rule, OptionPointsRule):
        if q.type == "multiple_choice":
            total = sum(rule.points.get(v, 0.0) for v in value)
            if rule.cap is not None:
                total = min(total, rule.cap)
            return total * rule.weight
        return rule.points.get(value, 0.0) * rule.weight
    if isinstance(rule, ValueWeightRule):
        return min(max(value * rule.weight, 0.0), rule.max)
    if isinstance(rule, PositiveRule):
        positive = {
            "yes_no": value == "yes",
            "multiple_choice": bool(value),
            "number": value > 0 if isinstance(value, float) else False,
            "percentage": value > 0 if isinstance(value, float) else False,
        }.get(q.type, True)
        return rule.weight if positive else 0.0
    if isinstance(rule, NonemptyTextRule):
        return q.max_points()
    if isinstance(rule, BandsRule):
        for band in sorted(rule.bands, key=lambda b: -b.min):
            if value >= band.min:
                return band.points * rule.weight
        return 0.0
    if isinstance(rule, CountCappedRule):
        return min(len(value), rule.cap) * rule.weight
    if isinstance(rule, ExternalRule):
        return float(value) * rule.weight
    raise TypeError(rule)


def reference_score_loop(
    fw: Framework, answers: pd.DataFrame, external: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Score agency by agency, item by item, in plain Python (the engine's yardstick).

    Returns one row per agency: ``overall`` and the pillar and sub-indicator scores.
    """
    scale = fw.aggregation.scale
    rows: dict[Any, dict[str, float]] = {}
    questions = fw.questions
    ext_rows = external.to_dict("index") if external is not None else {}
    for agency_id, raw in answers.to_dict("index").items():
        effective: dict[str, Any] = {}
        sub_pts: dict[str, float] = {}
        sub_max: dict[str, float] = {}
        for q in questions:
            rule = q.scoring
            if isinstance(rule, ExternalRule):
                v = ext_rows.get(agency_id, {}).get(rule.key)
                ok = isinstance(v, int | float) and math.isfinite(v) and 0 <= v <= 1
                value = float(v) if ok else None
            else:
                value = _clean(q, raw.get(q.id))
            if q.show_if is not None and not condition_holds(q.show_if, effective):
                value = None
            effective[q.id] = value
            if rule is None:
                continue
            code = fw.sub_indicator_of(q.id)
            sub_pts[code] = sub_pts.get(code, 0.0) + _item_points(q, value)
            dropped = value is None and rule.missing == "drop"
            sub_max[code] = sub_max.get(code, 0.0) + (0.0 if dropped else q.max_points())
        row: dict[str, float] = {}
        pillar_scores: dict[str, float] = {}
        for pillar in fw.pillars:
            pts = mx = 0.0
            sub_scores = []
            for sub in pillar.sub_indicators:
                got, out_of = sub_pts.get(sub.code, 0.0), sub_max.get(sub.code, 0.0)
                row[sub.code] = got / out_of * scale if out_of > 0 else math.nan
                if out_of > 0:
                    sub_scores.append(row[sub.code])
                pts += got
                mx += out_of
            if fw.aggregation.pillar == "mean_of_sub_indicators":
                value = sum(sub_scores) / len(sub_scores) if sub_scores else math.nan
            else:
                value = pts / mx * scale if mx > 0 else math.nan
            pillar_scores[pillar.code] = row[pillar.code] = value
        total = weight_sum = 0.0
        for pillar in fw.pillars:
            w = pillar.weight if fw.aggregation.overall == "weighted_mean" else 1.0
            if not math.isnan(pillar_scores[pillar.code]):
                total += w * pillar_scores[pillar.code]
                weight_sum += w
        row["overall"] = total / weight_sum if weight_sum > 0 else math.nan
        rows[agency_id] = row
    return pd.DataFrame.from_dict(rows, orient="index")


# --------------------------------------------------------------------------------------------


def _memory_child(n: int) -> None:
    fw = synthetic_framework()
    answers = synthetic_answers(fw, n)
    score(fw, answers)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(peak_kb / 1024)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; 0 when every target is met."""
    parser = argparse.ArgumentParser(prog="bench.bench_scoring")
    parser.add_argument("--agencies", type=int, default=N_AGENCIES)
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.memory_child:
        _memory_child(args.agencies)
        return 0
    n = args.agencies
    fw = synthetic_framework()
    answers = synthetic_answers(fw, n)
    print(f"scoring bench: {n:,} agencies × {len(fw.scored_questions)} items")

    score(fw, answers.head(200))  # warm-up (imports, first-call costs)
    runs = []
    for _ in range(3):  # best of 3, as timeit does: the machine is shared
        started = time.perf_counter()
        result = score(fw, answers)
        runs.append(time.perf_counter() - started)
    engine_s = min(runs)

    started = time.perf_counter()
    loop = reference_score_loop(fw, answers)
    loop_s = time.perf_counter() - started

    expected = result.to_frame()[loop.columns]
    same = np.allclose(
        expected.to_numpy(dtype=float),
        loop.to_numpy(dtype=float),
        rtol=0,
        atol=1e-9,
        equal_nan=True,
    )
    if not same:
        raise AssertionError("engine and reference loop disagree")

    child = subprocess.run(
        [sys.executable, "-m", "bench.bench_scoring", "--memory-child", "--agencies", str(n)],
        capture_output=True,
        text=True,
        check=True,
    )
    peak_mb = float(child.stdout.strip().splitlines()[-1])
    speedup = loop_s / engine_s
    checks = [
        (
            f"engine {engine_s:.3f} s, best of 3 (runs {', '.join(f'{r:.2f}' for r in runs)}; "
            f"limit {ENGINE_LIMIT_S:g} s)",
            engine_s <= ENGINE_LIMIT_S,
        ),
        (
            f"reference loop {loop_s:.3f} s → speed-up {speedup:.1f}× (min {SPEEDUP_MIN:g}×)",
            speedup >= SPEEDUP_MIN,
        ),
        (
            f"peak memory {peak_mb:.0f} MB (limit {MEMORY_LIMIT_MB:g} MB, whole process)",
            peak_mb <= MEMORY_LIMIT_MB,
        ),
        (f"engine = loop on all {n:,} agencies; {len(result.issues):,} issues found", same),
    ]
    for text, ok in checks:
        print(f"  {'OK  ' if ok else 'FAIL'} {text}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
