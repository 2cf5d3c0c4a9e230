"""Evidence: sniffed by bytes, refused when dangerous, stored by SHA-256, owned by a response."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from responses_fixtures import COMPLETE, World

from dgops.framework import Framework
from dgops.responses import (
    EvidenceError,
    EvidenceLimits,
    EvidenceStorage,
    LockedError,
    answers_of,
    delete_evidence,
    evidence_of,
    get_response,
    open_evidence,
    progress_of,
    save_answers,
    sniff_content_type,
    store_evidence,
    submit,
)
from dgops.responses.models import ResponseStatus

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
DOCM = _zip(
    {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"\x00macro",
    }
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("รายงานผลการดำเนินงาน\n".encode(), "text/plain; charset=utf-8"),
    ],
)
def test_should_sniff_allowed_types_from_their_bytes(content: bytes, expected: str) -> None:
    assert sniff_content_type(content) == expected


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"MZ\x90\x00" + b"\x00" * 60, "executable"),
        (b"\x7fELF\x02\x01", "executable"),
        (b"#!/bin/sh\nrm -rf /\n", "executable"),
        (DOCM, "macro"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "legacy"),
        (_zip({"a.txt": b"hello"}), "not other zip"),
        (b"\x00\x01\x02binary", "only PDF"),
        (b"", "empty"),
        (
            _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * 3_000_000}),
            "zip bomb",
        ),
    ],
)
def test_should_refuse_dangerous_or_unknown_files(content: bytes, why: str) -> None:
    limits = EvidenceLimits(max_compression_ratio=50)
    with pytest.raises(EvidenceError, match=why):
        sniff_content_type(content, limits)


def test_should_refuse_oversized_files() -> None:
    with pytest.raises(EvidenceError, match="larger than 1 MB"):
        sniff_content_type(PDF + b" " * 2**20, EvidenceLimits(max_bytes=2**20))


def test_should_store_by_digest_never_by_client_filename(
    world: World, mini: Framework, tmp_path: Path
) -> None:
    storage = EvidenceStorage(tmp_path / "evidence")
    r = get_response(world.session, world.cycle_id, world.agency_ids["D0001"])
    record = store_evidence(
        world.session,
        r,
        "Q_DOC",
        "../../etc/passwd\x00.pdf",
        PDF,
        actor="agency:D0001",
        storage=storage,
        framework=mini,
    )
    sha = hashlib.sha256(PDF).hexdigest()
    assert record.sha256 == sha
    assert record.size == len(PDF)
    assert record.content_type == "application/pdf"
    assert record.filename == "passwd.pdf"
    assert (tmp_path / "evidence" / sha[:2] / sha).read_bytes() == PDF
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [sha]
    assert answers_of(world.session, r)["Q_DOC"] == f"sha256:{sha}"
    assert r.status == ResponseStatus.IN_PROGRESS
    again = store_evidence(
        world.session, r, "Q_DOC", "plan.pdf", PDF, actor="a", storage=storage, framework=mini
    )
    assert again.id == record.id


def test_should_count_evidence_for_progress_and_submit(
    world: World, mini: Framework, tmp_path: Path
) -> None:
    storage = EvidenceStorage(tmp_path)
    r = get_response(world.session, world.cycle_id, world.agency_ids["D0001"])
    save_answers(world.session, r, COMPLETE, framework=mini, actor="a", channel="online")
    assert progress_of(world.session, r, mini).evidence_missing == ["Q_PLAN"]
    store_evidence(
        world.session, r, "Q_PLAN", "plan.pdf", PDF, actor="a", storage=storage, framework=mini
    )
    store_evidence(
        world.session, r, "Q_DOC", "plan.docx", DOCX, actor="a", storage=storage, framework=mini
    )
    assert progress_of(world.session, r, mini).complete
    submit(world.session, r, framework=mini, actor="a", channel="online")
    assert r.status == ResponseStatus.SUBMITTED
    with pytest.raises(LockedError):
        store_evidence(
            world.session,
            r,
            "Q_PLAN",
            "x.pdf",
            PDF + b"x",
            actor="a",
            storage=storage,
            framework=mini,
        )


def test_should_refuse_evidence_on_questions_that_take_none(
    world: World, mini: Framework, tmp_path: Path
) -> None:
    r = get_response(world.session, world.cycle_id, world.agency_ids["D0001"])
    with pytest.raises(EvidenceError, match="does not take evidence"):
        store_evidence(
            world.session,
            r,
            "Q_STAFF",
            "x.pdf",
            PDF,
            actor="a",
            storage=EvidenceStorage(tmp_path),
            framework=mini,
        )
    assert evidence_of(world.session, r) == []


def test_should_not_open_another_agencys_file(
    world: World, mini: Framework, tmp_path: Path
) -> None:
    storage = EvidenceStorage(tmp_path)
    mine = get_response(world.session, world.cycle_id, world.agency_ids["D0001"])
    other = get_response(world.session, world.cycle_id, world.agency_ids["D0002"])
    record = store_evidence(
        world.session, mine, "Q_PLAN", "p.pdf", PDF, actor="a", storage=storage, framework=mini
    )
    assert open_evidence(world.session, mine, record.id, storage)[1] == PDF
    with pytest.raises(EvidenceError, match="not found"):
        open_evidence(world.session, other, record.id, storage)


def test_should_soft_delete_and_clear_the_evidence_answer(
    world: World, mini: Framework, tmp_path: Path
) -> None:
    storage = EvidenceStorage(tmp_path)
    r = get_response(world.session, world.cycle_id, world.agency_ids["D0001"])
    record = store_evidence(
        world.session, r, "Q_DOC", "p.pdf", PDF, actor="a", storage=storage, framework=mini
    )
    delete_evidence(world.session, r, record.id, actor="a", framework=mini)
    assert record.deleted_at is not None
    assert "Q_DOC" not in answers_of(world.session, r)
    assert evidence_of(world.session, r) == []
    with pytest.raises(EvidenceError, match="not found"):
        open_evidence(world.session, r, record.id, storage)
