"""Official letters (หนังสือราชการ): numbers, contexts, PDF (typst) and DOCX rendering."""

from __future__ import annotations

from dgops.letters.context import (
    INVITATION,
    SAMPLE_CODE,
    LetterContext,
    build_invitation_context,
    build_invitation_contexts,
)
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
)

__all__ = [
    "DEFAULT_STYLE",
    "FONT_DIR",
    "INVITATION",
    "SAMPLE_CODE",
    "IssuerError",
    "IssuerSettings",
    "LetterContext",
    "LetterKey",
    "LetterStyle",
    "RenderReport",
    "allocate_numbers",
    "build_invitation_context",
    "build_invitation_contexts",
    "fix_cluster_text",
    "format_number",
    "load_issuer",
    "pdf_text",
    "render_letter",
    "render_letters",
]
