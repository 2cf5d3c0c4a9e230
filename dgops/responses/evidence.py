"""Evidence files: sniffed by their bytes, stored by SHA-256, attached to one response.

The client's filename and content type are never trusted: the type comes from the file's magic
bytes, the storage path from its SHA-256 (``<root>/<sha[:2]>/<sha>``), and the filename is kept
(cleaned) only as a label. Executables, legacy OLE Office files, macro-enabled Office files
(``vbaProject.bin``), zip bombs and oversized files are refused.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.cycles.models import SurveyCycle
from dgops.db import record_audit
from dgops.db.models import utcnow
from dgops.framework import Framework, load_framework
from dgops.responses.errors import EvidenceError
from dgops.responses.models import Answer, EvidenceFile, Response, ResponseStatus
from dgops.responses.service import ensure_unlocked, transition

__all__ = [
    "EvidenceLimits",
    "EvidenceStorage",
    "delete_evidence",
    "evidence_of",
    "open_evidence",
    "sniff_content_type",
    "store_evidence",
]

PDF, PNG, JPEG, DOCX, XLSX, TEXT = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/plain; charset=utf-8",
)
_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",
)


@dataclass(frozen=True, slots=True)
class EvidenceLimits:
    """Guards on one evidence file; all configurable."""

    max_bytes: int = 10 * 1024 * 1024
    """Largest file accepted."""
    max_uncompressed_bytes: int = 100 * 1024 * 1024
    """Largest total uncompressed size of a DOCX/XLSX (zip-bomb guard)."""
    max_compression_ratio: float = 100.0
    """Largest uncompressed/compressed ratio of any part over 1 MB (zip-bomb guard)."""


def _refuse(th: str, en: str) -> EvidenceError:
    return EvidenceError(th, en)


def _sniff_zip(content: bytes, limits: EvidenceLimits) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            infos = zf.infolist()
            names = {i.filename.lower() for i in infos}
            types = zf.read("[Content_Types].xml") if "[content_types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise _refuse("ไฟล์ ZIP เสียหาย", "corrupt zip container") from exc
    if any(n.endswith("vbaproject.bin") for n in names) or b"macroEnabled" in types:
        raise _refuse(
            "ไม่รับไฟล์ Office ที่มีมาโคร (ให้บันทึกเป็น .docx/.xlsx หรือ PDF)",
            "macro-enabled Office files are refused (save as .docx/.xlsx or PDF)",
        )
    total = sum(i.file_size for i in infos)
    ratio = max(
        (i.file_size / max(i.compress_size, 1) for i in infos if i.file_size > 2**20), default=0
    )
    if total > limits.max_uncompressed_bytes or ratio > limits.max_compression_ratio:
        raise _refuse("ไฟล์บีบอัดผิดปกติ (zip bomb)", "suspicious compression (zip bomb)")
    if types:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    raise _refuse(
        "รับเฉพาะไฟล์ PDF, PNG, JPEG, DOCX, XLSX หรือข้อความ (ไม่รับไฟล์ ZIP อื่น)",
        "only PDF, PNG, JPEG, DOCX, XLSX or plain text are accepted (not other zip files)",
    )


def sniff_content_type(content: bytes, limits: EvidenceLimits | None = None) -> str:
    """The content type of ``content`` judged by its bytes (never by its name), or raise
    :class:`EvidenceError` for a refused file (executable, macros, legacy Office, unknown)."""
    limits = limits or EvidenceLimits()
    if len(content) > limits.max_bytes:
        raise _refuse(
            f"ไฟล์ใหญ่เกิน {limits.max_bytes // 2**20} MB",
            f"file larger than {limits.max_bytes // 2**20} MB",
        )
    if not content:
        raise _refuse("ไฟล์ว่างเปล่า", "empty file")
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _sniff_zip(content, limits)
    if content.startswith(_EXECUTABLE_MAGIC):
        raise _refuse("ไม่รับไฟล์โปรแกรม (executable)", "executable files are refused")
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            "ไม่รับไฟล์ Office รุ่นเก่า (.doc/.xls) ให้บันทึกเป็น .docx/.xlsx หรือ PDF",
            "legacy Office files (.doc/.xls) are refused: save as .docx/.xlsx or PDF",
        )
    if b"\x00" not in content:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return TEXT
    raise _refuse(
        "รับเฉพาะไฟล์ PDF, PNG, JPEG, DOCX, XLSX หรือข้อความ",
        "only PDF, PNG, JPEG, DOCX, XLSX or plain text are accepted",
    )


class EvidenceStorage:
    """Content-addressed files under ``root`` (``<root>/<sha256[:2]>/<sha256>``)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    @classmethod
    def default(cls) -> EvidenceStorage:
        """Storage under ``<var_dir>/evidence`` of the settings."""
        from dgops.settings import get_settings

        return cls(get_settings().var_dir / "evidence")

    def path_for(self, sha256: str) -> Path:
        """Where the file with this digest lives (the digest is checked to be hex)."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise _refuse("รหัสไฟล์ไม่ถูกต้อง", "not a SHA-256 digest")
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> str:
        """Store ``content`` (once: identical files share one copy); return its SHA-256."""
        sha = hashlib.sha256(content).hexdigest()
        path = self.path_for(sha)
        if path.exists():
            return sha
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(tmp, path)  # atomic: readers never see half a file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def get(self, sha256: str) -> bytes:
        """The stored bytes, checked against their digest."""
        data = self.path_for(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise _refuse("ไฟล์หลักฐานเสียหาย", "stored evidence file is corrupt")
        return data


def _clean_filename(name: str) -> str:
    # A label only (never a path): last component, no control characters, bounded length.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return (base or "evidence")[:255]


def _framework_of(session: Session, response: Response) -> Framework:
    version = session.scalar(
        select(SurveyCycle.framework_version).where(SurveyCycle.id == response.cycle_id)
    )
    return load_framework(str(version))


def _sync_evidence_answer(session: Session, response: Response, question_id: str) -> None:
    # An evidence-type question's answer is the reference of its newest file (or nothing).
    newest = session.scalar(
        select(EvidenceFile.sha256)
        .where(
            EvidenceFile.response_id == response.id,
            EvidenceFile.question_id == question_id,
            EvidenceFile.deleted_at.is_(None),
        )
        .order_by(EvidenceFile.uploaded_at.desc(), EvidenceFile.id.desc())
        .limit(1)
    )
    row = session.get(Answer, (response.id, question_id))
    if newest is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(
            Answer(response_id=response.id, question_id=question_id, value=f"sha256:{newest}")
        )
    else:
        row.value = f"sha256:{newest}"
        row.updated_at = utcnow()
    session.flush()


def store_evidence(
    session: Session,
    response: Response,
    question_id: str,
    filename: str,
    content: bytes,
    *,
    actor: str,
    storage: EvidenceStorage,
    limits: EvidenceLimits = EvidenceLimits(),
    framework: Framework | None = None,
) -> EvidenceFile:
    """Attach an evidence file to ``question_id`` of ``response`` (unlocked responses only).

    The type is sniffed from the bytes; the file is stored by SHA-256; the same file twice on
    the same question returns the existing record. For an ``evidence``-type question the
    answer becomes ``sha256:<digest>`` of its newest file. ``framework`` defaults to the
    cycle's."""
    session.flush()
    session.refresh(response, with_for_update=True)
    ensure_unlocked(response)
    fw = framework or _framework_of(session, response)
    try:
        question = fw.question(question_id)
    except KeyError:
        raise _refuse("ไม่มีคำถามนี้ในแบบสำรวจ", f"unknown question id {question_id!r}") from None
    if question.type != "evidence" and question.evidence == "none":
        raise _refuse("คำถามนี้ไม่รับไฟล์หลักฐาน", f"question {question_id} does not take evidence")
    content_type = sniff_content_type(content, limits)
    sha = storage.put(content)
    existing = session.scalar(
        select(EvidenceFile).where(
            EvidenceFile.response_id == response.id,
            EvidenceFile.question_id == question_id,
            EvidenceFile.sha256 == sha,
        )
    )
    now = utcnow()
    if existing is not None:
        if existing.deleted_at is not None:
            existing.deleted_at = None
            existing.uploaded_at = now
            existing.uploaded_by = actor
        record = existing
    else:
        record = EvidenceFile(
            response_id=response.id,
            question_id=question_id,
            sha256=sha,
            filename=_clean_filename(filename),
            content_type=content_type,
            size=len(content),
            uploaded_by=actor,
            uploaded_at=now,
        )
        session.add(record)
    session.flush()
    if question.type == "evidence":
        _sync_evidence_answer(session, response, question_id)
    response.updated_at = now
    if ResponseStatus(response.status) == ResponseStatus.NOT_STARTED:
        transition(session, response, ResponseStatus.IN_PROGRESS, actor=actor, channel="online")
    session.flush()
    return record


