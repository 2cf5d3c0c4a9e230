"""Benchmark of the quality checks: 10,000 responses × 150 items with the full suites.

The framework is 2566 (122 questions) plus 28 extra questions (numbers, yes/no, choices) to
reach 150 items; its suites are generated into a temporary folder beside a copy of the
hand-written 2566 cross-field suite. About 1 % of the answers are wrong (types, Thai digits,
out-of-range, missing). Target: validation ≤ 60 s. Peak memory (max RSS) is reported.

Run: ``uv run python -m bench.bench_quality`` (``--responses N``, ``--docs`` to build Data Docs).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from dgops.framework import Framework, load_framework

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 60.0


def bench_framework(items: int = 150) -> Framework:
    """2566 plus extra questions in a sub-indicator of P7, up to ``items`` questions."""
    data = load_framework("2566").model_dump(by_alias=True, exclude_none=True)
    data["id"] = "bench150"
    extra = []
    base = len(load_framework("2566").questions)
    for i in range(items - base):
        qid = f"BX_{i:02d}"
        kind = ("number", "yes_no", "single_choice", "percentage")[i % 4]
        q: dict[str, Any] = {"id": qid, "text_th": f"คำถามเพิ่ม {i}", "type": kind}
        if kind == "single_choice":
            q["options"] = [{"id": o, "text_th": o} for o in ("a", "b", "c")]
        if kind == "yes_no":
            q["scoring"] = {"rule": "positive"}
        extra.append(q)
    data["pillars"][-1]["sub_indicators"].append(
        {"code": "P7.X", "name_th": "ข้อเพิ่มเติม", "questions": extra}
    )
    return Framework.model_validate(data)


def _answer(q: Any, rng: random.Random) -> Any:
    if q.type == "yes_no":
        return rng.choice(["yes", "no"])
    if q.type == "single_choice":
        return rng.choice(q.option_ids())
    if q.type == "multiple_choice":
        return rng.sample(q.option_ids(), min(2, len(q.option_ids())))
    if q.type == "number":
        return rng.randint(0, 2000)
    if q.type == "percentage":
        return round(rng.uniform(0, 100), 1)
    if q.type == "text":
        return "ข้อความตัวอย่าง"
    return "sha256:" + "0" * 64


def _wrong(q: Any, rng: random.Random) -> Any:
    return rng.choice([None, "๑๒", "maybe", -5, 250, ["x"], "  "])


def answers_frame(fw: Framework, n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` responses (index 1..n), about 1 % of the values wrong."""
    rng = random.Random(seed)
    rows = {}
    for rid in range(1, n + 1):
        row = {}
        for q in fw.questions:
            row[q.id] = _wrong(q, rng) if rng.random() < 0.01 else _answer(q, rng)
        rows[rid] = row
    frame = pd.DataFrame.from_dict(rows, orient="index", dtype=object)
    return frame.astype(object).where(frame.notna(), None)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--docs", action="store_true", help="also build Data Docs")
    args = parser.parse_args(argv)

    from dgops.quality.frame import build_check_frame
    from dgops.quality.gx import GxProject, validate_frame
    from dgops.quality.suites import load_suites, render_suite, write_suites

    fw = bench_framework()
    tmp = Path(tempfile.mkdtemp(prefix="dgops-bench-quality-"))
    try:
        exp = tmp / "expectations"
        write_suites(fw, exp)
        cross = json.loads((ROOT / "expectations" / "dgops_2566_cross.json").read_text("utf-8"))
        cross["name"] = "dgops_bench150_cross"
        for e in cross["expectations"]:
            e.pop("id", None)
        cross.pop("id", None)
        (exp / "dgops_bench150_cross.json").write_text(render_suite(cross), encoding="utf-8")
        suites = load_suites(fw.id, exp)
        n_exp = sum(len(s.data["expectations"]) for s in suites)

        t0 = time.perf_counter()
        answers = answers_frame(fw, args.responses)
        t_data = time.perf_counter() - t0
        groups = pd.Series(["department"] * len(answers), index=answers.index, dtype=object)

        t0 = time.perf_counter()
        frame = build_check_frame(fw, answers, peer_groups=groups)
        t_frame = time.perf_counter() - t0

        project = GxProject(tmp / "gx", exp, tmp / "docs")
        t0 = time.perf_counter()
        context = project.context()
        t_import = time.perf_counter() - t0

        t0 = time.perf_counter()
        failures = validate_frame(
            frame, suites, project=project, context=context, build_docs=args.docs
        )
        t_validate = time.perf_counter() - t0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = t_frame + t_validate
    by_rule = Counter(f.rule for f in failures)
    print(f"responses × items      : {len(answers):,} × {len(fw.questions)}")
    print(f"suites / expectations  : {len(suites)} / {n_exp}")
    print(f"check frame            : {t_frame:6.1f} s  ({frame.shape[1]} columns)")
    print(f"GE import + context    : {t_import:6.1f} s  (once per process)")
    print(f"GE validation{' + docs' if args.docs else '       '}   : {t_validate:6.1f} s")
    print(f"frame + validation     : {total:6.1f} s  (target ≤ {TARGET_S:.0f} s)")
    print(f"failures               : {len(failures):,}  {dict(by_rule.most_common(6))}")
    print(f"peak memory (max RSS)  : {peak_mb:,.0f} MB")
    print(f"(synthetic answers     : {t_data:.1f} s, not counted)")
    return {
        "frame_s": t_frame,
        "validate_s": t_validate,
        "total_s": total,
        "import_s": t_import,
        "peak_mb": peak_mb,
        "expectations": n_exp,
        "failures": len(failures),
    }


if __name__ == "__main__":
    main()
