"""Benchmark: result letters (cover + enclosures 1 and 2 with a vector chart) on one core.

Measures, in one run: (1) ``render_result_letters`` writing N letters (default 10,000) for
synthetic agencies on the shipped 2566 framework (7 pillars, 22 sub-indicators, DGA-length advice
texts, one agency in 50 with a name too long for its line, half with last year's scores, one in
10 without a response); (2) the same letter with its chart drawn by matplotlib instead (a PNG per
agency embedded on enclosure 1 with pikepdf), measured on ``--mpl`` letters (default 200) and
extrapolated to N: it is that slow. Everything in this process, on one core.
Run: ``python -m bench result_letters`` or ``python -m bench.bench_result_letters [--n 10000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import resource
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

from dgops.framework import load_framework
from dgops.letters import FONT_DIR, BarChart, compose, load_issuer, render_pdf
from dgops.results import (
    CLASS_ORDER,
    Advice,
    AgencyResult,
    ResultLetterInfo,
    ScoreLine,
    enclosure_blocks,
    render_result_letter,
    render_result_letters,
    result_letter_context,
)

LONG_EVERY = 50
UNSCORED_EVERY = 10
ADVICE_TAIL = (
    " โดยจัดทำแผนการดำเนินงานที่ชัดเจน กำหนดผู้รับผิดชอบ ติดตามผลอย่างสม่ำเสมอ"
    " และเผยแพร่ผลการดำเนินงานให้บุคลากรและผู้รับบริการทราบผ่านช่องทางดิจิทัลของหน่วยงาน"
)


def _results(n: int) -> list[AgencyResult]:
    fw = load_framework("2566")
    rng = np.random.default_rng(13)
    results = []
    for i in range(n):
        name = f"สำนักงานทดสอบจังหวัดที่ {i}"
        if i % LONG_EVERY == LONG_EVERY - 1:
            name = "สำนักงานคณะกรรมการทดสอบ" + "และพัฒนาระบบสารสนเทศ" * 4 + f" {i}"
        code = f"B{i:05d}"
        if i % UNSCORED_EVERY == UNSCORED_EVERY - 1:
            results.append(
                AgencyResult(
                    agency_id=i,
                    code=code,
                    name_th=name,
                    year_be=2566,
                    run_id=1,
                    scored=False,
                    peer_label_th="กรม",
                    overall=None,
                    pillars=(),
                    sub_indicators=(),
                    advice=dict.fromkeys(CLASS_ORDER, ()),
                    previous_label_th=None,
                )
            )
            continue
        has_previous = i % 2 == 0

        def line(
            kind: str, code: str, name: str, pillar: str | None = None, last: bool = has_previous
        ) -> ScoreLine:
            score = float(rng.uniform(0, 100))
            return ScoreLine(
                kind=kind,
                code=code,
                name_th=name,
                score=score,
                level=min(5, int(score // 20) + 1),
                level_name_th="ขั้นพัฒนา",
                peer_mean=float(rng.uniform(30, 70)),
                rank_peer=int(rng.integers(1, 70)),
                peer_size=70,
                previous=float(rng.uniform(0, 100)) if last else None,
                pillar=pillar,
            )

        pillars = tuple(line("pillar", p.code, p.name_th) for p in fw.pillars)
        subs = tuple(
            line("sub_indicator", s.code, s.name_th, p.code)
            for p in fw.pillars
            for s in p.sub_indicators
        )
        advice: dict[str, list[Advice]] = {c: [] for c in CLASS_ORDER}
        for s in subs:
            rec_class = CLASS_ORDER[int(rng.integers(0, 3))]
            advice[rec_class].append(
                Advice(
                    sub_indicator=s.code,
                    name_th=s.name_th,
                    pillar=s.pillar or "",
                    rec_class=rec_class,
                    score=s.score,
                    peer_mean=s.peer_mean,
                    advice_th=f"ควรพัฒนา{s.name_th}ของหน่วยงานให้ครอบคลุมภารกิจ" + ADVICE_TAIL,
                    lead_unit="ฝ่ายเทคโนโลยีสารสนเทศ",
                    support_units=("ทุกหน่วยงานภายในสังกัด",),
                )
            )
        results.append(
            AgencyResult(
                agency_id=i,
                code=code,
                name_th=name,
                year_be=2566,
                run_id=1,
                scored=True,
                peer_label_th="สำนักงานจังหวัด",
                overall=line("overall", "overall", "คะแนนภาพรวม"),
                pillars=pillars,
                sub_indicators=subs,
                advice={k: tuple(v) for k, v in advice.items()},
                previous_label_th="ปี 2565" if has_previous else None,
            )
        )
    return results


def _info(i: int) -> ResultLetterInfo:
    return ResultLetterInfo(
        number=f"สพร ๒๕๖๖/ว{5000 + i}",
        issued_on=dt.date(2023, 11, 1),
        invitation=(f"สพร ๒๕๖๖/ว{i + 1}", dt.date(2023, 7, 3)),
        head_title=None if i % 7 == 0 else "ผู้อำนวยการสำนักงาน",
    )


def _mpl_letter(result: AgencyResult, info: ResultLetterInfo) -> bytes:
    """The same letter, its chart a matplotlib PNG embedded on enclosure 1 (the usual way)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pikepdf
    from matplotlib import font_manager
    from PIL import Image

    blocks = enclosure_blocks(result)
    chart = next((b for b in blocks if isinstance(b, BarChart)), None)
    blocks = [b for b in blocks if not isinstance(b, BarChart)]
    context = result_letter_context(result, info, load_issuer())
    pdf = render_pdf(context, extra_pages=compose(blocks, str(FONT_DIR)))
    if chart is None:
        return pdf
    font_manager.fontManager.addfont(str(FONT_DIR / "Sarabun-Regular.ttf"))
    plt.rcParams["font.family"] = "Sarabun"
    fig, ax = plt.subplots(figsize=(6.3, 3.6), dpi=150)
    y = np.arange(len(chart.categories))
    height = 0.8 / len(chart.series)
    for k, series in enumerate(chart.series):
        values = [v if v is not None else 0 for v in series.values]
        ax.barh(y + k * height, values, height, label=series.label, color=series.rgb)
    ax.set_yticks(y + 0.4 - height / 2, chart.categories, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, chart.maximum)
    ax.legend(fontsize=7)
    ax.set_title(chart.title, fontsize=9)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    doc = pikepdf.open(io.BytesIO(pdf))
    xobject = doc.make_stream(
        zlib.compress(image.tobytes()),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=image.width,
        Height=image.height,
        ColorSpace=pikepdf.Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=pikepdf.Name.FlateDecode,
    )
    page = doc.pages[1]
    page.obj.Resources.XObject = pikepdf.Dictionary(Chart=xobject)
    page.contents_add(doc.make_stream(b"q 453 0 0 259 85 300 cm /Chart Do Q"))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark and print one line per measurement; returns the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--mpl", type=int, default=200, help="letters for the matplotlib variant")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = _results(args.n)
    items = [(r, _info(i)) for i, r in enumerate(results)]
    build_s = time.perf_counter() - started
    data_mb = _rss_mb()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        # Warm up: the cover's layout (typst) and the fonts, once per process.
        render_result_letters(items[:1], Path(tmp) / "warm")
        cpu = time.process_time()
        report = render_result_letters(items, Path(tmp) / "letters")
        figures["letters_per_cpu_s"] = len(report.paths) / (time.process_time() - cpu)
        letters_mb = _rss_mb()
        sizes = [p.stat().st_size for p in report.paths]
        figures["letters_per_s"] = report.rate
        figures["letters"] = len(report.paths)
        figures["failures"] = len(report.failures)
        figures["mean_kb"] = sum(sizes) / len(sizes) / 1024
    scored = [item for item in items if item[0].scored][: args.mpl]
    _mpl_letter(*scored[0])  # warm up matplotlib's font cache
    started, cpu = time.perf_counter(), time.process_time()
    for result, info in scored:
        _mpl_letter(result, info)
    figures["mpl_per_s"] = len(scored) / (time.perf_counter() - started)
    figures["mpl_per_cpu_s"] = len(scored) / (time.process_time() - cpu)
    # The vector letters again on exactly these letters (all scored: a fair comparison).
    started, cpu = time.perf_counter(), time.process_time()
    for result, info in scored:
        render_result_letter(result, info)
    same_per_s = len(scored) / (time.perf_counter() - started)
    same_per_cpu_s = len(scored) / (time.process_time() - cpu)
    figures["speedup"] = same_per_s / figures["mpl_per_s"]
    figures["speedup_cpu"] = same_per_cpu_s / figures["mpl_per_cpu_s"]
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"result letters, one core: {int(figures['letters'])} letters "
        f"({args.n // UNSCORED_EVERY} without response, {args.n // LONG_EVERY} long names, "
        f"{int(figures['failures'])} failures) {figures['letters_per_s']:.0f}/s "
        f"({figures['letters_per_cpu_s']:.0f} per CPU second), "
        f"{figures['mean_kb']:.0f} KB/letter (data built in {build_s:.1f} s); "
        f"matplotlib chart per agency {figures['mpl_per_s']:.1f}/s "
        f"({figures['mpl_per_cpu_s']:.1f} per CPU second) on {len(scored)} scored "
        f"letters (extrapolated: {args.n / figures['mpl_per_s'] / 60:.0f} min for {args.n}); "
        f"vector charts {figures['speedup']:.0f}x faster ({figures['speedup_cpu']:.0f}x in CPU "
        f"time, on the same letters); peak RSS {figures['peak_mb']:.0f} MB "
        f"({data_mb:.0f} MB after building the data, {letters_mb:.0f} MB after the letters)"
    )
    return figures


if __name__ == "__main__":
    main()
