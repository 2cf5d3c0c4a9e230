"""Official letters (หนังสือราชการ): numbers, contexts, PDF (typst) and DOCX rendering."""

from __future__ import annotations

from dgops.letters.compose import (
    BarChart,
    Block,
    Column,
    PageBreak,
    Series,
    Space,
    Table,
    Text,
    UndrawableText,
    compose,
)
from dgops.letters.context import (
    INVITATION,
    SAMPLE_CODE,
    LetterContext,
    build_invitation_context,
    build_invitation_contexts,
    render_body,
)
from dgops.letters.docx import render_docx
from dgops.letters.issuer import IssuerError, IssuerSettings, load_issuer
from dgops.letters.numbers import LetterKey, allocate_numbers, format_number
from dgops.letters.pdftext import fix_cluster_text
from dgops.letters.render import (
    DEFAULT_STYLE,
    FONT_DIR,
    LetterStyle,
    RenderReport,
    pdf_text,
    render_letter,
    render_letters,
    render_pdf,
)

__all__ = [
    "DEFAULT_STYLE",
    "FONT_DIR",
    "INVITATION",
    "SAMPLE_CODE",
    "BarChart",
    "Block",
    "Column",
    "IssuerError",
    "IssuerSettings",
    "LetterContext",
    "LetterKey",
    "LetterStyle",
    "PageBreak",
    "RenderReport",
    "Series",
    "Space",
    "Table",
    "Text",
    "UndrawableText",
    "allocate_numbers",
    "build_invitation_context",
    "build_invitation_contexts",
    "compose",
    "fix_cluster_text",
    "format_number",
    "load_issuer",
    "pdf_text",
    "render_body",
    "render_docx",
    "render_letter",
    "render_letters",
    "render_pdf",
]
