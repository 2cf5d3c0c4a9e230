"""Data-subject access: everything dgops stores about one agency's people, as JSON or XLSX.

An agency (or a person at it) may ask what personal data the survey holds. This gathers it from
every table that holds some — contacts, portal accounts (never password or code hashes), the
e-mails sent to it and their delivery, bounce corrections, evidence files (names and sizes, not
the bytes, which the agency uploaded itself) and who submitted its responses.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.credentials.models import PortalAccount
from dgops.cycles.models import SurveyCycle
from dgops.mail import MailCorrection, MailEvent, MailMessage, MailRecipient
from dgops.privacy.purge import PrivacyError
from dgops.registry.models import Agency, Contact
from dgops.responses import EvidenceFile
from dgops.responses.models import Response

SECTIONS = (
    "contacts",
    "portal_accounts",
    "mail_messages",
    "mail_recipients",
    "mail_events",
    "mail_corrections",
    "evidence_files",
    "responses",
)


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, str | int | float):
        return value.value
    return value


def _rows(
    objects: Sequence[Any], columns: Sequence[str], **extra: Mapping[int, Any]
) -> list[dict[str, Any]]:
    return [
        {c: _value(getattr(o, c)) for c in columns}
        | {name: _value(values.get(o.id)) for name, values in extra.items()}
        for o in objects
    ]


def export_agency_data(session: Session, agency_code: str) -> dict[str, Any]:
    """Every stored item of personal data about the agency ``agency_code``, by table."""
    agency = session.scalar(select(Agency).where(Agency.code == agency_code.strip()))
    if agency is None:
        raise PrivacyError(f"ไม่พบหน่วยงานรหัส {agency_code!r} (unknown agency code)")
    years = dict(session.execute(select(SurveyCycle.id, SurveyCycle.year_be)).tuples().all())
    contacts = list(
        session.scalars(select(Contact).where(Contact.agency_id == agency.id).order_by(Contact.id))
    )
    accounts = list(
        session.scalars(
            select(PortalAccount)
            .where(PortalAccount.agency_id == agency.id)
            .order_by(PortalAccount.id)
        )
    )
    messages = list(
        session.scalars(
            select(MailMessage).where(MailMessage.agency_id == agency.id).order_by(MailMessage.id)
        )
    )
    message_ids = [m.id for m in messages]
    recipients = list(
        session.scalars(
            select(MailRecipient)
            .where(MailRecipient.message_id.in_(message_ids))
            .order_by(MailRecipient.id)
        )
    )
    events = list(
        session.scalars(
            select(MailEvent).where(MailEvent.message_id.in_(message_ids)).order_by(MailEvent.id)
        )
    )
    corrections = list(
        session.scalars(
            select(MailCorrection)
            .where(MailCorrection.agency_id == agency.id)
            .order_by(MailCorrection.id)
        )
    )
    responses = list(
        session.scalars(
            select(Response).where(Response.agency_id == agency.id).order_by(Response.id)
        )
    )
    evidence = list(
        session.scalars(
            select(EvidenceFile)
            .where(EvidenceFile.response_id.in_([r.id for r in responses]))
            .order_by(EvidenceFile.id)
        )
    )
    response_year = {r.id: years.get(r.cycle_id) for r in responses}
    return {
        "agency": {"code": agency.code, "name_th": agency.name_th, "name_en": agency.name_en},
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "contacts": _rows(contacts, ("id", "role", "name", "title", "email", "phone")),
        "portal_accounts": _rows(
            accounts,
            ("id", "username", "created_at", "password_set_at", "failed_attempts", "locked_at"),
            cycle_year={a.id: years.get(a.cycle_id) for a in accounts},
        ),
        "mail_messages": [
            row | {"recipients": json.dumps(m.recipients or {}, ensure_ascii=False)}
            for row, m in zip(
                _rows(
                    messages,
                    ("id", "kind", "round", "status", "subject", "accepted_at", "delivery_status"),
                    cycle_year={m.id: years.get(m.cycle_id) for m in messages},
                ),
                messages,
                strict=True,
            )
        ],
        "mail_recipients": _rows(
            recipients, ("id", "message_id", "email", "kind", "status", "reason", "updated_at")
        ),
        "mail_events": _rows(
            events, ("id", "message_id", "event", "email", "reason", "occurred_at")
        ),
        "mail_corrections": _rows(
            corrections, ("id", "email", "event", "reason", "status", "first_seen", "last_seen")
        ),
        "evidence_files": _rows(
            evidence,
            ("id", "question_id", "filename", "content_type", "size", "uploaded_by", "uploaded_at"),
            cycle_year={e.id: response_year.get(e.response_id) for e in evidence},
        ),
        "responses": _rows(
            responses,
            ("id", "status", "channel", "submitted_at", "submitted_by"),
            cycle_year=response_year,
        ),
    }


def export_bytes(data: Mapping[str, Any], fmt: str) -> bytes:
    """``data`` from :func:`export_agency_data` as ``json`` (UTF-8, Thai readable) or
    ``xlsx`` (a sheet for the agency, then one per table)."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    if fmt != "xlsx":
        raise PrivacyError(f"รองรับเฉพาะ json หรือ xlsx (unknown format {fmt!r})")
    wb = Workbook(write_only=True)
    about = wb.create_sheet("agency")
    for key, value in (*data["agency"].items(), ("exported_at", data["exported_at"])):
        about.append([key, value])
    for section in SECTIONS:
        sheet = wb.create_sheet(section[:31])
        rows: list[dict[str, Any]] = data[section]
        columns = list(rows[0]) if rows else ["(none)"]
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c) for c in columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def format_of(path: Path | None) -> str:
    """``xlsx`` for a ``.xlsx`` path, else ``json`` (also for standard output)."""
    return "xlsx" if path is not None and path.suffix.lower() == ".xlsx" else "json"
