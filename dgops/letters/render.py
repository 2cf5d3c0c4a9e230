"""Letters to PDF (typst, PDF/A-2b) and DOCX (python-docx), one at a time or in batches.

PDFs take the fill path by default (:mod:`dgops.letters.fill`): typst sets each distinct layout
once and only the variable fields are drawn per agency; a letter whose field does not fit its
box is set in full by typst instead (the same template, the same look).
"""

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
from dgops.letters.docx import render_docx
from dgops.letters.fill import Layout, LayoutCache, build_layout, fill, fits, layout_key
from dgops.letters.pdftext import fix_cluster_text
from dgops.letters.style import DEFAULT_STYLE, LetterStyle
from dgops.settings import get_settings

Format = Literal["pdf", "docx"]
FONT_DIR = Path(fontpkg_sarabun.ROOT) / "files"
"""Google's OFL Sarabun (``fontpkg-sarabun``), the open member of the TH Sarabun family."""


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


def _agency_paragraph(context: LetterContext) -> int:
    """Index of the first body paragraph naming the agency (-1: none)."""
    if context.agency_name:
        for i, paragraph in enumerate(context.paragraphs):
            if context.agency_name in paragraph:
                return i
    return -1


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
        "agency": context.agency_name,
        "agency_par": _agency_paragraph(context),
        "agency_own_line": False,
    }


def _style_data(
    style: LetterStyle, title: str, author: str, *, layout: bool = False
) -> dict[str, str]:
    return {
        "fill": "1" if layout else "0",
        "font": style.font,
        "size_pt": str(style.size_pt),
        "leading_em": str(style.leading_em),
        "doc_title": title,
        "author": author,
    }


def _typst(root: Path, data: dict[str, Any], style: LetterStyle) -> bytes:
    out = _compiler(root).compile(
        input=_template_source(),
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        pdf_standards=[style.pdf_standard] if style.pdf_standard else [],  # type: ignore[list-item]
    )
    assert isinstance(out, bytes)
    return out


def render_full(context: LetterContext, style: LetterStyle = DEFAULT_STYLE) -> bytes:
    """One letter set entirely by typst (PDF/A-2b by default), its Thai text made exact.

    The agency's name takes a line of its own exactly when the fill path would give it one,
    so that both paths lay out a letter the same way.
    """
    root, emblem = _emblem(context)
    letter = _letter_data(context, emblem)
    if letter["agency_par"] >= 0:
        letter["agency_own_line"] = not _agency_fits_inline(context, style)
    data = {
        "style": _style_data(style, context.subject, context.issuer.name),
        "letters": [letter],
    }
    return fix_cluster_text(_typst(root, data, style))


PLACEHOLDER = "\ue000"
"""Stands for the agency's name in a layout's body (a private-use character)."""
LAYOUTS = LayoutCache()
"""This process's layouts, shared by every fill-path render."""


def _fields(context: LetterContext, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``data`` without its variable fields (the layout) and the fields' values."""
    values = {"number": data["number"], "date": data["date"], "salutation": data["salutation"]}
    layout = dict(data, number="", date="", salutation="")
    layout["credentials"] = [[label, ""] for label, _ in data["credentials"]]
    layout["references"] = ["" for _ in data["references"]]
    for i, reference in enumerate(data["references"]):
        values[f"reference-{i}"] = reference
    for i, (_, value) in enumerate(data["credentials"]):
        values[f"credential-{i}"] = value
    at = data["agency_par"]
    if at >= 0:
        paragraphs = list(data["paragraphs"])
        paragraphs[at] = paragraphs[at].replace(context.agency_name, PLACEHOLDER, 1)
        layout.update(paragraphs=paragraphs, agency=PLACEHOLDER)
        values["agency"] = context.agency_name
    else:
        layout["agency"] = ""
    return layout, values


def _layout(
    context: LetterContext, style: LetterStyle, cache: LayoutCache, *, own_line: bool = False
) -> tuple[Layout, dict[str, str]]:
    """The (cached) layout of ``context`` and the values of its fields."""
    root, emblem = _emblem(context)
    letter = _letter_data(context, emblem)
    letter["agency_own_line"] = own_line
    layout_data, values = _fields(context, letter)
    style_data = _style_data(style, context.subject, context.issuer.name, layout=True)
    data = {"style": style_data, "letters": [layout_data]}

    def build() -> Layout:
        # The stub ties root's type to the input's; bytes source with a str root is fine.
        found = typst.query(  # type: ignore[misc]
            _template_source(),
            "<dgops-field>",
            field="value",
            root=str(root),
            font_paths=[str(FONT_DIR)],
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        )
        template = _typst(root, data, style)
        return build_layout(template, json.loads(found), style.size_pt, str(FONT_DIR))

    key = layout_key({"root": str(root), "data": data, "style": repr(style)})
    return cache.get(key, build), values


def _agency_fits_inline(
    context: LetterContext, style: LetterStyle, cache: LayoutCache | None = None
) -> bool:
    layout, values = _layout(context, style, cache if cache is not None else LAYOUTS)
    return "agency" not in values or fits(layout, "agency", values["agency"], str(FONT_DIR))


def render_filled(
    context: LetterContext,
    style: LetterStyle = DEFAULT_STYLE,
    cache: LayoutCache | None = None,
    extra_pages: Sequence[bytes] = (),
) -> bytes | None:
    """One letter by the fill path, or ``None`` when a field does not fit its layout.

    ``extra_pages`` (content streams from :mod:`dgops.letters.compose`) follow the letter.
    """
    cache = cache if cache is not None else LAYOUTS
    layout, values = _layout(context, style, cache)
    if "agency" in values and not fits(layout, "agency", values["agency"], str(FONT_DIR)):
        layout, values = _layout(context, style, cache, own_line=True)
    return fill(layout, values, str(FONT_DIR), extra_pages)


def render_pdf(
    context: LetterContext, style: LetterStyle = DEFAULT_STYLE, extra_pages: Sequence[bytes] = ()
) -> bytes:
    """One letter as PDF: the fill path when ``style.fill`` and the fields fit, else in full.

    ``extra_pages`` (content streams drawn with the fill fonts, see
    :mod:`dgops.letters.compose`) are appended after the letter's own pages either way.
    """
    if style.fill:
        filled = render_filled(context, style, extra_pages=extra_pages)
        if filled is not None:
            return filled
    full = render_full(context, style)
    if not extra_pages:
        return full
    layout = build_layout(full, [], style.size_pt, str(FONT_DIR))
    appended = fill(layout, {}, str(FONT_DIR), extra_pages)
    assert appended is not None  # no fields: nothing can fail to fit
    return appended


def render_letter(
    context: LetterContext, *, fmt: Format = "pdf", style: LetterStyle = DEFAULT_STYLE
) -> bytes:
    """One letter as PDF or DOCX bytes."""
    if fmt == "pdf":
        return render_pdf(context, style)
    if fmt == "docx":
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

    ``workers`` defaults to 1 (this process) on the fill path, where a letter costs about a
    millisecond and each new process would typeset its layouts again; for full renders
    (``style.fill=False`` or DOCX) to the CPU count, capped at 4.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    if workers is None:
        workers = 1 if fmt == "pdf" and style.fill else min(4, os.cpu_count() or 1)
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
    "render_filled",
    "render_full",
    "render_letter",
    "render_letters",
    "render_pdf",
]
