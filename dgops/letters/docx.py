"""The same letter as an editable DOCX (TH Sarabun New 16 pt, complex-script font set)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from dgops.letters.compose import BarChart, Block, PageBreak, Table, Text
from dgops.letters.context import LetterContext
from dgops.letters.style import LetterStyle


def _font(run_or_style: object, name: str, size_pt: float) -> None:
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = name
    font.size = Pt(size_pt)
    element = run_or_style.element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)
    size_cs = rpr.find(qn("w:szCs"))
    if size_cs is None:
        size_cs = rpr.makeelement(qn("w:szCs"), {})
        rpr.append(size_cs)
    size_cs.set(qn("w:val"), str(round(size_pt * 2)))


def render_docx(context: LetterContext, style: LetterStyle, blocks: Sequence[Block] = ()) -> bytes:
    """An editable Word version of ``context`` for operators who must change it before signing.

    ``blocks`` (enclosures, :mod:`dgops.letters.compose`) follow the letter; a bar chart
    becomes a table of its numbers (Word cannot take our vector charts).
    """
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2)
    normal = doc.styles["Normal"]
    _font(normal, style.docx_font, style.docx_size_pt)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE

    def para(
        text: str = "", *, left_cm: float = 0, first_cm: float = 0, center: bool = False
    ) -> Paragraph:
        p = doc.add_paragraph()
        if left_cm:
            p.paragraph_format.left_indent = Cm(left_cm)
        if first_cm:
            p.paragraph_format.first_line_indent = Cm(first_cm)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if text:
            _font(p.add_run(text), style.docx_font, style.docx_size_pt)
        return p

    if context.sample:
        run = para().add_run("ตัวอย่าง ห้ามส่ง")
        _font(run, style.docx_font, style.docx_size_pt)
        run.font.color.rgb = RGBColor(0xC0, 0, 0)
    emblem = context.issuer.emblem_path
    if emblem is not None:
        png = emblem.with_suffix(".png")  # Word cannot embed SVG through python-docx
        if png.is_file():
            p = para(center=True)
            p.add_run().add_picture(str(png), height=Cm(3))
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    _font(left.paragraphs[0].add_run(f"ที่ {context.number}"), style.docx_font, style.docx_size_pt)
    for i, line in enumerate(context.issuer.address_lines):
        p = right.paragraphs[0] if i == 0 else right.add_paragraph()
        _font(p.add_run(line), style.docx_font, style.docx_size_pt)
    para(context.date_th, left_cm=8)
    para(f"เรื่อง  {context.subject}")
    para(f"เรียน  {context.salutation}")
    for label, items in (("อ้างถึง", context.references), ("สิ่งที่ส่งมาด้วย", context.enclosures)):
        for i, item in enumerate(items):
            para(f"{label if i == 0 else ''}  {item}", left_cm=0 if i == 0 else 3)
    for text in context.paragraphs:
        para(text, first_cm=2.5)
    for label, value in context.credential_rows():
        para(f"{label}:  {value}", left_cm=2.5)
    for text in context.after:
        para(text, first_cm=2.5)
    para(context.closing, first_cm=2.5)
    para()
    para("ขอแสดงความนับถือ", left_cm=8)
    para()
    para()
    para(f"({context.issuer.signer_name})", left_cm=5, center=True)
    for line in context.issuer.signer_title_lines:
        para(line, left_cm=5, center=True)
    para()
    issuer = context.issuer
    for line in (
        issuer.division,
        f"โทร. {issuer.phone}",
        f"โทรสาร {issuer.fax}",
        f"ไปรษณีย์อิเล็กทรอนิกส์ {issuer.email}",
    ):
        if line:
            para(line)
    _blocks(doc, blocks, style, para)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
}


def _table(
    doc: object, header: Sequence[str], rows: Sequence[Sequence[str]], style: LetterStyle
) -> None:
    size = style.docx_size_pt - 2
    table = doc.add_table(rows=1 + len(rows), cols=len(header))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for r, row in enumerate([header, *rows]):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            run = cell.paragraphs[0].add_run(text)
            _font(run, style.docx_font, size)
            run.bold = r == 0


def _blocks(doc: object, blocks: Sequence[Block], style: LetterStyle, para: object) -> None:
    for block in blocks:
        if isinstance(block, PageBreak):
            doc.add_page_break()  # type: ignore[attr-defined]
            if block.header:
                p = para(block.header)  # type: ignore[operator]
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif isinstance(block, Text):
            p = para()  # type: ignore[operator]
            p.alignment = _ALIGN[block.align]
            if block.indent:
                p.paragraph_format.left_indent = Cm(block.indent / 28.35)
            run = p.add_run(block.text)
            _font(run, style.docx_font, style.docx_size_pt * block.size / 11.0)
            run.bold = block.bold
        elif isinstance(block, Table):
            _table(doc, block.header, block.rows, style)
        elif isinstance(block, BarChart):
            p = para()  # type: ignore[operator]
            run = p.add_run(block.title)
            _font(run, style.docx_font, style.docx_size_pt)
            run.bold = True
            header = ["", *(s.label for s in block.series)]
            rows = [
                [
                    category,
                    *(
                        (s.missing or block.missing_label)
                        if s.values[i] is None
                        else f"{s.values[i]:.2f}"
                        for s in block.series
                    ),
                ]
                for i, category in enumerate(block.categories)
            ]
            _table(doc, header, rows, style)
            if block.note:
                para(block.note)  # type: ignore[operator]
