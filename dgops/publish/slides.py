"""The seminar slides (PPTX): the key messages and charts, editable in PowerPoint/Impress.

Charts are native PowerPoint charts built from the report's tables (the team can restyle or
re-label them), except the province tile grid, which is a picture with its alt text. Messages
reuse the report's formatted numbers (:func:`dgops.publish.report.report_data`), so the slides
say what the report says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dgops.publish.charts import LEVEL_COLORS, PALETTE
from dgops.publish.tables import StatTable

__all__ = ["write_slides"]

FONT = "Sarabun"


def _rgb(hex_color: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_color.lstrip("#"))  # type: ignore[no-untyped-call]


def _title(slide: Any, text: str) -> None:
    from pptx.util import Pt

    slide.shapes.title.text = text
    for p in slide.shapes.title.text_frame.paragraphs:
        for r in p.runs:
            r.font.name, r.font.size, r.font.bold = FONT, Pt(28), True
            r.font.color.rgb = _rgb(PALETTE[0])


def _bullets(slide: Any, lines: Sequence[str], *, top: float = 1.5, size: int = 20) -> None:
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(0.6), Inches(top), Inches(12.1), Inches(5.5))
    tf = box.text_frame
    tf.word_wrap = True
    for i, line in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = "• " + line
        p.space_after = Pt(10)
        for r in p.runs:
            r.font.name, r.font.size = FONT, Pt(size)


def _chart(
    slide: Any,
    kind: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    colors: Sequence[str],
) -> Any:
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    if not categories:
        # Every group too small for a percentage (fewer than 5 agencies): say so, no empty chart.
        _bullets(
            slide,
            ["ไม่มีข้อมูลเพียงพอสำหรับแผนภูมินี้ (กลุ่มที่มีหน่วยงานน้อยกว่า 5 แห่งไม่แสดงร้อยละ)"],
            top=1.6,
        )
        return None
    chart_data = CategoryChartData()  # type: ignore[no-untyped-call]
    chart_data.categories = list(categories)
    for name, values in series:
        points = [None if v is None else float(v) for v in values]
        chart_data.add_series(name, points)  # type: ignore[no-untyped-call]
    chart_type = {
        "bar": XL_CHART_TYPE.BAR_CLUSTERED,
        "stacked": XL_CHART_TYPE.BAR_STACKED_100,
    }[kind]
    frame = slide.shapes.add_chart(
        chart_type, Inches(0.6), Inches(1.4), Inches(12.1), Inches(5.8), chart_data
    )
    chart = frame.chart
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.name = FONT
    chart.font.name, chart.font.size = FONT, Pt(12)
    chart.category_axis.reverse_order = True
    for s, color in zip(chart.plots[0].series, colors, strict=False):
        s.format.fill.solid()
        s.format.fill.fore_color.rgb = _rgb(color)
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format = "0.0"
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.font.size = Pt(10)
    return chart


def write_slides(
    path: Path,
    payload: Mapping[str, Any],
    tables: Mapping[str, StatTable],
    level_names: Sequence[str],
    tile_png: Path | None,
    tile_alt: str,
) -> Path:
    """Write the slides; ``payload`` is the report's data, ``tables`` the report's tables."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    title_only = prs.slide_layouts[5]
    s = payload["summary"]

    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.text = payload["title"]
    slide.placeholders[
        1
    ].text = (
        f"ผลการสำรวจประจำปี {payload['year']} · {payload['publisher']} · ฉบับ {payload['version']}"
    )
    for shape in (slide.shapes.title, slide.placeholders[1]):
        for p in shape.text_frame.paragraphs:
            for r in p.runs:
                r.font.name = FONT

    slide = prs.slides.add_slide(title_only)
    _title(slide, "สาระสำคัญ")
    lines = [
        f"หน่วยงานตอบแบบสำรวจ {s['responded']} จาก {s['invited']} หน่วยงาน (ร้อยละ {s['rate']})",
        f"คะแนนเฉลี่ยภาพรวม {s['mean']} · ระดับขั้นกลางขึ้นไปร้อยละ {s['defined_up']}"
        f" · ระดับริเริ่มร้อยละ {s['initial']}",
    ]
    if payload["previous"] is not None:
        p = payload["previous"]
        lines.append(
            f"เทียบกับ{p['label']}: คะแนนเฉลี่ย{p['direction']}จาก {p['mean']} เป็น {s['mean']}"
        )
    if payload["strength"] is not None:
        st = payload["strength"]
        lines.append(
            f"มิติที่มีความพร้อมสูงสุด: {st['best']['name']} (ขั้นกลางขึ้นไปร้อยละ {st['best']['defined_up']})"
        )
        lines.append(
            f"มิติที่ควรเร่งพัฒนา: {st['worst']['name']} (ระดับริเริ่มร้อยละ {st['worst']['initial']})"
        )
    _bullets(slide, lines)

    t = tables["T11_response_level"]
    slide = prs.slides.add_slide(title_only)
    _title(slide, "อัตราการตอบกลับ จำแนกตามระดับหน่วยงาน")
    rows = [r for r in t.rows if r[3] is not None]
    _chart(slide, "bar", [str(r[0]) for r in rows], [("ร้อยละ", [r[3] for r in rows])], [PALETTE[0]])

    t = tables["T21_maturity"]
    year = payload["year"]
    rows = [r for r in t.rows if r[1] == year and r[3] is not None]
    slide = prs.slides.add_slide(title_only)
    _title(slide, f"การกระจายระดับความพร้อม ปี {year}")
    _chart(
        slide,
        "stacked",
        [str(r[0]) for r in rows],
        [(level_names[k], [r[3 + k] for r in rows]) for k in range(5)],
        LEVEL_COLORS,
    )

    if tile_png is not None:
        slide = prs.slides.add_slide(title_only)
        _title(slide, "ผลการประเมินรายจังหวัด")
        pic = slide.shapes.add_picture(str(tile_png), Inches(4.2), Inches(1.3), height=Inches(6.0))
        pic._element.nvPicPr.cNvPr.set("descr", tile_alt)

    t = tables["T41_pillars"]
    slide = prs.slides.add_slide(title_only)
    _title(slide, "มิติที่เด่นและมิติที่ควรเร่งพัฒนา")
    _chart(
        slide,
        "bar",
        [str(r[0]) for r in t.rows],
        [("ขั้นกลางขึ้นไป (ร้อยละ)", [r[2] for r in t.rows]), ("ริเริ่ม (ร้อยละ)", [r[3] for r in t.rows])],
        [PALETTE[0], LEVEL_COLORS[0]],
    )

    slide = prs.slides.add_slide(title_only)
    _title(slide, "ข้อเสนอแนะเชิงนโยบาย")
    recs = payload["recommendations"] or [{"title": "ไม่มีข้อเสนอแนะเชิงนโยบายในรอบนี้"}]
    _bullets(slide, [r["title"] for r in recs], size=18)

    slide = prs.slides.add_slide(title_only)
    _title(slide, "ดาวน์โหลดข้อมูลเปิด")
    d = payload["download"]
    _bullets(
        slide, [d["url"], f"สัญญาอนุญาต {d['license']}", *(f["path"] for f in d["files"])], size=16
    )
    for shape in slide.shapes:
        if shape.has_text_frame:
            for p in shape.text_frame.paragraphs:
                for r in p.runs:
                    r.font.name = FONT
                    if r.font.size is None:
                        r.font.size = Pt(16)
    prs.core_properties.title = payload["title"]
    path.parent.mkdir(parents=True, exist_ok=True)
    prs.save(str(path))
    return path
