"""Building the seminar package of a released run into a dated, versioned folder.

``<out>/dgrs-<year>-r<run>-<release date>/``::

    report-<year>.pdf        the national report (Thai)
    tables-<year>.xlsx       every table of the report, one sheet each
    slides-<year>.pptx       the seminar slides (editable)
    charts/                  each chart as SVG and PNG, charts.json with titles and alt texts
    data/                    open data: CSV files, datapackage.json, catalogue.json,
                             dcat.ttl, dcat.jsonld
    manifest.json            every file with its size and SHA-256
    SHA256SUMS               the same, for ``sha256sum -c``

The folder is named by the run and its release date, never the build time, and every file is
written the same way from the same run (CSV byte-identical; the same numbers everywhere).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from dgops.publish import charts as ch
from dgops.publish.data import PublicationData, gather, publish_dir
from dgops.publish.opendata import (
    Resource,
    agency_results_frame,
    catalogue_record,
    data_package,
    dcat_graph,
    dumps,
    load_dataset_meta,
    response_status_frame,
    sha256_file,
    write_csv,
)
from dgops.publish.report import TITLE_TH, render_report, report_data
from dgops.publish.slides import write_slides
from dgops.publish.tables import StatTable, build_tables
from dgops.publish.workbook import write_workbook

__all__ = ["PackageOutcome", "build_package", "package_name", "publish_cycle"]


@dataclass
class PackageOutcome:
    """What :func:`build_package` wrote, and how long each part took (seconds)."""

    folder: Path
    files: list[Path]
    timings: dict[str, float] = field(default_factory=dict)
    n_tables: int = 0
    uncoded: int = 0


def package_name(data: PublicationData) -> str:
    """``dgrs-<year>-r<run>-<YYYY-MM-DD of release>``."""
    return f"dgrs-{data.cycle_year}-r{data.run_id}-{data.released_on.isoformat()}"


@contextmanager
def _timed(timings: dict[str, float], part: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[part] = timings.get(part, 0.0) + time.perf_counter() - start


def _charts(
    data: PublicationData, tables: dict[str, StatTable], folder: Path
) -> dict[str, ch.Chart]:
    level_names = [lv.name_th for lv in sorted(data.framework.levels, key=lambda x: x.level)]
    out: dict[str, ch.Chart] = {}
    t = tables["T11_response_level"]
    rows = t.rows[:-1]
    fig = ch.bar_chart(
        [str(r[0]) for r in rows], [("ร้อยละ", [r[3] for r in rows])], xlabel="อัตราการตอบกลับ (ร้อยละ)"
    )
    out["response_level"] = ch.write_chart(
        fig, folder, "response_level", t.title_th, ch.table_alt(t, "group", "rate", "%")
    )
    t = tables["T21_maturity"]
    labels = [f"{r[0]} ({r[1]})" for r in t.rows]
    fig = ch.stacked_levels_chart(labels, [r[3:8] for r in t.rows], level_names)
    alt = "; ".join(
        f"{r[0]} ปี {r[1]}: " + ", ".join(f"{level_names[k]} {ch.fmt(r[3 + k])}%" for k in range(5))
        for r in t.rows
    )
    out["maturity"] = ch.write_chart(fig, folder, "maturity", t.title_th, f"{t.title_th}: {alt}")
    for key, chart_key in (
        ("T22_maturity_type", "maturity_type"),
        ("T23_maturity_mission", "maturity_mission"),
    ):
        t = tables[key]
        if not t.rows:
            continue
        fig = ch.stacked_levels_chart(
            [str(r[0]) for r in t.rows], [r[2:7] for r in t.rows], level_names
        )
        alt = "; ".join(
            f"{r[0]}: " + ", ".join(f"{level_names[k]} {ch.fmt(r[2 + k])}%" for k in range(5))
            for r in t.rows
        )
        out[chart_key] = ch.write_chart(fig, folder, chart_key, t.title_th, f"{t.title_th}: {alt}")
    t = tables["T31_provinces"]
    values = {str(r[0]): r[3] for r in t.rows}
    fig = ch.tile_map(values)
    with_data = [r for r in t.rows if r[3] is not None]
    best = max(with_data, key=lambda r: r[3]) if with_data else None
    worst = min(with_data, key=lambda r: r[3]) if with_data else None
    alt = f"แผนภาพช่องจังหวัด 77 จังหวัด มีข้อมูล {len(with_data)} จังหวัด"
    if best is not None and worst is not None:
        alt += f" คะแนนเฉลี่ยสูงสุด {best[0]} {best[3]:.2f} ต่ำสุด {worst[0]} {worst[3]:.2f}"
    out["provinces"] = ch.write_chart(fig, folder, "provinces", t.title_th, alt)
    t = tables["T41_pillars"]
    if t.rows:
        fig = ch.bar_chart(
            [str(r[0]) for r in t.rows],
            [("ขั้นกลางขึ้นไป", [r[2] for r in t.rows]), ("ริเริ่ม", [r[3] for r in t.rows])],
            xlabel="ร้อยละของหน่วยงาน",
        )
        alt = "; ".join(f"{r[0]}: ขั้นกลางขึ้นไป {r[2]:.1f}%, ริเริ่ม {r[3]:.1f}%" for r in t.rows)
        out["pillars"] = ch.write_chart(fig, folder, "pillars", t.title_th, f"{t.title_th}: {alt}")
    for key, t in tables.items():
        if key.startswith("T5") and t.rows:
            fig = ch.bar_chart(
                [str(r[0]) for r in t.rows],
                [("ร้อยละ", [r[2] for r in t.rows])],
                xlabel="ร้อยละของผู้ตอบ",
            )
            out[key] = ch.write_chart(
                fig, folder, key, t.title_th, ch.table_alt(t, "answer", "pct", "%")
            )
    return out


def _uncoded(data: PublicationData) -> dict[str, list[tuple[str, str, str]]]:
    from dgops.publish.coding import coded_counts

    out: dict[str, list[tuple[str, str, str]]] = {}
    for q, codes in data.codes.items():
        frame = data.frame_of(q)
        assert frame is not None
        answers = {a: str(v) for a, v in data.answers.get(q, {}).items()}
        counted = coded_counts(frame, answers, codes)
        out[q] = [
            (str(data.agencies.at[a, "code"]), str(data.agencies.at[a, "name_th"]), text)
            for a, text in counted.uncoded.items()
        ]
    return out


def build_package(
    data: PublicationData,
    out_dir: Path,
    *,
    slides: bool = True,
    templates: Path | None = None,
) -> PackageOutcome:
    """Write the whole package of ``data`` under ``out_dir`` (see the module doc)."""
    templates = templates or publish_dir()
    folder = out_dir / package_name(data)
    folder.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    year = data.cycle_year
    with _timed(timings, "tables"):
        tables = build_tables(data)
        keyed = {t.key: t for t in tables}
        uncoded = _uncoded(data)
    with _timed(timings, "open data"):
        meta = load_dataset_meta(templates / "dataset.yaml")
        data_dir = folder / "data"
        resources = []
        for name, title, (frame, fields) in (
            ("agency_results", "ผลการประเมินรายหน่วยงาน", agency_results_frame(data)),
            ("response_status", "สถานะการตอบแบบสำรวจรายหน่วยงาน", response_status_frame(data)),
        ):
            path = write_csv(data_dir / f"{name}.csv", frame, fields)
            resources.append(
                Resource(
                    name,
                    path.name,
                    title,
                    fields,
                    "agency_code",
                    sha256_file(path),
                    path.stat().st_size,
                )
            )
        (data_dir / "datapackage.json").write_bytes(dumps(data_package(meta, data, resources)))
        (data_dir / "catalogue.json").write_bytes(dumps(catalogue_record(meta, data, resources)))
        graph = dcat_graph(meta, data, resources)
        (data_dir / "dcat.ttl").write_text(graph.serialize(format="turtle"), encoding="utf-8")
        (data_dir / "dcat.jsonld").write_text(
            graph.serialize(format="json-ld", indent=2), encoding="utf-8"
        )
    with _timed(timings, "charts"):
        charts = _charts(data, keyed, folder / "charts")
        (folder / "charts" / "charts.json").write_bytes(
            dumps(
                [
                    {
                        "key": c.key,
                        "title": c.title_th,
                        "alt": c.alt_th,
                        "svg": c.svg.name,
                        "png": c.png.name,
                    }
                    for c in charts.values()
                ]
            )
        )
    files = [("data/" + r.path, r.title_th) for r in resources]
    files += [("data/datapackage.json", "คำอธิบายชุดข้อมูล (Frictionless Data Package)")]
    files += [("data/catalogue.json", "ระเบียนบัญชีข้อมูลตามมาตรฐานคำอธิบายข้อมูล")]
    files += [("data/dcat.ttl", "คำอธิบายชุดข้อมูล DCAT (Turtle)")]
    with _timed(timings, "report"):
        payload = report_data(
            data,
            tables,
            charts,
            folder,
            publisher=meta.publisher_th,
            download_url=meta.landing_page,
            license_th=meta.license_title_th,
            files=files,
        )
        pdf = render_report(templates / "report.typ", folder, payload)
        (folder / f"report-{year}.pdf").write_bytes(pdf)
    with _timed(timings, "workbook"):
        write_workbook(
            folder / f"tables-{year}.xlsx", tables, uncoded, title_th=f"{TITLE_TH} ปี {year}"
        )
    if slides:
        with _timed(timings, "slides"):
            level_names = [
                lv.name_th for lv in sorted(data.framework.levels, key=lambda x: x.level)
            ]
            prov = charts.get("provinces")
            write_slides(
                folder / f"slides-{year}.pptx",
                payload,
                keyed,
                level_names,
                prov.png if prov else None,
                prov.alt_th if prov else "",
            )
    with _timed(timings, "manifest"):
        written = _manifest(folder, data)
    return PackageOutcome(
        folder, written, timings, len(tables), sum(len(v) for v in uncoded.values())
    )


def _manifest(folder: Path, data: PublicationData) -> list[Path]:
    skip = {"manifest.json", "SHA256SUMS"}
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in skip)
    entries: list[dict[str, Any]] = [
        {
            "path": p.relative_to(folder).as_posix(),
            "bytes": p.stat().st_size,
            "sha256": sha256_file(p),
        }
        for p in files
    ]
    manifest = {
        "package": folder.name,
        "cycle_year": data.cycle_year,
        "run_id": data.run_id,
        "version": data.version,
        "files": entries,
    }
    (folder / "manifest.json").write_bytes(dumps(manifest))
    (folder / "SHA256SUMS").write_text(
        "".join(f"{e['sha256']}  {e['path']}\n" for e in entries), encoding="utf-8"
    )
    return [*files, folder / "manifest.json", folder / "SHA256SUMS"]


def publish_cycle(
    session: Session,
    cycle_year: int,
    out_dir: Path,
    *,
    slides: bool = True,
    loader: Callable[..., PublicationData] = gather,
) -> PackageOutcome:
    """Gather the cycle's released run and build its package (refuses an unreleased run)."""
    data = loader(session, cycle_year)
    return build_package(data, out_dir, slides=slides)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The package's manifest."""
    result: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return result
