"""Checks before sending: problems are reported before the first e-mail leaves, not after."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.mail.config import MailConfig
from dgops.mail.message import Addressing, OutgoingMessage, route
from dgops.mail.models import CorrectionStatus, MailCorrection
from dgops.mail.templates import RenderedEmail, TemplateError, render_email

MAX_NAME_LENGTH = 100
"""Display names longer than this are left out (the address is still used)."""
MAX_RECIPIENTS = 1000
"""SendGrid's limit of recipients per request."""
MAX_REQUEST_BYTES = 30 * 1024 * 1024
"""SendGrid's limit of one request; base64 makes attachments 4/3 larger."""


@dataclass(frozen=True)
class Problem:
    """Something wrong with one message. ``blocking`` ones are not sent at all."""

    agency_id: int
    agency_code: str
    kind: str
    round: int
    code: str
    detail: str
    email: str = ""
    blocking: bool = True


@dataclass(frozen=True)
class Prepared:
    """A message that passed preflight: who it goes to and what it says."""

    message: OutgoingMessage
    addressing: Addressing
    rendered: RenderedEmail


def suppressed_addresses(session: Session) -> set[str]:
    """Addresses on the open correction list (bounced or dropped before), lower-cased."""
    rows = session.scalars(
        select(MailCorrection.email).where(MailCorrection.status == CorrectionStatus.OPEN)
    )
    return {e.lower() for e in rows}


def prepare(
    messages: Sequence[OutgoingMessage],
    config: MailConfig,
    suppressed: Collection[str] = (),
) -> tuple[list[Prepared], list[Problem]]:
    """Check, clean (drop unusable recipients) and render every message."""
    blocked = {e.lower() for e in suppressed}
    prepared: list[Prepared] = []
    problems: list[Problem] = []
    seen_keys: set[tuple[int, int, str, int]] = set()
    for m in messages:

        def problem(
            code: str, detail: str, email: str = "", blocking: bool = True, m: OutgoingMessage = m
        ) -> None:
            problems.append(
                Problem(m.agency_id, m.agency_code, m.kind, m.round, code, detail, email, blocking)
            )

        if m.key in seen_keys:
            problem("duplicate", "ข้อความซ้ำในชุดเดียวกัน (cycle, agency, kind, round)")
            continue
        seen_keys.add(m.key)
        usable = []
        for r in m.recipients:
            email = r.email.strip()
            if not email:
                continue
            try:
                email = validate_email(email, check_deliverability=False).normalized
            except EmailNotValidError as exc:
                problem("malformed_address", f"ที่อยู่อีเมลไม่ถูกต้อง: {exc}", r.email, False)
                continue
            if email.lower() in blocked:
                problem(
                    "on_correction_list",
                    "ที่อยู่นี้เคยตีกลับหรือถูกปฏิเสธ (อยู่ในรายการรอแก้ไข) จึงไม่ส่งถึงที่อยู่นี้",
                    email,
                    False,
                )
                continue
            name = r.name
            if len(name) > MAX_NAME_LENGTH:
                problem(
                    "name_too_long",
                    f"ชื่อผู้รับยาวเกิน {MAX_NAME_LENGTH} ตัวอักษร จึงส่งโดยไม่ระบุชื่อ",
                    email,
                    False,
                )
                name = ""
            usable.append(dataclasses.replace(r, email=email, name=name))
        cleaned = dataclasses.replace(m, recipients=tuple(usable))
        addressing = route(cleaned, config)
        if not addressing.to:
            problem("no_recipient", "หน่วยงานไม่มีที่อยู่อีเมลที่ใช้ได้สำหรับผู้รับหลัก")
            continue
        if len(addressing.to) + len(addressing.cc) > MAX_RECIPIENTS:
            problem("too_many_recipients", f"ผู้รับเกิน {MAX_RECIPIENTS} รายต่อข้อความ")
            continue
        size = sum(len(a.content) for a in m.attachments) * 4 // 3
        if size > MAX_REQUEST_BYTES:
            problem("too_large", "ไฟล์แนบรวมกันใหญ่เกินขนาดที่ SendGrid รับได้ (30 MB)")
            continue
        try:
            rendered = render_email(config.templates_dir, m.kind, m.context)
        except TemplateError as exc:
            problem("template", f"สร้างเนื้อหาอีเมลไม่ได้: {exc}")
            continue
        prepared.append(Prepared(cleaned, addressing, rendered))
    return prepared, problems


def preflight(
    messages: Sequence[OutgoingMessage],
    config: MailConfig | None = None,
    *,
    session: Session | None = None,
    suppressed: Collection[str] = (),
) -> list[Problem]:
    """Every problem of ``messages`` before sending: no usable address, malformed addresses,
    over-long names, contacts on the correction list (with ``session`` or ``suppressed``),
    template gaps. Non-blocking problems drop one recipient; blocking ones the whole message."""
    config = config or MailConfig.from_settings()
    blocked = set(suppressed)
    if session is not None:
        blocked |= suppressed_addresses(session)
    return prepare(messages, config, blocked)[1]
