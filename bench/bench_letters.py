"""Benchmark: 2,000 invitation letters (typst, PDF/A-2b), rate and peak memory.

Measures, in one run: (1) plain ``typst.compile`` per letter (the baseline), (2) dgops' path
in one process (a reused typst compiler), (3) dgops' batch across worker processes.
Run: ``uv run python -m bench.bench_letters [--n 2000] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import tempfile
import time
from pathlib import Path

import typst

from dgops.credentials import new_activation_code
from dgops.letters import LetterContext, load_issuer, render_letters
from dgops.letters.render import DEFAULT_STYLE, FONT_DIR, _emblem, _letter_data, _style_data
from dgops.settings import get_settings


def _contexts(n: int) -> list[LetterContext]:
    issuer = load_issuer()
    body = (
        "ด้วยสำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน) หรือ สพร. ได้ดำเนินการสำรวจระดับความพร้อม"
        "รัฐบาลดิจิทัลของหน่วยงานภาครัฐ ประจำปี พ.ศ. ๒๕๖๖ เพื่อสำรวจระดับความพร้อมในการพัฒนาสู่"
        "การเป็นรัฐบาลดิจิทัลของหน่วยงานภาครัฐ",
        "ในการนี้ สพร. จึงขอความอนุเคราะห์ตอบแบบสำรวจผ่านระบบแบบสำรวจออนไลน์ภายในวันที่ "
        "๓๐ กันยายน ๒๕๖๖ โดยเข้าสู่ระบบครั้งแรกด้วยชื่อผู้ใช้และรหัสเปิดใช้งานด้านล่าง",
    )
    return [
        LetterContext(
            kind="invitation",
            agency_code=f"B{i:05d}",
            number=f"สพร ๒๕๖๖/ว{i}",
            date=dt.date(2023, 7, 3),
            subject="ขอความอนุเคราะห์ตอบแบบสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ",
            salutation=f"ผู้อำนวยการสำนักงานทดสอบจังหวัดที่ {i}",
            paragraphs=body,
            after=("หากท่านมีความประสงค์สอบถามข้อมูลเพิ่มเติม โปรดติดต่อ สพร.",),
            closing="จึงเรียนมาเพื่อโปรดพิจารณา",
            issuer=issuer,
            username=f"DG66-B{i:05d}",
            activation_code=new_activation_code(),
        )
        for i in range(n)
    ]


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _plain_typst(contexts: list[LetterContext]) -> float:
    source = (get_settings().templates_dir / "letters" / "letter.typ").read_bytes()
    started = time.perf_counter()
    for ctx in contexts:
        root, emblem = _emblem(ctx)
        data = {
            "style": _style_data(DEFAULT_STYLE, ctx.subject, ctx.issuer.name),
            "letters": [_letter_data(ctx, emblem)],
        }
        typst.compile(
            source,
            root=str(root),
            font_paths=[str(FONT_DIR)],
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
            pdf_standards="a-2b",
        )
    return len(contexts) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark and print one line per measurement; returns the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--baseline", type=int, default=100, help="letters for plain typst")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    contexts = _contexts(args.n)
    figures: dict[str, float] = {}
    figures["plain_typst_per_s"] = _plain_typst(contexts[: args.baseline])
    with tempfile.TemporaryDirectory() as tmp:
        one = render_letters(contexts[: max(args.baseline * 2, 1)], Path(tmp) / "one", workers=1)
        figures["one_process_per_s"] = one.rate
        figures["parent_peak_mb"] = _peak_mb(resource.RUSAGE_SELF)
        batch = render_letters(contexts, Path(tmp) / "batch", workers=args.workers)
        figures["batch_per_s"] = batch.rate
        figures["batch_letters"] = len(batch.paths)
        figures["worker_peak_mb"] = _peak_mb(resource.RUSAGE_CHILDREN)
        figures["mean_kb"] = sum(p.stat().st_size for p in batch.paths) / len(batch.paths) / 1024
    print(
        f"letters: plain typst.compile {figures['plain_typst_per_s']:.1f}/s "
        f"({args.baseline} letters); dgops one process {figures['one_process_per_s']:.1f}/s; "
        f"dgops batch {int(figures['batch_letters'])} letters with {args.workers} workers "
        f"{figures['batch_per_s']:.1f}/s; peak RSS parent {figures['parent_peak_mb']:.0f} MB, "
        f"largest worker {figures['worker_peak_mb']:.0f} MB; {figures['mean_kb']:.0f} KB/letter"
    )
    return figures


if __name__ == "__main__":
    main()
