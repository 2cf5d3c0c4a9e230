"""What one letter says: the values a template is filled with, built from the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from dgops.credentials import ActivationCode, IssuedCredential, make_username
from dgops.cycles.models import SurveyCycle
from dgops.letters.issuer import IssuerSettings
from dgops.letters.numbers import LetterKey, allocate_numbers, format_number
from dgops.registry.models import Agency, ContactRole
from dgops.settings import get_settings
from dgops.templating import environment
from dgops.thai import BANGKOK, thai_date, thai_digits

INVITATION = "invitation"
CREDENTIALS_MARK = "--credentials--"
SAMPLE_CODE = ActivationCode("ตัวอย่าง-XXXX-XXXX")
"""Shown by previews instead of a real code: preview never issues a credential."""


@dataclass(frozen=True)
class LetterContext:
    """Every value printed on one letter. ``activation_code`` stays masked in reprs."""

    kind: str
    agency_code: str
    number: str
    date: dt.date
    subject: str
    salutation: str
    paragraphs: tuple[str, ...]
    closing: str
    issuer: IssuerSettings
    references: tuple[str, ...] = ()
    enclosures: tuple[str, ...] = ()
    username: str | None = None
    activation_code: ActivationCode | None = field(default=None, repr=False)
    after: tuple[str, ...] = ()
    sample: bool = False
    agency_name: str = ""
    """The addressee's name as it appears in the body (a variable field for the fill path)."""

    @property
    def date_th(self) -> str:
        """``๑ พฤศจิกายน ๒๕๖๖``: Thai digits, Thai month, Buddhist era."""
        return thai_date(self.date, digits=True)

    @property
    def file_stem(self) -> str:
        return f"{self.kind}-{self.agency_code}"

    def credential_rows(self) -> list[tuple[str, str]]:
        """(label, value) rows of the login box; empty when the letter carries no login."""
        if self.username is None:
            return []
        rows = [("ชื่อผู้ใช้ (Username)", self.username)]
        if self.activation_code is not None:
            rows.append(("รหัสเปิดใช้งาน (Activation code)", self.activation_code.reveal()))
        return rows


def render_body(template: str, values: dict[str, object], folder: Path | None = None) -> list[str]:
    """Paragraphs of a Jinja body template (blank-line separated, whitespace collapsed)."""
    folder = folder or get_settings().templates_dir / "letters"
    text = environment(folder).get_template(template).render(**values)
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def _salutation(agency: Agency) -> str:
    for contact in agency.contacts:
        if contact.role == ContactRole.HEAD and contact.title.strip():
            return contact.title.strip()
    return f"หัวหน้าหน่วยงาน {agency.name_th}"


def _invitation(
    cycle: SurveyCycle,
    agency: Agency,
    *,
    number: str,
    username: str | None,
    code: ActivationCode | None,
    expires: dt.date,
    issuer: IssuerSettings,
    date: dt.date,
    portal_url: str,
    sample: bool,
) -> LetterContext:
    values = {
        "issuer": issuer,
        "cycle_title": thai_digits(cycle.title_th),
        "agency_name": agency.name_th,
        "portal_url": portal_url,
        "deadline": thai_date(cycle.deadline, digits=True),
        "expires": thai_date(expires, digits=True),
    }
    paragraphs = render_body("invitation.j2", values)
    cut = paragraphs.index(CREDENTIALS_MARK) if CREDENTIALS_MARK in paragraphs else len(paragraphs)
    return LetterContext(
        kind=INVITATION,
        agency_code=agency.code,
        number=number,
        date=date,
        subject=thai_digits(f"ขอความอนุเคราะห์ตอบแบบ{cycle.title_th.removeprefix('การ')}"),
        salutation=_salutation(agency),
        paragraphs=tuple(paragraphs[:cut]),
        after=tuple(paragraphs[cut + 1 :]),
        closing="จึงเรียนมาเพื่อโปรดพิจารณา",
        issuer=issuer,
        username=username,
        activation_code=code,
        sample=sample,
        agency_name=agency.name_th,
    )


def _today() -> dt.date:
    return dt.datetime.now(BANGKOK).date()


def build_invitation_context(
    session: Session,
    cycle: SurveyCycle,
    agency: Agency,
    credential_code: IssuedCredential | ActivationCode | None,
    settings: IssuerSettings,
    *,
    date: dt.date | None = None,
    portal_url: str | None = None,
    number: str | None = None,
) -> LetterContext:
    """The invitation letter to ``agency``: salutation to its head, login, deadline.

    ``credential_code`` is the credential just issued (or only its code); ``None`` makes a
    sample (ตัวอย่าง) letter with a placeholder code and, unless ``number`` is given, a
    placeholder number, so that previews neither issue credentials nor use up numbers.
    """
    sample = credential_code is None
    if isinstance(credential_code, IssuedCredential):
        username, code = credential_code.username, credential_code.code
        expires = credential_code.expires_at.astimezone(BANGKOK).date()
    else:
        username = make_username(cycle, agency)
        code = credential_code or SAMPLE_CODE
        expires = cycle.deadline
    if number is None:
        if sample:
            number = thai_digits(f"{settings.number_prefix} {cycle.year_be}/ว (ตัวอย่าง)")
        else:
            seq = allocate_numbers(
                session,
                settings.number_unit,
                cycle.year_be,
                [LetterKey(cycle.id, agency.id, INVITATION)],
            )
            number = format_number(settings.number_prefix, cycle.year_be, next(iter(seq.values())))
    return _invitation(
        cycle,
        agency,
        number=number,
        username=username,
        code=code,
        expires=expires,
        issuer=settings,
        date=date or _today(),
        portal_url=portal_url or get_settings().portal_url,
        sample=sample,
    )


def build_invitation_contexts(
    session: Session,
    cycle: SurveyCycle,
    agencies: Sequence[Agency],
    issued: Sequence[IssuedCredential],
    settings: IssuerSettings,
    *,
    date: dt.date | None = None,
    portal_url: str | None = None,
) -> list[LetterContext]:
    """Invitations for many agencies, their numbers allocated in one batch."""
    by_id = {a.id: a for a in agencies}
    keys = [LetterKey(cycle.id, c.agency_id, INVITATION) for c in issued]
    numbers = allocate_numbers(session, settings.number_unit, cycle.year_be, keys)
    return [
        build_invitation_context(
            session,
            cycle,
            by_id[c.agency_id],
            c,
            settings,
            date=date,
            portal_url=portal_url,
            number=format_number(settings.number_prefix, cycle.year_be, numbers[key]),
        )
        for c, key in zip(issued, keys, strict=True)
    ]
