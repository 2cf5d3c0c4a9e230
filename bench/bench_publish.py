"""Benchmark of the publication package: 10,000 agencies on the 2566 framework.

Target: the whole package except the slides ≤ 60 s on one core (the time per part is printed;
the slides are timed separately). The data is synthetic and built in memory (the database
reads are measured by the scoring and results benchmarks).

Run: ``python -m bench publish`` (``--agencies N`` to change the size).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from dgops.framework import load_framework
from dgops.publish import PublicationData, build_package, load_publication_config
from dgops.registry import BANGKOK_PROVINCE, PROVINCES

LIMIT_S = 60.0
N_AGENCIES = 10_000


def synthetic(n: int, seed: int = 7) -> PublicationData:
    """``n`` agencies (departments, provincial offices, local governments), all scored."""
    rng = np.random.default_rng(seed)
    fw = load_framework("2566")
    config, frames = load_publication_config(fw.id)
    ids = np.arange(1, n + 1)
    levels = rng.choice(
        ["department", "provincial_office", "local_government"], n, p=[0.05, 0.15, 0.8]
    )
    provinces = np.array([BANGKOK_PROVINCE, *PROVINCES])
    agencies = pd.DataFrame(
        {
            "code": [f"A{i:05d}" for i in ids],
            "name_th": [f"หน่วยงานที่ {i}" for i in ids],
            "level": levels,
            "agency_type": np.where(
                levels == "department",
                rng.choice(["government_agency", "state_enterprise"], n),
                None,
            ),
            "mission": np.where(levels == "department", rng.choice(["policy", "service"], n), None),
            "ministry": rng.choice(["กระทรวงมหาดไทย", "กระทรวงการคลัง", "กระทรวงศึกษาธิการ"], n),
            "province": np.where(levels == "department", None, rng.choice(provinces, n)),
            "status": rng.choice(["verified", "submitted", "not_started"], n, p=[0.8, 0.15, 0.05]),
        },
        index=pd.Index(ids, name="agency_id"),
    ).astype(object)
    agencies["responded"] = agencies["status"] != "not_started"
    agencies["scored"] = agencies["responded"]
    scored = ids[agencies["scored"].to_numpy(dtype=bool)]
    codes = [("overall", "overall")] + [("pillar", p.code) for p in fw.pillars]
    rows = []
    for kind, code in codes:
        score = np.clip(rng.normal(55, 18, len(scored)), 0, 100)
        level = (np.minimum(score // 20, 4) + 1).astype(int)
        rows.append(
            pd.DataFrame(
                {"agency_id": scored, "kind": kind, "code": code, "score": score, "level": level}
            )
        )
    scores = pd.concat(rows, ignore_index=True)
    scores["level"] = scores["level"].astype("Int64")
    texts = ["ไม่มีงบประมาณ", "อยู่ระหว่างจัดทำแผน", "ขาดบุคลากร", "เหตุผลอื่น"]
    answers: dict[str, dict[int, object]] = {}
    for q in config.fact_finding:
        question = fw.question(q)
        if question.type == "text":
            answers[q] = {int(a): texts[int(a) % 4] for a in scored[: len(scored) // 3]}
        elif question.type == "multiple_choice":
            opts = question.option_ids()
            answers[q] = {int(a): [opts[int(a) % len(opts)]] for a in scored}
        else:
            opts = question.option_ids()
            answers[q] = {int(a): opts[int(a) % len(opts)] for a in scored}
    return PublicationData(
        cycle_year=2566,
        cycle_id=1,
        run_id=1,
        released_at=dt.datetime(2023, 11, 1, 3, tzinfo=dt.UTC),
        framework=fw,
        agencies=agencies,
        scores=scores,
        previous=None,
        national=[],
        config=config,
        frames=frames,
        answers=answers,
        codes={q: {} for q in answers if frames.get(q) is not None},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agencies", type=int, default=N_AGENCIES)
    args = parser.parse_args(argv)
    data = synthetic(args.agencies)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        out = build_package(data, Path(tmp))
        total = time.perf_counter() - start
    for part, seconds in out.timings.items():
        print(f"  {part:<10} {seconds:6.2f} s")
    without = total - out.timings.get("slides", 0.0)
    ok = without <= LIMIT_S
    print(f"{args.agencies:,} agencies: {total:.2f} s in all, {without:.2f} s without the slides "
          f"(target ≤ {LIMIT_S:.0f} s) {'OK' if ok else 'SLOW'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
