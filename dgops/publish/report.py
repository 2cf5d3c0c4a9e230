"""The national report as a PDF: ``templates/publish/report.typ`` set by typst.

The template holds the text; :func:`report_data` gives it every number, already formatted, from
the package's tables and :class:`PublicationData` — nothing in the report is typed in. typst
shapes Thai exactly, and :func:`dgops.letters.fix_cluster_text` makes the PDF's text copy out
exactly (``pdftotext`` reads what the page shows).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dgops.publish.charts import Chart, font_dir
from dgops.publish.data import PublicationData
from dgops.publish.tables import Column, StatTable, pillar_strength
from dgops.thai import thai_date

__all__ = ["cell_text", "render_report", "report_data"]

TITLE_TH = "ระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ"


def cell_text(value: Any, column: Column) -> str:
    """A cell as the report prints it: thousands separators, one decimal for percents, two
    for scores, ``–`` for a value not shown (a small group, no data)."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if column.kind == "int":
        return f"{int(value):,}"
    if column.kind == "pct":
        return f"{float(value):.1f}"
    if column.kind == "score":
        return f"{float(value):.2f}"
    return str(value)


def _widths(table: StatTable) -> list[float]:
    first = 3.0 if len(table.columns) <= 5 else 2.4
    return [first, *([1.0] * (len(table.columns) - 1))]


def _table_json(table: StatTable, number: int) -> dict[str, Any]:
    return {
        "number": number,
        "title": table.title_th,
        "headers": [c.label_th for c in table.columns],
        "widths": _widths(table),
        "rows": [
            [cell_text(v, c) for v, c in zip(row, table.columns, strict=True)] for row in table.rows
        ],
        "base": table.base_th,
        "source": table.source_th,
        "notes": table.notes_th,
    }


def _summary(data: PublicationData) -> dict[str, Any]:
    a = data.agencies
    overall = data.scores[(data.scores["kind"] == "overall") & data.scores["level"].notna()]
    n = len(overall)
    invited, responded = len(a), int(a["responded"].sum())
    with_data = overall.merge(a[["province"]], left_on="agency_id", right_index=True)
    return {
        "invited": f"{invited:,}",
        "responded": f"{responded:,}",
        "rate": f"{100.0 * responded / invited:.2f}" if invited else "–",
        "scored": f"{n:,}",
        "mean": f"{overall['score'].mean():.2f}" if n else "–",
        "defined_up": f"{100.0 * int((overall['level'] >= 3).sum()) / n:.1f}" if n else "–",
        "initial": f"{100.0 * int((overall['level'] == 1).sum()) / n:.1f}" if n else "–",
        "provinces_with_data": str(with_data["province"].dropna().nunique()),
    }


def _previous(data: PublicationData, mean_now: float | None) -> dict[str, Any] | None:
    prev = data.previous
    if prev is None:
        return None
    before = prev.scores[prev.scores["kind"] == "overall"]["score"].dropna()
    if before.empty or mean_now is None:
        return None
    mean_before = float(before.mean())
    diff = round(mean_now, 2) - round(mean_before, 2)
    direction = "เพิ่มขึ้น" if diff > 0 else "ลดลง" if diff < 0 else "เท่าเดิม"
    return {"label": prev.label_th, "mean": f"{mean_before:.2f}", "direction": direction}


def _strength(data: PublicationData) -> dict[str, Any] | None:
    frame = pillar_strength(data)
    if frame.empty:
        return None
    best = frame.iloc[0]
    worst = frame.sort_values(
        ["initial", "defined_up"], ascending=[False, True], kind="stable"
    ).iloc[0]
    return {
        "best": {
            "name": f"{best['code']} {best['name_th']}",
            "defined_up": f"{best['defined_up']:.1f}",
        },
        "worst": {
            "name": f"{worst['code']} {worst['name_th']}",
            "initial": f"{worst['initial']:.1f}",
        },
    }


def report_data(
    data: PublicationData,
    tables: Sequence[StatTable],
    charts: Mapping[str, Chart],
    root: Path,
    *,
    publisher: str,
    download_url: str,
    license_th: str,
    files: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """The JSON the template reads (every number formatted here)."""
    overall = data.scores[(data.scores["kind"] == "overall")]["score"].dropna()
    mean_now = float(overall.mean()) if len(overall) else None
    keyed = {t.key: _table_json(t, i) for i, t in enumerate(tables, start=1)}
    wide = {"provinces": 0.8}
    return {
        "title": TITLE_TH,
        "title_short": f"{TITLE_TH} ปี {data.cycle_year}",
        "year": str(data.cycle_year),
        "version": data.version,
        "released_th": thai_date(data.released_on),
        "publisher": publisher,
        "summary": _summary(data),
        "previous": _previous(data, mean_now),
        "strength": _strength(data),
        "tables": keyed,
        "response_tables": [t.key for t in tables if t.key.startswith("T1")],
        "fact_tables": [t.key for t in tables if t.key.startswith("T5")],
        "charts": {
            key: {
                "svg": "/" + c.svg.relative_to(root).as_posix(),
                "title": c.title_th,
                "alt": c.alt_th,
                "width": wide.get(key, 1.0),
            }
            for key, c in charts.items()
        },
        "recommendations": [
            {"title": r.title_th, "summary": r.summary_th, "actions": list(r.actions_th)}
            for r in data.national
        ],
        "download": {
            "url": download_url,
            "license": license_th,
            "files": [{"path": p, "title": t} for p, t in files],
        },
    }


def render_report(template: Path, root: Path, payload: Mapping[str, Any]) -> bytes:
    """Compile the report with typst (root: the package folder, for the chart files)."""
    import typst

    from dgops.letters import fix_cluster_text

    source: bytes = template.read_bytes()
    pdf = typst.compile(  # type: ignore[misc]
        input=source,
        root=str(root),
        font_paths=[str(font_dir())],
        sys_inputs={"data": json.dumps(payload, ensure_ascii=False)},
    )
    assert isinstance(pdf, bytes)
    return fix_cluster_text(pdf)