def _owned(session: Session, response: Response, evidence_id: int) -> EvidenceFile:
    record = session.get(EvidenceFile, evidence_id)
    if record is None or record.response_id != response.id or record.deleted_at is not None:
        # Same message whether it is absent or another agency's: nothing leaks.
        raise _refuse("ไม่พบไฟล์หลักฐาน", "evidence file not found")
    return record


def open_evidence(
    session: Session, response: Response, evidence_id: int, storage: EvidenceStorage
) -> tuple[EvidenceFile, bytes]:
    """An evidence file of ``response`` and its bytes; another response's file is "not found"."""
    record = _owned(session, response, evidence_id)
    return record, storage.get(record.sha256)


def evidence_of(session: Session, response: Response) -> list[EvidenceFile]:
    """The (not deleted) evidence files of ``response``, oldest first."""
    return list(
        session.scalars(
            select(EvidenceFile)
            .where(EvidenceFile.response_id == response.id, EvidenceFile.deleted_at.is_(None))
            .order_by(EvidenceFile.uploaded_at, EvidenceFile.id)
        )
    )


def delete_evidence(
    session: Session,
    response: Response,
    evidence_id: int,
    *,
    actor: str,
    framework: Framework | None = None,
) -> EvidenceFile:
    """Soft-delete an evidence file of an unlocked response (the bytes stay: they may be
    shared, and the audit keeps them)."""
    session.flush()
    session.refresh(response, with_for_update=True)
    ensure_unlocked(response)
    record = _owned(session, response, evidence_id)
    record.deleted_at = utcnow()
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="delete",
        entity="evidence_file",
        entity_key=f"{response.id}:{record.question_id}:{record.sha256}",
        cycle_id=response.cycle_id,
        details={"filename": record.filename},
    )
    fw = framework or _framework_of(session, response)
    if record.question_id in fw.question_ids and fw.question(record.question_id).type == "evidence":
        _sync_evidence_answer(session, response, record.question_id)
    response.updated_at = utcnow()
    session.flush()
    return record
