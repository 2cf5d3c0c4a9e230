"""Result and correction letters: cover, enclosures (charts as vectors), DOCX, XLSX, batches."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from docx import Document
from openpyxl import load_workbook

from dgops.letters import pdf_text
from dgops.results import (
    Advice,
    AgencyResult,
    ResultLetterInfo,
    ScoreLine,
    action_plan_xlsx,
    render_result_letter,
    render_result_letters,
)
from dgops.thai import thai_digits

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (Debian poppler-utils) is not installed"
)

PILLARS = (("P1", "นโยบายและหลักปฏิบัติ"), ("P2", "บริการภาครัฐ"), ("P3", "โครงสร้างพื้นฐาน"))
SUBS = (
    ("P1.1", "P1", "นโยบายรัฐบาลดิจิทัล"),
    ("P1.2", "P1", "นโยบายความมั่นคงปลอดภัยไซเบอร์"),
    ("P2.1", "P2", "บริการดิจิทัลของหน่วยงาน"),
    ("P3.1", "P3", "ระบบคลาวด์ภาครัฐ"),
)
ADVICE = {
    "P1.1": "ควรจัดทำแผนปฏิบัติการดิจิทัลของหน่วยงานให้สอดคล้องกับแผนระดับชาติ",
    "P1.2": "ควรจัดทำนโยบายและแนวปฏิบัติในการรักษาความมั่นคงปลอดภัยด้านสารสนเทศของหน่วยงาน",
    "P2.1": "ควรพัฒนาบริการดิจิทัลแบบเบ็ดเสร็จ และเชื่อมโยงข้อมูลกับหน่วยงานอื่น",
    "P3.1": "ควรใช้บริการคลาวด์กลางภาครัฐ",
}
CLASSES = {"P1.1": "outstanding", "P1.2": "accelerate", "P2.1": "fairly_outstanding"}
INFO = ResultLetterInfo(
    number="สพร ๒๕๖๖/ว๔๐๙๙",
    issued_on=dt.date(2023, 11, 1),
    invitation=("สพร ๒๕๖๖/ว๑๒๓", dt.date(2023, 7, 3)),
    head_title="อธิบดีกรมทดสอบ",
)


def _line(kind: str, code: str, name: str, score: float | None, **kw: object) -> ScoreLine:
    values: dict[str, object] = {
        "level": None if score is None else 3,
        "level_name_th": None if score is None else "ขั้นพัฒนา",
        "peer_mean": 55.5,
        "rank_peer": None if score is None else 4,
        "peer_size": None if score is None else 12,
        "previous": None,
    }
    values.update(kw)
    return ScoreLine(kind=kind, code=code, name_th=name, score=score, **values)  # type: ignore[arg-type]


def make_result(
    *,
    name: str = "กรมทดสอบระบบ",
    scored: bool = True,
    previous: bool = False,
    dropped: str | None = None,
    code: str = "D0001",
) -> AgencyResult:
    """A scored agency (or not); ``previous`` gives last year's scores, ``dropped`` a pillar
    whose items were all dropped (score None)."""
    if not scored:
        return AgencyResult(
            agency_id=1,
            code=code,
            name_th=name,
            year_be=2566,
            run_id=7,
            scored=False,
            peer_label_th="กรม",
            overall=None,
            pillars=(),
            sub_indicators=(),
            advice=dict.fromkeys(("outstanding", "fairly_outstanding", "accelerate"), ()),
            previous_label_th=None,
        )
    last = {"P1": 40.25, "P2": 35.5} if previous else {}  # P3 is new this year
    pillars = tuple(
        _line(
            "pillar",
            c,
            n,
            None if c == dropped else 61.25 + i,
            previous=last.get(c),
        )
        for i, (c, n) in enumerate(PILLARS)
    )
    subs = tuple(
        _line("sub_indicator", c, n, None if p == dropped else 70.0 + i, pillar=p)
        for i, (c, p, n) in enumerate(SUBS)
    )
    advice: dict[str, list[Advice]] = {
        c: [] for c in ("outstanding", "fairly_outstanding", "accelerate")
    }
    for c, p, n in SUBS:
        if c in CLASSES:
            advice[CLASSES[c]].append(
                Advice(
                    sub_indicator=c,
                    name_th=n,
                    pillar=p,
                    rec_class=CLASSES[c],
                    score=42.0,
                    peer_mean=55.0,
                    advice_th=ADVICE[c],
                    lead_unit="ฝ่ายเทคโนโลยีสารสนเทศ",
                    support_units=("ทุกหน่วยงานภายในสังกัด",),
                )
            )
    notes = tuple(
        f"ไม่มีคะแนน{n} เนื่องจากไม่มีข้อคำถามในมิตินี้ที่นำมาคิดคะแนนได้" for c, n in PILLARS if c == dropped
    )
    return AgencyResult(
        agency_id=1,
        code=code,
        name_th=name,
        year_be=2566,
        run_id=7,
        scored=True,
        peer_label_th="กรม ส่วนราชการ",
        overall=_line(
            "overall", "overall", "คะแนนภาพรวม", 63.456, previous=50.0 if previous else None
        ),
        pillars=pillars,
        sub_indicators=subs,
        advice={k: tuple(v) for k, v in advice.items()},
        previous_label_th="ปี 2565" if previous else None,
        notes_th=notes,
    )


def _raw(pdf: bytes) -> str:
    """``pdftotext -raw``: text in content order (a table row by row)."""
    done = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pages(pdf: bytes) -> list[pikepdf.Page]:
    return list(pikepdf.open(io.BytesIO(pdf)).pages)


def test_result_letter_cover_and_both_enclosures() -> None:
    pdf = render_result_letter(make_result(), INFO)
    text = pdf_text(pdf)
    flat = _flat(text)
    # The cover: number, BE date in Thai digits, subject, head, the invitation referred to.
    assert "ที่ สพร ๒๕๖๖/ว๔๐๙๙" in text
    assert "๑ พฤศจิกายน ๒๕๖๖" in text
    assert "แจ้งผลการสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ ประจำปี ๒๕๖๖" in text
    assert "เรียน อธิบดีกรมทดสอบ" in text
    assert _flat("หนังสือสพร. ที่ สพร ๒๕๖๖/ว๑๒๓ ลงวันที่ ๓ กรกฎาคม ๒๕๖๖") in flat
    assert "สิ่งที่ส่งมาด้วย" in text
    assert "กรมทดสอบระบบ" in text
    # Enclosure 1: overall, every pillar with score and level, sub-indicators, peer rank.
    assert "สิ่งที่ส่งมาด้วย ๑" in text
    assert "สิ่งที่ส่งมาด้วย ๒" in text
    assert "คะแนนภาพรวม ๖๓.๔๖ คะแนน" in text
    for i, (_, name) in enumerate(PILLARS):
        assert _flat(name) in flat
        assert thai_digits(f"{61.25 + i:.2f}") in text
    assert "๓ ขั้นพัฒนา" in text
    for code, _, name in SUBS:
        assert thai_digits(code) in text
        assert _flat(name) in flat
    assert "๔/๑๒" in text  # rank in the peer group
    assert "ค่าเฉลี่ยของกลุ่มเปรียบเทียบ" in text
    # Enclosure 2: the three classes with DGA's advice, and the action plan.
    for label in ("ตัวชี้วัดที่โดดเด่น", "ตัวชี้วัดที่ค่อนข้างโดดเด่น", "ตัวชี้วัดที่ควรเร่งพัฒนา"):
        assert label in text
    for advice in ADVICE.values():
        if advice != ADVICE["P3.1"]:
            assert _flat(advice) in flat
    assert "แผนปฏิบัติการของหน่วยงาน" in text
    for header in ("หน่วยงานหลัก", "หน่วยงานสนับสนุน", "กำหนดแล้วเสร็จ"):
        assert header in text
    assert "nan" not in text.lower()
    assert "None" not in text
    assert len(_pages(pdf)) >= 3


def test_enclosures_are_vectors_in_sarabun() -> None:
    pdf = pikepdf.open(io.BytesIO(render_result_letter(make_result(), INFO)))
    for page in list(pdf.pages)[1:]:
        resources = page.obj.Resources
        assert "/XObject" not in resources  # no raster (nor any) image on enclosure pages
        fonts = [str(f.BaseFont) for f in resources["/Font"].values()]
        assert all("Sarabun" in f for f in fonts)
        content = page.obj.Contents.read_bytes()
        assert b" re f" in content  # bars and table fills are rectangles


def test_chart_has_last_year_only_when_known() -> None:
    without = pdf_text(render_result_letter(make_result(), INFO))
    assert "ไม่มีผลการสำรวจของหน่วยงานในปีก่อนให้เปรียบเทียบ" in without
    assert "คะแนนของหน่วยงานปี" not in without
    with_last = pdf_text(render_result_letter(make_result(previous=True), INFO))
    assert "คะแนนของหน่วยงานปี ๒๕๖๕" in with_last  # the legend, in Thai digits
    assert "๔๐.๒๕" in with_last  # last year's P1
    # P3 is new this year (framework changed): no bar, said so.
    assert "ไม่มีคะแนนปีก่อน" in with_last
    assert "กรอบการสำรวจเปลี่ยนไป" in with_last
    assert "คะแนนภาพรวมปี ๒๕๖๕ ๕๐.๐๐ คะแนน (เพิ่มขึ้น ๑๓.๔๖ คะแนน)" in with_last


def test_pillar_without_score_is_said_so() -> None:
    pdf = render_result_letter(make_result(dropped="P2"), INFO)
    text = pdf_text(pdf)
    rows = _raw(pdf).splitlines()
    # The pillar and its sub-indicator (a partial response): no score, no rank; rows read
    # in order (content order, ``pdftotext -raw``).
    assert "๒. บริการภาครัฐ ไม่มีคะแนน - ๕๕.๕๐ - -" in rows
    assert "P๒.๑ บริการดิจิทัลของหน่วยงาน ไม่มีคะแนน ๕๕.๕๐ - -" in rows
    assert "๑. นโยบายและหลักปฏิบัติ ๖๑.๒๕ ๓ ขั้นพัฒนา ๕๕.๕๐ ๔/๑๒ -" in rows
    assert _flat("หมายเหตุ: ไม่มีคะแนนบริการภาครัฐ เนื่องจากไม่มีข้อคำถาม") in _flat(text)
    assert "nan" not in text.lower()


def test_agency_without_response_gets_a_short_letter() -> None:
    pdf = render_result_letter(make_result(scored=False), INFO)
    text = pdf_text(pdf)
    assert len(_pages(pdf)) == 1
    assert _flat("ไม่ได้รับแบบสำรวจของกรมทดสอบระบบ") in _flat(text)
    assert "ไม่มีผลคะแนน" in text
    assert "สิ่งที่ส่งมาด้วย" not in text


def test_missing_head_title_falls_back_to_the_agency() -> None:
    info = dataclasses.replace(INFO, head_title=None)
    text = pdf_text(render_result_letter(make_result(), info))
    assert "เรียน หัวหน้าหน่วยงาน กรมทดสอบระบบ" in text


def test_very_long_name_wraps_inside_the_page() -> None:
    name = "สำนักงานคณะกรรมการส่งเสริมและพัฒนาระบบสารสนเทศ" * 3 + "จังหวัดทดสอบ"
    pdf = render_result_letter(make_result(name=name), INFO)
    flat = _flat(pdf_text(pdf))
    assert _flat(name) in flat
    doc = pikepdf.open(io.BytesIO(pdf))
    width = float(doc.pages[1].mediabox[2])
    # Every text position on the enclosure pages stays inside the page.
    for page in list(doc.pages)[1:]:
        content = page.obj.Contents.read_bytes()
        for x in re.findall(rb"1 0 0 1 ([\d.]+) [\d.-]+ cm", content):
            assert float(x) < width - 56


def test_correction_letter_refers_to_and_replaces_the_first() -> None:
    info = ResultLetterInfo(
        number="สพร ๒๕๖๖/ว๕๐๐๐",
        issued_on=dt.date(2023, 12, 15),
        corrects=("สพร ๒๕๖๖/ว๔๐๙๙", dt.date(2023, 11, 1)),
        reason_th="พบข้อผิดพลาดในการประมวลผลคะแนนมิติบริการภาครัฐ",
        head_title="อธิบดีกรมทดสอบ",
    )
    text = pdf_text(render_result_letter(make_result(), info))
    flat = _flat(text)
    assert "ที่ สพร ๒๕๖๖/ว๕๐๐๐" in text
    assert "แจ้งแก้ไขผลการสำรวจ" in text
    assert _flat("ที่ สพร ๒๕๖๖/ว๔๐๙๙ ลงวันที่ ๑ พฤศจิกายน ๒๕๖๖") in flat
    assert _flat("พบข้อผิดพลาดในการประมวลผลคะแนนมิติบริการภาครัฐ") in flat
    assert _flat("ใช้แทนผลการสำรวจตามหนังสือที่อ้างถึงทั้งฉบับ") in flat
    assert "สิ่งที่ส่งมาด้วย ๑" in text
    with pytest.raises(ValueError, match="reason"):
        render_result_letter(make_result(), dataclasses.replace(info, reason_th=None))


def test_docx_has_the_cover_and_the_enclosure_tables() -> None:
    doc = Document(io.BytesIO(render_result_letter(make_result(previous=True), INFO, fmt="docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "สพร ๒๕๖๖/ว๔๐๙๙" in "".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells
    )
    assert "สิ่งที่ส่งมาด้วย ๑" in text
    assert "สิ่งที่ส่งมาด้วย ๒" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    for _, name in PILLARS:
        assert any(name in c for c in cells)
    assert ADVICE["P1.2"] in cells
    assert "ไม่มีคะแนนปีก่อน" in cells  # the chart as a table of numbers


def test_action_plan_xlsx_prefilled_protected_with_date_check() -> None:
    wb = load_workbook(io.BytesIO(action_plan_xlsx(make_result())))
    ws = wb["แผนปฏิบัติการ"]
    header = [c.value for c in ws[4]]
    assert header[:2] == ["รหัสตัวชี้วัดย่อย", "ตัวชี้วัดย่อย"]
    assert header[-3:] == ["หน่วยงานหลัก", "หน่วยงานสนับสนุน", "กำหนดแล้วเสร็จ"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    # To accelerate first, then fairly outstanding; outstanding ones need no plan.
    assert [r[0] for r in rows] == ["P1.2", "P2.1"]
    assert rows[0][5] == ADVICE["P1.2"]
    assert rows[0][7] == "ฝ่ายเทคโนโลยีสารสนเทศ"
    assert rows[0][9] is None
    assert ws.protection.sheet
    assert ws["A4"].protection.locked
    assert not ws["J5"].protection.locked
    validations = ws.data_validations.dataValidation
    assert any(v.type == "date" and "J5" in str(v.sqref) for v in validations)


def test_batch_reports_a_bad_agency_and_writes_the_others(tmp_path: Path) -> None:
    good = make_result(code="D0001")
    bad = make_result(code="D0002", name="กรมทดสอบ ☃")  # a character no Thai font draws
    none = make_result(code="D0003", scored=False)
    correction = ResultLetterInfo(
        number="สพร ๒๕๖๖/ว๕๐๐๐",
        issued_on=dt.date(2023, 12, 15),
        corrects=("สพร ๒๕๖๖/ว๔๐๙๙", dt.date(2023, 11, 1)),
        reason_th="พบข้อผิดพลาด",
    )
    report = render_result_letters(
        [(good, INFO), (bad, INFO), (none, INFO), (good, correction)],
        tmp_path,
        action_plans=True,
    )
    names = sorted(p.name for p in report.paths)
    assert names == ["correction-D0001-7.pdf", "result-D0001.pdf", "result-D0003.pdf"]
    assert [code for code, _ in report.failures] == ["D0002"]
    assert "☃" in report.failures[0][1]
    assert (tmp_path / "action-plan-D0001.xlsx").is_file()
    assert not (tmp_path / "action-plan-D0003.xlsx").exists()
    assert not list(tmp_path.glob(".*tmp"))
    assert report.rate > 0


def test_bodies_keep_their_paragraphs() -> None:
    from dgops.letters import load_issuer
    from dgops.results import result_letter_context

    correction = dataclasses.replace(
        INFO, corrects=("สพร ๒๕๖๖/ว๑", dt.date(2023, 11, 1)), reason_th="พบข้อผิดพลาด"
    )
    for scored in (True, False):
        for info in (INFO, correction):
            context = result_letter_context(make_result(scored=scored), info, load_issuer())
            assert len(context.paragraphs) == 3
            assert context.paragraphs[-1].startswith("หากท่านมีความประสงค์")


def test_very_long_head_title_is_set_in_full() -> None:
    title = "ผู้อำนวยการสำนักงานคณะกรรมการส่งเสริมและพัฒนาระบบสารสนเทศ" * 2 + "จังหวัดทดสอบ"
    pdf = render_result_letter(make_result(), dataclasses.replace(INFO, head_title=title))
    text = pdf_text(pdf)
    assert _flat(f"เรียน {title}") in _flat(text)  # wrapped by typst (the fill box is too short)
    assert "สิ่งที่ส่งมาด้วย ๒" in text


def test_preview_number_marks_a_sample() -> None:
    preview = dataclasses.replace(INFO, number="(ตัวอย่าง)")
    assert "ตัวอย่าง ห้ามส่ง" in pdf_text(render_result_letter(make_result(), preview))
    assert "ตัวอย่าง ห้ามส่ง" not in pdf_text(render_result_letter(make_result(), INFO))
    forced = render_result_letter(make_result(), INFO, sample=True)
    assert "ตัวอย่าง ห้ามส่ง" in pdf_text(forced)
