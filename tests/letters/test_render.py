from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from PIL import Image, ImageChops
from sqlalchemy import Engine, func, select

from dgops.credentials import CredentialPolicy, HashProfile, issue_credentials
from dgops.credentials.models import PortalAccount
from dgops.db import Database
from dgops.letters import (
    LetterContext,
    build_invitation_context,
    build_invitation_contexts,
    load_issuer,
    pdf_text,
    render_letter,
    render_letters,
)
from dgops.letters.fill import LayoutCache
from dgops.letters.models import LetterNumber
from dgops.letters.render import render_filled, render_full
from tests.letters.conftest import seed

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="pdftotext/pdftoppm (Debian poppler-utils) are not installed",
)
CHEAP = CredentialPolicy(activation_profile=HashProfile(1, 64, 1))
DATE = dt.date(2023, 7, 3)


def _contexts(engine: Engine, n: int = 3) -> tuple[list[LetterContext], list[str]]:
    with Database(engine).begin() as s:
        cycle, agencies = seed(s, n)
        report = issue_credentials(s, cycle, agencies, actor="t", policy=CHEAP)
        contexts = build_invitation_contexts(
            s, cycle, agencies, report.issued, load_issuer(), date=DATE
        )
        return contexts, [c.code.reveal() for c in report.issued]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _expected_text(ctx: LetterContext) -> str:
    issuer = ctx.issuer
    parts = [
        f"ที่ {ctx.number}",
        *issuer.address_lines,
        ctx.date_th,
        f"เรื่อง {ctx.subject}",
        f"เรียน {ctx.salutation}",
        *ctx.paragraphs,
        *[f"{label} {value}" for label, value in ctx.credential_rows()],
        *ctx.after,
        ctx.closing,
        "ขอแสดงความนับถือ",
        f"({issuer.signer_name})",
        *issuer.signer_title_lines,
        issuer.division,
        f"โทร. {issuer.phone}",
        f"โทรสาร {issuer.fax}",
        f"ไปรษณีย์อิเล็กทรอนิกส์ {issuer.email}",
    ]
    return _squash("".join(parts))


def test_should_build_an_invitation_with_a_thai_number_date_and_the_heads_title(
    sqlite_engine: Engine,
) -> None:
    contexts, codes = _contexts(sqlite_engine, 2)
    first = contexts[0]
    assert first.number == "สพร ๒๕๖๖/ว๑"
    assert contexts[1].number == "สพร ๒๕๖๖/ว๒"
    assert first.date_th == "๓ กรกฎาคม ๒๕๖๖"
    assert first.salutation == "อธิบดีกรมทดสอบที่ 1"
    assert first.username == "DG66-D0001"
    assert codes[0] not in repr(first)
    assert ("รหัสเปิดใช้งาน (Activation code)", codes[0]) in first.credential_rows()


def test_should_preview_without_issuing_a_credential_or_using_a_number(
    sqlite_engine: Engine,
) -> None:
    with Database(sqlite_engine).begin() as s:
        cycle, agencies = seed(s, 1)
        ctx = build_invitation_context(s, cycle, agencies[0], None, load_issuer(), date=DATE)
        assert s.scalar(select(func.count()).select_from(PortalAccount)) == 0
        assert s.scalar(select(func.count()).select_from(LetterNumber)) == 0
    assert ctx.sample
    assert "ตัวอย่าง" in ctx.number
    assert ctx.activation_code is not None
    assert "ตัวอย่าง" in ctx.activation_code.reveal()


@needs_pdftotext
def test_should_print_every_field_of_the_letter_exactly(sqlite_engine: Engine) -> None:
    contexts, codes = _contexts(sqlite_engine, 1)
    pdf = render_letter(contexts[0])
    assert pdf.startswith(b"%PDF")
    assert b"pdfaid:part" in pdf  # PDF/A-2b metadata
    text = " ".join(pdf_text(pdf).split())
    for field in (
        "ที่ สพร ๒๕๖๖/ว๑",
        "๓ กรกฎาคม ๒๕๖๖",
        "เรียน อธิบดีกรมทดสอบที่ 1",
        "DG66-D0001",
        codes[0],
        "จึงเรียนมาเพื่อโปรดพิจารณา",
        "ขอแสดงความนับถือ",
        "โทรสาร ๐ ๒๖๑๒ ๖๐๑๓",
        "ภายในวันที่ ๓๐ กันยายน ๒๕๖๖",
    ):
        assert field in text


