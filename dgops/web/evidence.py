"""Evidence files on the portal: uploads and deletions sent with a pillar's form, and downloads.

Every id is looked up within the signed-in agency's response, so another agency's file is
"not found" exactly like a file that does not exist.
"""

from __future__ import annotations

import urllib.parse
from pathlib import PurePosixPath

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from dgops.responses import (
    EvidenceError,
    LockedError,
    ResponseError,
    delete_evidence,
    open_evidence,
    store_evidence,
)
from dgops.web.portal import NOTICES, NotFound, Portal, PortalDep, SurveyContext, form_text
from dgops.web.views import UNKNOWN_QUESTION

router = APIRouter()

MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in PostgreSQL: a larger number can name nothing."""

EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "text/plain": (".txt",),
}
"""The extensions a file of each sniffed type is served under (the first when it has none)."""


def parse_id(raw: str) -> int:
    """An evidence id typed into a URL or form; anything else (too large, not a number,
    Thai digits, signs) is :class:`NotFound`."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        raise NotFound
    value = int(raw)
    if not 0 < value <= MAX_ID:
        raise NotFound
    return value


def download_name(filename: str, content_type: str) -> str:
    """The agency's file name, with the extension of its sniffed type added when the name
    says otherwise (``report.html`` holding text is served as ``report.html.txt``): the
    computer that opens the download goes by the extension."""
    allowed = EXTENSIONS.get(content_type.split(";", 1)[0].strip().lower())
    if allowed is None:
        return f"{filename}.bin"
    if PurePosixPath(filename).suffix.lower() in allowed:
        return filename
    return f"{filename}{allowed[0]}"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the real name in RFC 5987 form."""
    ascii_name = "".join(
        c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in filename
    )
    quoted = urllib.parse.quote(filename, safe="")
    return f"attachment; filename=\"{ascii_name or 'evidence'}\"; filename*=UTF-8''{quoted}"


@router.get("/survey/evidence/{evidence_id}")
def download(request: Request, evidence_id: str, portal: PortalDep) -> Response:
    """One of the signed-in agency's evidence files, under a name that matches its type."""
    with portal.db.begin() as s:
        principal = portal.principal(request, s)
        ctx = portal.survey(s, principal)
        number = parse_id(evidence_id)
        try:
            record, content = open_evidence(s, ctx.response, number, portal.storage)
        except (EvidenceError, ResponseError):
            raise NotFound from None
    name = download_name(record.filename, record.content_type)
    return Response(
        content,
        media_type=record.content_type,
        headers={"Content-Disposition": content_disposition(name)},
    )


def store_uploads(
    portal: Portal, s: Session, ctx: SurveyContext, form: FormData, allowed: set[str]
) -> dict[str, str]:
    """Store the form's ``file:<question>`` uploads for questions in ``allowed``; returns the
    Thai error of each refused file by question id (each file in its own savepoint)."""
    errors: dict[str, str] = {}
    for key, value in form.multi_items():
        if not key.startswith("file:") or not isinstance(value, UploadFile):
            continue
        qid = key.removeprefix("file:")
        if not value.filename:
            continue  # an empty file input
        if qid not in allowed:
            errors[qid] = UNKNOWN_QUESTION
            continue
        question = ctx.framework.question(qid)
        if question.type != "evidence" and question.evidence == "none":
            errors[qid] = "ข้อนี้ไม่ต้องแนบไฟล์หลักฐาน"
            continue
        content = value.file.read(portal.config.max_upload_bytes + 1)
        if len(content) > portal.config.max_upload_bytes:
            mb = portal.config.max_upload_bytes // (1024 * 1024)
            errors[qid] = f"ไฟล์ใหญ่เกิน {mb} MB กรุณาลดขนาดไฟล์ หรือแบ่งเป็นหลายไฟล์"
            continue
        try:
            with s.begin_nested():
                store_evidence(
                    s,
                    ctx.response,
                    qid,
                    value.filename,
                    content,
                    actor=ctx.principal.username,
                    storage=portal.storage,
                    limits=portal.limits,
                    framework=ctx.framework,
                )
        except ResponseError as exc:
            errors[qid] = exc.message_th
    return errors


def delete_requested(s: Session, ctx: SurveyContext, form: FormData) -> dict[str, str]:
    """Delete the file named by the form's ``delete_evidence`` button, if any; a locked
    response gives an error, an id outside the agency's response is :class:`NotFound`."""
    raw = form_text(form, "delete_evidence")
    if not raw:
        return {}
    evidence_id = parse_id(raw)
    try:
        delete_evidence(
            s, ctx.response, evidence_id, actor=ctx.principal.username, framework=ctx.framework
        )
    except LockedError:
        return {"_": NOTICES["locked"]}
    except (EvidenceError, ResponseError):
        raise NotFound from None
    return {}
