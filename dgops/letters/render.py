"""Letters to PDF (typst, PDF/A-2b) and DOCX (python-docx), one at a time or in batches."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import fontpkg_sarabun
import typst

from dgops.letters.context import LetterContext
from dgops.settings import get_settings

Format = Literal["pdf", "docx"]
FONT_DIR = Path(fontpkg_sarabun.ROOT) / "files"
"""Google's OFL Sarabun (``fontpkg-sarabun``), the open member of the TH Sarabun family."""


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


DEFAULT_STYLE = LetterStyle()


def _template_source() -> bytes:
    return (get_settings().templates_dir / "letters" / "letter.typ").read_bytes()


_COMPILERS: dict[str, typst.Compiler] = {}


def _compiler(root: Path) -> typst.Compiler:
    # One compiler per process and root: fonts load once and typst's memoisation is reused
    # between letters (~2x faster than typst.compile per letter).
    key = str(root)
    if key not in _COMPILERS:
        _COMPILERS[key] = typst.Compiler(root=key, font_paths=[str(FONT_DIR)])
    return _COMPILERS[key]


def _emblem(context: LetterContext) -> tuple[Path, str]:
    emblem = context.issuer.emblem_path
    if emblem is None or not emblem.is_file():
        return get_settings().templates_dir, ""
    return emblem.parent, "/" + emblem.name


def _letter_data(context: LetterContext, emblem: str) -> dict[str, Any]:
    issuer = context.issuer
    footer = [issuer.division] if issuer.division else []
    footer += [f"โทร. {issuer.phone}", f"โทรสาร {issuer.fax}"]
    footer += [f"ไปรษณีย์อิเล็กทรอนิกส์ {issuer.email}"]
    return {
        "emblem": emblem,
        "sample": context.sample,
        "issuer_lines": list(issuer.address_lines),
        "number": context.number,
        "date": context.date_th,
        "subject": context.subject,
        "salutation": context.salutation,
        "references": list(context.references),
        "enclosures": list(context.enclosures),
        "paragraphs": list(context.paragraphs),
        "credentials": [list(row) for row in context.credential_rows()],
        "after": list(context.after),
        "closing": context.closing,
        "signer_name": issuer.signer_name,
        "signer_title_lines": list(issuer.signer_title_lines),
        "footer_lines": footer,
    }


def _style_data(style: LetterStyle, title: str, author: str) -> dict[str, str]:
    return {
        "font": style.font,
        "size_pt": str(style.size_pt),
        "leading_em": str(style.leading_em),
        "doc_title": title,
        "author": author,
    }


def render_pdf(context: LetterContext, style: LetterStyle = DEFAULT_STYLE) -> bytes:
    """One letter as PDF (PDF/A-2b by default), set by typst from the shipped template."""
    root, emblem = _emblem(context)
    data = {
        "style": _style_data(style, context.subject, context.issuer.name),
        "letters": [_letter_data(context, emblem)],
    }
    out = _compiler(root).compile(
        input=_template_source(),
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        pdf_standards=[style.pdf_standard] if style.pdf_standard else [],  # type: ignore[list-item]
    )
    assert isinstance(out, bytes)
    return out


def render_letter(
    context: LetterContext, *, fmt: Format = "pdf", style: LetterStyle = DEFAULT_STYLE
) -> bytes:
    """One letter as PDF or DOCX bytes."""
    if fmt == "pdf":
        return render_pdf(context, style)
    if fmt == "docx":
        from dgops.letters.docx import render_docx

        return render_docx(context, style)
    raise ValueError(f"unknown letter format {fmt!r} (pdf or docx)")


@dataclass(frozen=True)
class RenderReport:
    """Files written by :func:`render_letters` and how fast."""

    paths: list[Path]
    seconds: float
    workers: int

    @property
    def rate(self) -> float:
        return len(self.paths) / self.seconds if self.seconds > 0 else 0.0


def _render_chunk(
    contexts: Sequence[LetterContext], out_dir: str, fmt: Format, style: LetterStyle
) -> list[str]:
    paths = []
    for context in contexts:
        path = Path(out_dir) / f"{context.file_stem}.{fmt}"
        # Write to a private temporary name, then rename: no reader sees half a letter.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(render_letter(context, fmt=fmt, style=style))
        tmp.replace(path)
        paths.append(str(path))
    return paths


def render_letters(
    contexts: Sequence[LetterContext],
    out_dir: Path,
    *,
    workers: int | None = None,
    fmt: Format = "pdf",
    style: LetterStyle = DEFAULT_STYLE,
    chunk_size: int = 25,
) -> RenderReport:
    """Render many letters into ``out_dir`` (``<kind>-<agency>.pdf``), in ``workers`` processes.

    ``workers`` defaults to the CPU count, capped at 4; 1 renders in this process.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    workers = workers or min(4, os.cpu_count() or 1)
    started = time.perf_counter()
    chunks = [contexts[i : i + chunk_size] for i in range(0, len(contexts), chunk_size)]
    paths: list[str] = []
    if workers <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            paths.extend(_render_chunk(chunk, str(out_dir), fmt, style))
    else:
        # spawn, not fork: a forked child inherits typst's threads mid-state and can hang.
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
            for done in pool.map(
                _render_chunk,
                chunks,
                [str(out_dir)] * len(chunks),
                [fmt] * len(chunks),
                [style] * len(chunks),
            ):
                paths.extend(done)
    return RenderReport(
        paths=[Path(p) for p in paths], seconds=time.perf_counter() - started, workers=workers
    )


def pdf_text(pdf: bytes) -> str:
    """The text ``pdftotext`` extracts from ``pdf`` (for checks; needs poppler-utils)."""
    import subprocess

    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


__all__ = [
    "DEFAULT_STYLE",
    "FONT_DIR",
    "LetterStyle",
    "RenderReport",
    "pdf_text",
    "render_letter",
    "render_letters",
    "render_pdf",
]
