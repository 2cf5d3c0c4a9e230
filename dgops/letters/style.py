"""Typography of the Thai official letters (PDF and DOCX)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LetterStyle:
    """Typography. Google Sarabun at ~11 pt has the x-height of TH Sarabun New at 16 pt."""

    font: str = "Sarabun"
    size_pt: float = 11.0
    leading_em: float = 0.4
    """Gap between lines; with ascender/descender line boxes the pitch is ~1.7 em."""
    pdf_standard: str | None = "a-2b"
    docx_font: str = "TH Sarabun New"
    docx_size_pt: float = 16.0
    fill: bool = True
    """Typeset each layout once and fill the fields per letter (falls back to a full render)."""


DEFAULT_STYLE = LetterStyle()
