"""Result letters: the official letter sending each agency its results, with two enclosures.

After a run is released every agency receives one PDF (or an editable DOCX): the cover letter
(the invitation letter's layout and fill path, :mod:`dgops.letters`), enclosure 1 with its
overall and pillar scores and levels, a vector bar chart of its pillar scores against its peer
group's mean and its own last year, and its sub-indicator scores with the peer mean and rank;
enclosure 2 with its sub-indicators sorted into DGA's three recommendation classes with DGA's
advice, and an action-plan table to fill in (also as an XLSX template, :func:`action_plan_xlsx`).

A correction letter (``ResultLetterInfo.corrects``) has its own number, refers to the first
result letter by number and date and says that it replaces those results, and why.

Every gap in the data has a defined output: an agency that did not respond gets a short letter
without enclosures; a pillar without a score shows "ไม่มีคะแนน" and the note why; no last year
leaves the last-year series out of the chart and says so under its legend.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from dgops.letters import (
    DEFAULT_STYLE,
    FONT_DIR,
    BarChart,
    Block,
    Column,
    IssuerSettings,
    LetterContext,
    PageBreak,
    Series,
    Space,
    Table,
    Text,
    compose,
    load_issuer,
    render_body,
    render_docx,
    render_pdf,
)
from dgops.results.issue import ResultLetterInfo
from dgops.results.models import ResultLetterKind
from dgops.results.view import CLASS_ORDER, AgencyResult, ScoreLine
from dgops.thai import thai_date, thai_digits

__all__ = [
    "CORRECTION",
    "RESULT",
    "ResultLetterReport",
    "action_plan_xlsx",
    "enclosure_blocks",
    "render_result_letter",
    "render_result_letters",
    "result_letter_context",
    "result_letter_name",
]

RESULT = ResultLetterKind.RESULT.value
CORRECTION = ResultLetterKind.CORRECTION.value
NO_SCORE = "ไม่มีคะแนน"
DASH = "-"
AGENCY_RGB = (0.12, 0.31, 0.60)
PEER_RGB = (0.62, 0.62, 0.62)
PREVIOUS_RGB = (0.85, 0.55, 0.20)
PLAN_CLASSES = ("accelerate", "fairly_outstanding")
"""Sub-indicators an action plan is asked for, most urgent first."""


def _score(value: float | None) -> str:
    return NO_SCORE if value is None else thai_digits(f"{value:.2f}")


def _opt(value: float | None) -> str:
    return DASH if value is None else thai_digits(f"{value:.2f}")


def _rank(line: ScoreLine) -> str:
    if line.rank_peer is None or line.peer_size is None or line.score is None:
        return DASH
    return thai_digits(f"{line.rank_peer}/{line.peer_size}")


def _level(line: ScoreLine) -> str:
    if line.level is None or line.score is None:
        return DASH
    name = f" {line.level_name_th}" if line.level_name_th else ""
    return thai_digits(f"{line.level}") + name


def _year(result: AgencyResult) -> str:
    return thai_digits(str(result.year_be))


def _reference(issuer: IssuerSettings, kind: str, number: str, date: dt.date) -> str:
    return thai_digits(f"{kind}{issuer.short_name} ที่ {number} ลงวันที่ ") + thai_date(
        date, digits=True
    )


def _is_correction(info: ResultLetterInfo) -> bool:
    return info.corrects is not None or info.kind == CORRECTION


def result_letter_context(
    result: AgencyResult,
    info: ResultLetterInfo,
    issuer: IssuerSettings,
    *,
    sample: bool | None = None,
) -> LetterContext:
    """The cover letter of ``result``: a result letter, or a correction when ``info.corrects``
    (or ``info.kind``) says so. ``sample`` marks a preview "ตัวอย่าง ห้ามส่ง"; by default a
    letter whose number says ตัวอย่าง (the previews' placeholder number) is one."""
    correction = _is_correction(info)
    if correction and not (info.reason_th or "").strip():
        raise ValueError("a correction letter needs reason_th (why the results are replaced)")
    year = _year(result)
    values: dict[str, object] = {
        "issuer": issuer,
        "year": year,
        "agency_name": result.name_th,
        "scored": result.scored,
        "has_invitation": info.invitation is not None,
        # The body says "เนื่องจาก<reason>": an operator's reason may start with it already.
        "reason": (info.reason_th or "").strip().removeprefix("เนื่องจาก").strip(),
    }
    references: tuple[str, ...] = ()
    if info.corrects is not None:
        references = (_reference(issuer, "หนังสือ", *info.corrects),)
    elif info.invitation is not None:
        references = (_reference(issuer, "หนังสือ", *info.invitation),)
    enclosures: tuple[str, ...] = ()
    if result.scored:
        enclosures = (
            "๑. ผลการสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงาน",
            "๒. ข้อเสนอแนะเพื่อยกระดับการพัฒนารัฐบาลดิจิทัลและแผนปฏิบัติการ",
        )
    subject = f"แจ้งผลการสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ ประจำปี {year}"
    if correction:
        subject = f"แจ้งแก้ไขผลการสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ ประจำปี {year}"
    head = (info.head_title or "").strip()
    return LetterContext(
        kind=CORRECTION if correction else RESULT,
        agency_code=result.code,
        number=info.number,
        date=info.issued_on,
        subject=subject,
        salutation=head or f"หัวหน้าหน่วยงาน {result.name_th}",
        paragraphs=tuple(render_body("correction.j2" if correction else "result.j2", values)),
        closing="จึงเรียนมาเพื่อโปรดทราบ และพิจารณาดำเนินการในส่วนที่เกี่ยวข้อง",
        issuer=issuer,
        references=references,
        enclosures=enclosures,
        agency_name=result.name_th,
        sample="ตัวอย่าง" in info.number if sample is None else sample,
    )


def _chart(result: AgencyResult) -> BarChart:
    pillars = result.pillars
    series = [
        Series("คะแนนของหน่วยงาน", tuple(p.score for p in pillars), AGENCY_RGB),
        Series("ค่าเฉลี่ยของกลุ่มเปรียบเทียบ", tuple(p.peer_mean for p in pillars), PEER_RGB),
    ]
    note = ""
    previous = tuple(p.previous for p in pillars)
    if result.previous_label_th and any(v is not None for v in previous):
        series.append(
            Series(
                f"คะแนนของหน่วยงาน{thai_digits(result.previous_label_th)}",
                previous,
                PREVIOUS_RGB,
                missing="ไม่มีคะแนนปีก่อน",
            )
        )
        if any(v is None for v in previous):
            note = "มิติที่ไม่มีคะแนนปีก่อน: ปีก่อนไม่มีคะแนนของมิตินั้น หรือกรอบการสำรวจเปลี่ยนไป"
    else:
        note = "ไม่มีผลการสำรวจของหน่วยงานในปีก่อนให้เปรียบเทียบ"
    return BarChart(
        title="คะแนนรายมิติเทียบกับค่าเฉลี่ยของกลุ่มเปรียบเทียบและปีก่อน",
        categories=tuple(thai_digits(f"{i}. ") + p.name_th for i, p in enumerate(pillars, 1)),
        series=tuple(series),
        note=note,
    )


def _enclosure_1(result: AgencyResult) -> list[Block]:
    year = _year(result)
    overall = result.overall
    blocks: list[Block] = [
        PageBreak("สิ่งที่ส่งมาด้วย ๑"),
        Text(f"ผลการสำรวจระดับความพร้อมรัฐบาลดิจิทัลของ{result.name_th}", bold=True, align="center"),
        Text(f"ประจำปี {year}", bold=True, align="center"),
        Space(6),
        Text(f"กลุ่มเปรียบเทียบ: {result.peer_label_th}"),
    ]
    if overall is not None:
        level = _level(overall)
        blocks.append(
            Text(
                f"คะแนนภาพรวม {_score(overall.score)}"
                + (" คะแนน (เต็ม ๑๐๐)" if overall.score is not None else "")
                + (f" ระดับ {level}" if level != DASH else ""),
                bold=True,
            )
        )
        if overall.peer_mean is not None:
            rank = ""
            if overall.rank_peer is not None and overall.peer_size is not None:
                rank = thai_digits(
                    f" อันดับที่ {overall.rank_peer} จาก {overall.peer_size} หน่วยงานในกลุ่ม"
                )
            blocks.append(Text(f"ค่าเฉลี่ยของกลุ่มเปรียบเทียบ {_score(overall.peer_mean)} คะแนน{rank}"))
        if overall.previous is not None and result.previous_label_th:
            change = ""
            if overall.delta is not None:
                word = "เพิ่มขึ้น" if overall.delta >= 0 else "ลดลง"
                change = f" ({word} {thai_digits(f'{abs(overall.delta):.2f}')} คะแนน)"
            blocks.append(
                Text(
                    f"คะแนนภาพรวม{thai_digits(result.previous_label_th)} "
                    f"{_score(overall.previous)} คะแนน{change}"
                )
            )
        else:
            blocks.append(Text("ไม่มีผลการสำรวจของหน่วยงานในปีก่อนให้เปรียบเทียบ"))
    previous_header = "ปีก่อน"
    blocks.append(
        Table(
            columns=(
                Column(4.2),
                Column(1.3, "right"),
                Column(2.4),
                Column(1.3, "right"),
                Column(1.2, "center"),
                Column(1.3, "right"),
            ),
            header=("มิติ", "คะแนน", "ระดับ", "ค่าเฉลี่ยกลุ่ม", "อันดับในกลุ่ม", previous_header),
            rows=tuple(
                (
                    thai_digits(f"{i}. ") + p.name_th,
                    _score(p.score),
                    _level(p),
                    _opt(p.peer_mean),
                    _rank(p),
                    _opt(p.previous),
                )
                for i, p in enumerate(result.pillars, 1)
            ),
        )
    )
    for note in result.notes_th:
        blocks.append(Text(f"หมายเหตุ: {note}", size=9.5, space_before=2))
    blocks.append(Space(10))
    if result.pillars:
        blocks.append(_chart(result))
    if result.sub_indicators:
        blocks.append(Text("คะแนนรายตัวชี้วัดย่อย", bold=True, space_before=6))
        blocks.append(
            Table(
                columns=(
                    Column(0.9),
                    Column(4.6),
                    Column(1.3, "right"),
                    Column(1.3, "right"),
                    Column(1.2, "center"),
                    Column(1.3, "right"),
                ),
                header=("ตัวชี้วัด", "ชื่อตัวชี้วัดย่อย", "คะแนน", "ค่าเฉลี่ยกลุ่ม", "อันดับในกลุ่ม", previous_header),
                rows=tuple(
                    (
                        thai_digits(s.code),
                        s.name_th,
                        _score(s.score),
                        _opt(s.peer_mean),
                        _rank(s),
                        _opt(s.previous),
                    )
                    for s in result.sub_indicators
                ),
            )
        )
        blocks.append(
            Text(
                "อันดับในกลุ่ม: อันดับของหน่วยงาน/จำนวนหน่วยงานในกลุ่มเปรียบเทียบที่มีคะแนน",
                size=9.5,
                space_before=2,
            )
        )
    return blocks


def _enclosure_2(result: AgencyResult) -> list[Block]:
    blocks: list[Block] = [
        PageBreak("สิ่งที่ส่งมาด้วย ๒"),
        Text(
            f"ข้อเสนอแนะเพื่อยกระดับการพัฒนารัฐบาลดิจิทัลของ{result.name_th}",
            bold=True,
            align="center",
        ),
        Space(6),
        Text(
            "สพร. จัดตัวชี้วัดย่อยของหน่วยงานเป็น ๓ กลุ่ม โดยเทียบคะแนนของหน่วยงานกับค่าเฉลี่ยของ"
            "กลุ่มเปรียบเทียบ พร้อมข้อเสนอแนะสำหรับแต่ละตัวชี้วัดย่อย ดังนี้",
            first_indent=70.87,
        ),
    ]
    for i, rec_class in enumerate(CLASS_ORDER, 1):
        items = result.advice.get(rec_class, ())
        label = result.class_label_th(rec_class)
        blocks.append(
            Text(thai_digits(f"{i}. {label} ({len(items)} ตัวชี้วัด)"), bold=True, space_before=8)
        )
        if not items:
            blocks.append(Text("ไม่มีตัวชี้วัดย่อยในกลุ่มนี้", indent=20))
            continue
        blocks.append(
            Table(
                columns=(Column(2.6), Column(1.1, "right"), Column(1.1, "right"), Column(5.2)),
                header=("ตัวชี้วัดย่อย", "คะแนน", "ค่าเฉลี่ยกลุ่ม", "ข้อเสนอแนะจาก สพร."),
                rows=tuple(
                    (
                        thai_digits(f"{a.sub_indicator} ") + a.name_th,
                        _score(a.score),
                        _opt(a.peer_mean),
                        a.advice_th or DASH,
                    )
                    for a in items
                ),
            )
        )
    plan = [a for c in PLAN_CLASSES for a in result.advice.get(c, ())]
    blocks.append(Text("แผนปฏิบัติการของหน่วยงาน", bold=True, space_before=12))
    blocks.append(
        Text(
            "โปรดระบุสิ่งที่จะดำเนินการ หน่วยงานหลัก หน่วยงานสนับสนุน และกำหนดแล้วเสร็จ สำหรับ"
            "ตัวชี้วัดย่อยที่ควรเร่งพัฒนาและที่ค่อนข้างโดดเด่น (หน่วยงานที่พิมพ์ไว้เป็นข้อเสนอของ สพร. "
            "แก้ไขได้) และส่งแบบฟอร์ม Excel ที่แนบมาพร้อมกันกลับมายัง สพร.",
            first_indent=70.87,
        )
    )
    if plan:
        blocks.append(
            Table(
                columns=(Column(2.2), Column(2.1), Column(2.2), Column(2.4), Column(1.4)),
                header=(
                    "ตัวชี้วัดย่อย",
                    "สิ่งที่จะดำเนินการ",
                    "หน่วยงานหลัก",
                    "หน่วยงานสนับสนุน",
                    "กำหนดแล้วเสร็จ",
                ),
                rows=tuple(
                    (
                        thai_digits(f"{a.sub_indicator} ") + a.name_th,
                        "",
                        a.lead_unit or "",
                        ", ".join(a.support_units),
                        "",
                    )
                    for a in plan
                ),
                min_row_height=48.0,
            )
        )
    else:
        blocks.append(Text("ไม่มีตัวชี้วัดย่อยที่ต้องจัดทำแผนปฏิบัติการ", indent=20))
    return blocks


def enclosure_blocks(result: AgencyResult) -> list[Block]:
    """Enclosures 1 and 2 of ``result`` as plain blocks (none for an unscored agency)."""
    if not result.scored:
        return []
    return _enclosure_1(result) + _enclosure_2(result)


def render_result_letter(
    result: AgencyResult,
    info: ResultLetterInfo,
    *,
    fmt: Literal["pdf", "docx"] = "pdf",
    issuer: IssuerSettings | None = None,
    sample: bool | None = None,
) -> bytes:
    """One agency's result (or correction) letter with its enclosures, as PDF or DOCX bytes.

    ``sample`` marks a preview (default: when the number says ตัวอย่าง)."""
    context = result_letter_context(result, info, issuer or _issuer(), sample=sample)
    blocks = enclosure_blocks(result)
    if fmt == "pdf":
        return render_pdf(context, DEFAULT_STYLE, compose(blocks, str(FONT_DIR)))
    if fmt == "docx":
        return render_docx(context, DEFAULT_STYLE, blocks)
    raise ValueError(f"unknown letter format {fmt!r} (pdf or docx)")


_ISSUER: list[IssuerSettings] = []


def _issuer() -> IssuerSettings:
    # The shipped issuer file, read once per process (a batch must not re-read YAML per letter).
    if not _ISSUER:
        _ISSUER.append(load_issuer())
    return _ISSUER[0]


def result_letter_name(result: AgencyResult, info: ResultLetterInfo, fmt: str = "pdf") -> str:
    """``result-<code>.pdf``, or ``correction-<code>-<run>.pdf`` for a correction."""
    if _is_correction(info):
        return f"{CORRECTION}-{result.code}-{info.run_id or result.run_id}.{fmt}"
    return f"{RESULT}-{result.code}.{fmt}"


@dataclass(frozen=True)
class ResultLetterReport:
    """Letters written by :func:`render_result_letters`, the agencies that failed and how fast."""

    paths: list[Path]
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(agency code, reason) of each letter that could not be made; the others were written."""
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Letters written per second."""
        return len(self.paths) / self.seconds if self.seconds > 0 else 0.0


def render_result_letters(
    items: Sequence[tuple[AgencyResult, ResultLetterInfo]],
    out_dir: Path,
    *,
    fmt: Literal["pdf", "docx"] = "pdf",
    issuer: IssuerSettings | None = None,
    action_plans: bool = False,
) -> ResultLetterReport:
    """Write each agency's letter into ``out_dir`` (and its action-plan XLSX if asked).

    One agency whose letter fails (bad data, a character the fonts lack) is reported in
    ``failures`` with the reason; the others are still written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    issuer = issuer or _issuer()
    started = time.perf_counter()
    paths: list[Path] = []
    failures: list[tuple[str, str]] = []
    for result, info in items:
        try:
            data = render_result_letter(result, info, fmt=fmt, issuer=issuer)
            written = [(out_dir / result_letter_name(result, info, fmt), data)]
            if action_plans and result.scored:
                written.append(
                    (out_dir / f"action-plan-{result.code}.xlsx", action_plan_xlsx(result))
                )
        except Exception as exc:  # one agency's bad data must not stop the others' letters
            failures.append((result.code, f"{type(exc).__name__}: {exc}"))
            continue
        for path, content in written:
            # A private temporary name, then rename: no reader sees half a letter.
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(content)
            tmp.replace(path)
        paths.append(written[0][0])
    return ResultLetterReport(paths, failures, time.perf_counter() - started)


def action_plan_xlsx(result: AgencyResult) -> bytes:
    """The agency's action-plan template: its sub-indicators to accelerate (then the fairly
    outstanding ones) with DGA's advice and suggested units; the agency fills in the action,
    the units and the target date (a date, checked by Excel). Headers and DGA's columns are
    protected; the cells to fill in are not."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "แผนปฏิบัติการ"
    font = Font(name="TH Sarabun New", size=14)
    bold = Font(name="TH Sarabun New", size=14, bold=True)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws["A1"] = f"แผนปฏิบัติการเพื่อยกระดับการพัฒนารัฐบาลดิจิทัลของ{result.name_th}"
    ws["A1"].font = Font(name="TH Sarabun New", size=16, bold=True)
    ws["A2"] = (
        f"ตามผลการสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ ประจำปี {result.year_be} "
        f"(รหัสหน่วยงาน {result.code})"
    )
    ws["A2"].font = font
    headers = (
        ("รหัสตัวชี้วัดย่อย", 12),
        ("ตัวชี้วัดย่อย", 30),
        ("กลุ่ม", 22),
        ("คะแนน", 9),
        ("ค่าเฉลี่ยกลุ่ม", 11),
        ("ข้อเสนอแนะจาก สพร.", 60),
        ("สิ่งที่จะดำเนินการ", 40),
        ("หน่วยงานหลัก", 24),
        ("หน่วยงานสนับสนุน", 30),
        ("กำหนดแล้วเสร็จ", 16),
    )
    header_row = 4
    for col, (title, width) in enumerate(headers, 1):
        cell = ws.cell(row=header_row, column=col, value=title)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="E6E6E6")
        cell.border = border
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[cell.column_letter].width = width
    ws.row_dimensions[header_row].height = 42
    plan = [a for c in PLAN_CLASSES for a in result.advice.get(c, ())]
    editable = {7, 8, 9, 10}
    for r, a in enumerate(plan, header_row + 1):
        row = (
            a.sub_indicator,
            a.name_th,
            result.class_label_th(a.rec_class),
            None if a.score is None else round(a.score, 2),
            None if a.peer_mean is None else round(a.peer_mean, 2),
            a.advice_th,
            None,
            a.lead_unit or None,
            ", ".join(a.support_units) or None,
            None,
        )
        for col, value in enumerate(row, 1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.font = font
            cell.border = border
            cell.alignment = wrap
            if col in editable:
                cell.protection = Protection(locked=False)
            if col == 10:
                cell.number_format = "DD/MM/YYYY"
        # Excel does not grow a row for wrapped text written by a library: give the advice
        # (the longest cell, ~60 characters a line at this width) its lines.
        lines = max(1, -(-len(a.advice_th) // 60), -(-len(a.name_th) // 28))
        ws.row_dimensions[r].height = 21 * lines
    last = header_row + max(len(plan), 1)
    dates = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="DATE(2000,1,1)",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="กำหนดแล้วเสร็จ",
        error="โปรดกรอกเป็นวันที่ เช่น 30/09/2567",
    )
    ws.add_data_validation(dates)
    dates.add(f"J{header_row + 1}:J{last}")
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