def _filled(ctx: LetterContext) -> bytes:
    pdf = render_filled(ctx, cache=LayoutCache())
    assert pdf is not None, "the fields should fit the layout"
    return pdf


PATHS: dict[str, Callable[[LetterContext], bytes]] = {"fill": _filled, "full": render_full}


@needs_pdftotext
@pytest.mark.parametrize("path", sorted(PATHS))
def test_should_extract_the_whole_letter_text_exactly(sqlite_engine: Engine, path: str) -> None:
    contexts, codes = _contexts(sqlite_engine, 1)
    text = pdf_text(PATHS[path](contexts[0]))
    assert _squash(text) == _expected_text(contexts[0])
    assert "ชั้ชั้น" not in text  # typst's split Thai clusters give their text once
    words = text.split()
    assert codes[0] in words  # the activation code, exactly, as one word
    assert "๒๕๖๖/ว๑" in words


def _with_agency(ctx: LetterContext, name: str) -> LetterContext:
    paragraphs = tuple(p.replace(ctx.agency_name, name) for p in ctx.paragraphs)
    return dataclasses.replace(ctx, agency_name=name, paragraphs=paragraphs)


@needs_pdftotext
def test_should_fill_many_letters_from_one_layout_and_set_each_agency_exactly(
    sqlite_engine: Engine,
) -> None:
    contexts, codes = _contexts(sqlite_engine, 3)
    cache = LayoutCache()
    pdfs = [render_filled(ctx, cache=cache) for ctx in contexts]
    assert cache.builds == 1
    for ctx, code, pdf in zip(contexts, codes, pdfs, strict=True):
        assert pdf is not None
        assert _squash(pdf_text(pdf)) == _expected_text(ctx)
        assert code in pdf_text(pdf).split()
        assert b"pdfaid:part" in pdf


@needs_pdftotext
def test_should_fall_back_to_a_full_render_when_the_agency_name_does_not_fit(
    sqlite_engine: Engine,
) -> None:
    contexts, _ = _contexts(sqlite_engine, 1)
    long = _with_agency(contexts[0], "สำนักงานคณะกรรมการทดสอบ" + "และพัฒนาระบบสารสนเทศ" * 4)
    assert render_filled(long, cache=LayoutCache()) is None
    pdf = render_letter(long)
    assert _squash(pdf_text(pdf)) == _expected_text(long)


def _png(pdf: bytes, tmp_path: Path, name: str) -> Image.Image:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", str(source), str(tmp_path / name)],
        check=True,
    )
    return Image.open(tmp_path / f"{name}.png").convert("L")


@needs_pdftotext
def test_should_look_the_same_filled_as_set_in_full(sqlite_engine: Engine, tmp_path: Path) -> None:
    contexts, _ = _contexts(sqlite_engine, 1)
    ctx = _with_agency(contexts[0], "สำนักงานปลัดกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม")
    filled = _png(_filled(ctx), tmp_path, "fill")
    full = _png(render_full(ctx), tmp_path, "full")
    assert filled.size == full.size
    diff = ImageChops.difference(filled, full)
    changed = sum(1 for v in diff.getdata() if v > 64)
    assert changed <= filled.size[0] * filled.size[1] // 2000  # ≤ 0.05 % of the pixels


def test_should_write_a_docx_in_th_sarabun_new_with_the_complex_script_font(
    sqlite_engine: Engine,
) -> None:
    contexts, codes = _contexts(sqlite_engine, 1)
    doc = Document(io.BytesIO(render_letter(contexts[0], fmt="docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "เรียน  อธิบดีกรมทดสอบที่ 1" in text
    assert codes[0] in text
    runs = [r for p in doc.paragraphs for r in p.runs if r.text]
    assert runs
    for run in runs:
        fonts = run.element.rPr.rFonts
        assert fonts.get(qn("w:cs")) == "TH Sarabun New"
        assert run.font.size is not None
        assert run.font.size.pt == 16


def test_should_render_a_batch_into_one_file_per_agency(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    contexts, _ = _contexts(sqlite_engine, 3)
    report = render_letters(contexts, tmp_path, workers=2, chunk_size=1)
    assert sorted(p.name for p in report.paths) == [
        "invitation-D0001.pdf",
        "invitation-D0002.pdf",
        "invitation-D0003.pdf",
    ]
    assert all(p.read_bytes().startswith(b"%PDF") for p in report.paths)
    assert not list(tmp_path.glob(".*.tmp"))
