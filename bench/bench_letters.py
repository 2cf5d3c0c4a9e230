"""Benchmark: invitation letters, fill path vs full typst render, on one core, and peak memory.

Measures, in one run and for the same letters: (1) the fill path (``render_filled``: each
layout typeset once by typst, then per letter only the fields, shaped with harfbuzz and
appended), (2) the full typst render (``render_full``: one typst compile per letter plus the
cluster-text fix), both in this process on one core, (3) ``render_letters`` writing files
(fill path by default), and how many letters fell back to a full render (over-long names).
Run: ``uv run python -m bench.bench_letters [--n 2000] [--full 100]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path

from dgops.credentials import new_activation_code
from dgops.letters import LetterContext, load_issuer, render_letters
from dgops.letters.fill import LayoutCache
from dgops.letters.render import render_filled, render_full

LONG_EVERY = 50
"""One agency in this many has a name too long for its line (it falls back to a full render)."""


def _contexts(n: int) -> list[LetterContext]:
    issuer = load_issuer()
    contexts = []
    for i in range(n):
        name = f"สำนักงานทดสอบจังหวัดที่ {i}"
        if i % LONG_EVERY == LONG_EVERY - 1:
            name = "สำนักงานคณะกรรมการทดสอบ" + "และพัฒนาระบบสารสนเทศ" * 4 + f" {i}"
        body = (
            "ด้วยสำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน) หรือ สพร. ได้ดำเนินการสำรวจระดับความพร้อม"
            "รัฐบาลดิจิทัลของหน่วยงานภาครัฐ ประจำปี พ.ศ. ๒๕๖๖ เพื่อสำรวจระดับความพร้อมในการพัฒนาสู่"
            "การเป็นรัฐบาลดิจิทัลของหน่วยงานภาครัฐ",
            f"ในการนี้ สพร. จึงขอความอนุเคราะห์{name} ตอบแบบสำรวจผ่านระบบแบบสำรวจออนไลน์"
            "ภายในวันที่ ๓๐ กันยายน ๒๕๖๖ โดยเข้าสู่ระบบครั้งแรกด้วยชื่อผู้ใช้และรหัสเปิดใช้งานด้านล่าง",
        )
        contexts.append(
            LetterContext(
                kind="invitation",
                agency_code=f"B{i:05d}",
                number=f"สพร ๒๕๖๖/ว{i}",
                date=dt.date(2023, 7, 3),
                subject="ขอความอนุเคราะห์ตอบแบบสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ",
                salutation=f"ผู้อำนวยการ{name}",
                paragraphs=body,
                after=("หากท่านมีความประสงค์สอบถามข้อมูลเพิ่มเติม โปรดติดต่อ สพร.",),
                closing="จึงเรียนมาเพื่อโปรดพิจารณา",
                issuer=issuer,
                username=f"DG66-B{i:05d}",
                activation_code=new_activation_code(),
                agency_name=name,
            )
        )
    return contexts


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fill_rate(contexts: list[LetterContext]) -> tuple[float, float, int, int]:
    """(letters/s after the first layout, seconds for the first layout, fallbacks, layouts)."""
    cache = LayoutCache()
    started = time.perf_counter()
    render_filled(contexts[0], cache=cache)
    first = time.perf_counter() - started
    fits = [c for c in contexts[1:] if c.agency_name and len(c.agency_name) < 60]
    started = time.perf_counter()
    fallbacks = sum(render_filled(c, cache=cache) is None for c in fits)
    return len(fits) / (time.perf_counter() - started), first, fallbacks, cache.builds


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark and print one line per measurement; returns the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--full", type=int, default=100, help="letters for the full render")
    args = parser.parse_args(argv)
    contexts = _contexts(args.n)
    figures: dict[str, float] = {}
    rate, first, fallbacks, layouts = _fill_rate(contexts)
    figures.update(fill_per_s=rate, fill_first_layout_s=first, fill_layouts=layouts)
    figures["fill_fallbacks_among_fitting"] = fallbacks
    same = contexts[: args.full]
    render_full(same[0])  # warm up: typst's fonts, and the layout that decides the name's line
    started = time.perf_counter()
    for ctx in same:
        render_full(ctx)
    figures["full_per_s"] = len(same) / (time.perf_counter() - started)
    with tempfile.TemporaryDirectory() as tmp:
        batch = render_letters(contexts, Path(tmp) / "batch")
        figures["batch_per_s"] = batch.rate
        figures["batch_letters"] = len(batch.paths)
        figures["batch_long_names"] = sum(1 for c in contexts if len(c.agency_name) >= 60)
        sizes = [p.stat().st_size for p in batch.paths]
        figures["mean_kb"] = sum(sizes) / len(sizes) / 1024
    figures["peak_mb"] = _peak_mb()
    print(
        f"letters, one core: fill path {figures['fill_per_s']:.0f}/s "
        f"(first layout {first:.2f} s, {layouts} layout(s), {fallbacks} fallbacks); "
        f"full typst render "
        f"{figures['full_per_s']:.1f}/s ({len(same)} letters); render_letters "
        f"{int(figures['batch_letters'])} letters incl. {int(figures['batch_long_names'])} "
        f"full-render fallbacks {figures['batch_per_s']:.0f}/s; peak RSS "
        f"{figures['peak_mb']:.0f} MB; {figures['mean_kb']:.0f} KB/letter"
    )
    return figures


if __name__ == "__main__":
    main()
