"""Enclosure pages: Thai wrapping, tables over pages, vector bar charts, appended to a letter."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil

import pikepdf
import pytest

from dgops.letters import (
    FONT_DIR,
    BarChart,
    Block,
    Column,
    LetterContext,
    PageBreak,
    Series,
    Table,
    Text,
    UndrawableText,
    compose,
    load_issuer,
    pdf_text,
    render_pdf,
)
from dgops.letters.compose import Typesetter, words
from dgops.letters.fill import LayoutCache
from dgops.letters.render import render_filled

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (Debian poppler-utils) is not installed"
)
ADVICE = (
    "ควรจัดทำนโยบายและแนวปฏิบัติในการรักษาความมั่นคงปลอดภัยด้านสารสนเทศของหน่วยงาน "
    "ตามประมวลแนวทางปฏิบัติและกรอบมาตรฐานด้านการรักษาความมั่นคงปลอดภัยไซเบอร์สำหรับหน่วยงานของรัฐ"
)


@pytest.fixture(scope="module")
def ts() -> Typesetter:
    return Typesetter(str(FONT_DIR))


def _context(**kw: object) -> LetterContext:
    values: dict[str, object] = {
        "kind": "result",
        "agency_code": "D0001",
        "number": "สพร ๒๕๖๖/ว๑๒",
        "date": dt.date(2023, 12, 1),
        "subject": "แจ้งผลการสำรวจ",
        "salutation": "อธิบดีกรมทดสอบ",
        "paragraphs": ("ตามที่ กรมทดสอบ ได้ตอบแบบสำรวจ",),
        "closing": "จึงเรียนมาเพื่อโปรดทราบ",
        "issuer": load_issuer(),
        "agency_name": "กรมทดสอบ",
    }
    values.update(kw)
    return LetterContext(**values)  # type: ignore[arg-type]


def test_wrap_breaks_thai_at_words_within_the_width(ts: Typesetter) -> None:
    lines = ts.wrap(ADVICE, 200.0, False, 9.5)
    assert len(lines) > 2
    assert "".join(lines).replace(" ", "") == ADVICE.replace(" ", "")
    tokens = set(words(ADVICE))
    for line in lines:
        assert ts.fonts[False].shape(line, 9.5)[1] <= 200.0
        # Each line starts with a whole word of the segmentation (no word cut in two).
        assert any(line.startswith(t) for t in tokens if t.strip())


def test_brackets_and_marks_stay_with_their_words() -> None:
    text = "การเปิดเผยข้อมูลแบบเชื่อมโยง (Linked data) ให้เป็นปัจจุบัน, กับหน่วยงานอื่น ๆ"
    tokens = words(text)
    assert "".join(tokens) == text
    assert "(Linked" in tokens
    assert "data)" in tokens
    assert "ปัจจุบัน," in tokens
    assert not any(t.startswith(("ๆ", ")", ",")) for t in tokens)


def test_wrap_cuts_a_too_long_word_between_clusters(ts: Typesetter) -> None:
    lines = ts.wrap("เทคโนโลยีสารสนเทศ", 40.0, False, 9.5)
    assert len(lines) > 1
    assert "".join(lines) == "เทคโนโลยีสารสนเทศ"
    for line in lines[1:]:
        assert not re.match(r"[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]", line)  # no orphan mark


def test_undrawable_character_is_an_error(ts: Typesetter) -> None:
    with pytest.raises(UndrawableText, match="☃"):
        ts.shaped("กรม ☃", False, 11.0)


def test_table_runs_over_pages_repeating_its_header() -> None:
    rows = tuple((f"{i}", ADVICE) for i in range(40))
    table = Table((Column(1), Column(5)), ("ลำดับ", "ข้อเสนอแนะ"), rows)
    pages = compose([PageBreak("สิ่งที่ส่งมาด้วย ๒"), table], str(FONT_DIR))
    assert len(pages) > 2
    for page in pages:
        assert page.count(b" re f\n") >= 1  # the grey header row on each page


@needs_pdftotext
def test_enclosure_pages_follow_the_letter_as_vectors() -> None:
    chart = BarChart(
        "คะแนนรายมิติ",
        ("นโยบายและหลักปฏิบัติ", "บริการภาครัฐ"),
        (
            Series("คะแนนของหน่วยงาน", (40.5, None), (0.1, 0.3, 0.6)),
            Series("ค่าเฉลี่ยของกลุ่ม", (60.0, 55.5), (0.6, 0.6, 0.6)),
        ),
        note="ไม่มีผลปีก่อนให้เปรียบเทียบ",
    )
    blocks: list[Block] = [
        PageBreak("สิ่งที่ส่งมาด้วย ๑"),
        Text("ผลการสำรวจของกรมทดสอบ", bold=True, align="center"),
        chart,
        Text("แผนปฏิบัติการของหน่วยงาน", bold=True),
    ]
    plain = render_pdf(_context())
    pdf = render_pdf(_context(), extra_pages=compose(blocks, str(FONT_DIR)))
    assert pdf.startswith(plain[:1000])  # the letter's bytes, then an incremental update
    doc = pikepdf.open(io.BytesIO(pdf))
    assert len(doc.pages) == len(pikepdf.open(io.BytesIO(plain)).pages) + 1
    last = doc.pages[-1]
    assert "/XObject" not in last.obj.Resources
    assert b"re f" in last.obj.Contents.read_bytes()
    text = pdf_text(pdf)
    for expected in (
        "สิ่งที่ส่งมาด้วย ๑",
        "ผลการสำรวจของกรมทดสอบ",
        "นโยบายและหลักปฏิบัติ",
        "ไม่มีคะแนน",
        "๔๐.๕",
        "๑๐๐",
        "ค่าเฉลี่ยของกลุ่ม",
        "ไม่มีผลปีก่อนให้เปรียบเทียบ",
        "แผนปฏิบัติการของหน่วยงาน",  # bold marks stay with their bases
    ):
        assert expected in text


@needs_pdftotext
def test_references_are_fields_of_one_shared_layout() -> None:
    cache = LayoutCache()
    for i in (1, 2):
        reference = f"หนังสือ สพร. ที่ สพร ๒๕๖๖/ว{i} ลงวันที่ ๓ กรกฎาคม ๒๕๖๖"
        pdf = render_filled(_context(references=(reference,)), cache=cache)
        assert pdf is not None
        assert reference in pdf_text(pdf)
    assert cache.builds == 1


@needs_pdftotext
def test_full_render_fallback_keeps_the_enclosures() -> None:
    long_name = "สำนักงานคณะกรรมการทดสอบ" + "และพัฒนาระบบสารสนเทศ" * 5
    context = _context(salutation=f"ผู้อำนวยการ{long_name}")  # too long for its field
    pages = compose([PageBreak("สิ่งที่ส่งมาด้วย ๑"), Text("ผลการสำรวจ")], str(FONT_DIR))
    pdf = render_pdf(context, extra_pages=pages)
    text = pdf_text(pdf)
    assert "สิ่งที่ส่งมาด้วย ๑" in text
    assert re.sub(r"\s", "", long_name) in re.sub(r"\s", "", text)
