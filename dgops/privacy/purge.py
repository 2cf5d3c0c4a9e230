"""PDPA retention: remove a cycle's personal data once it is older than the retention period.

What goes (for one cycle, data collected before the cut-off):

- contacts' names, e-mail addresses and phone numbers, of agencies enrolled in the cycle and in
  no later cycle (a later cycle still needs them);
- e-mail addresses and names in the mail ledger (recipients of each message, per-recipient
  delivery rows, webhook events and their raw payloads, bounce corrections) and the free-text
  error and bounce reasons that quote addresses; the ledger stores no e-mail bodies (they are
  rendered from templates at send time) and no attachments;
- evidence files uploaded to the cycle's responses: the bytes on disk and the file names.

What stays, so that counts and statistics still work: every row. A removed name or file name
becomes :data:`REMOVED`; an address or phone number becomes a keyed pseudonym
(``ลบแล้ว:<16 hex>``, HMAC-SHA-256), so "how many distinct addresses bounced" still counts
right, while the pseudonym is no address (nothing can be sent to it). Statuses, dates, sizes,
kinds, content types and SHA-256 digests stay.

One transaction for the database; evidence files are deleted only after it committed, and only
when no remaining (not purged) record refers to the same bytes. A re-run finds nothing more to
change and deletes any file a crash left behind. The audit trail gets counts and row ids only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.cycles import get_cycle
from dgops.cycles.models import SurveyCycle
from dgops.db import Database, record_audit
from dgops.mail import MailCorrection, MailEvent, MailMessage, MailRecipient
from dgops.registry.models import Contact, CycleAgency
from dgops.responses import EvidenceFile, EvidenceStorage
from dgops.responses.models import Response
from dgops.thai import BANGKOK

log = logging.getLogger(__name__)

REMOVED = "ลบแล้ว"
"""What a removed name, file name or free text becomes."""
PSEUDONYM_PREFIX = f"{REMOVED}:"
SAFE_EVENT_KEYS = frozenset(
    {"event", "timestamp", "sg_event_id", "sg_message_id", "type", "status", "category"}
)
"""Webhook payload keys kept after a purge: what happened and when, never who (``email``,
``ip``, ``useragent``, ``url`` and custom args go)."""
ACTION = "privacy_purge"


class PrivacyError(ValueError):
    """A purge or export cannot be done as asked; ``str()`` is Thai for the operator."""


@dataclass(frozen=True)
class Pseudonymiser:
    """Keyed pseudonyms of identifiers (HMAC-SHA-256 over the lower-cased value)."""

    key: bytes

    @classmethod
    def from_secret(cls, secret: str) -> Pseudonymiser:
        """From the configured key; an empty one gives a random key for this run only."""
        return cls(secret.encode("utf-8") if secret else secrets.token_bytes(32))

    def __call__(self, value: str | None) -> str | None:
        """The pseudonym of ``value``; empty stays empty, a pseudonym stays as it is."""
        if not value or value.startswith(PSEUDONYM_PREFIX):
            return value
        digest = hmac.new(self.key, value.strip().lower().encode("utf-8"), hashlib.sha256)
        return f"{PSEUDONYM_PREFIX}{digest.hexdigest()[:16]}"


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove): counts and row ids only."""

    cycle_year: int
    cutoff: dt.datetime
    dry_run: bool
    ids: dict[str, list[int]] = field(default_factory=dict)
    """Changed rows per table: contact, mail_message, mail_recipient, mail_event,
    mail_correction, evidence_file."""
    files: list[str] = field(default_factory=list, repr=False)
    """SHA-256 digests of the evidence files to delete (after the commit)."""
    files_deleted: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """Rows changed per table, plus ``evidence_bytes`` (files to delete)."""
        out = {table: len(ids) for table, ids in sorted(self.ids.items())}
        out["evidence_bytes"] = len(self.files)
        return out

    @property
    def total(self) -> int:
        """Rows changed and files to delete, all together (0: nothing left to purge)."""
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        """Counts for logs, XCom and the CLI (no ids, no personal data)."""
        return {
            "cycle_year": self.cycle_year,
            "cutoff": self.cutoff.isoformat(),
            "dry_run": self.dry_run,
            "counts": self.counts,
            "files_deleted": self.files_deleted,
        }


def cutoff_of(before: dt.date) -> dt.datetime:
    """The start of ``before`` in Bangkok, in UTC: data collected earlier is purged."""
    return dt.datetime.combine(before, dt.time(0), tzinfo=BANGKOK).astimezone(dt.UTC)


def check_retention(before: dt.date, retention_days: int, today: dt.date) -> None:
    """Refuse a cut-off inside the retention period (data that must still be kept)."""
    latest = today - dt.timedelta(days=retention_days)
    if before > latest:
        raise PrivacyError(
            f"ยังไม่พ้นระยะเวลาเก็บรักษาข้อมูล {retention_days} วัน: ลบได้เฉพาะข้อมูลก่อนวันที่ "
            f"{latest.isoformat()} (before {before.isoformat()} is inside the retention period)"
        )


def _agencies_to_forget(session: Session, cycle: SurveyCycle) -> list[int]:
    # Enrolled in this cycle and in no later one: a later cycle still writes to these contacts.
    later = (
        select(CycleAgency.agency_id)
        .join(SurveyCycle, SurveyCycle.id == CycleAgency.cycle_id)
        .where(SurveyCycle.year_be > cycle.year_be)
    )
    return list(
        session.scalars(
            select(CycleAgency.agency_id).where(
                CycleAgency.cycle_id == cycle.id, CycleAgency.agency_id.not_in(later)
            )
        )
    )


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    # Bounded IN lists (SQLite allows a limited number of bound parameters per statement).
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _purge_contacts(session: Session, agency_ids: Sequence[int], pseud: Pseudonymiser) -> list[int]:
    changed: list[int] = []
    for chunk in _chunks(agency_ids):
        for c in session.scalars(select(Contact).where(Contact.agency_id.in_(chunk))):
            new = (REMOVED if c.name else c.name, pseud(c.email), pseud(c.phone))
            if new != (c.name, c.email, c.phone):
                c.name, c.email, c.phone = new
                changed.append(c.id)
    return changed


def _scrub_recipients(recipients: dict[str, Any], pseud: Pseudonymiser) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, value in recipients.items():
        if isinstance(value, list):
            out[kind] = [
                {
                    **{k: v for k, v in r.items() if k not in ("email", "name")},
                    "email": pseud(str(r.get("email") or "")),
                    **({"name": REMOVED} if r.get("name") else {}),
                }
                if isinstance(r, dict)
                else REMOVED
                for r in value
            ]
        elif isinstance(value, dict):
            out[kind] = _scrub_recipients(value, pseud)
        elif isinstance(value, str) and value and "@" in value:
            out[kind] = pseud(value)
        else:
            out[kind] = value
    return out


def _purge_mail(
    session: Session,
    cycle: SurveyCycle,
    agency_ids: Sequence[int],
    cutoff: dt.datetime,
    pseud: Pseudonymiser,
    ids: dict[str, list[int]],
) -> None:
    messages = list(
        session.scalars(
            select(MailMessage).where(
                MailMessage.cycle_id == cycle.id, MailMessage.created_at < cutoff
            )
        )
    )
    for m in messages:
        recipients = _scrub_recipients(m.recipients or {}, pseud)
        error = REMOVED if m.error and m.error != REMOVED else m.error
        if (recipients, error) != (m.recipients, m.error):
            m.recipients, m.error = recipients, error
            ids["mail_message"].append(m.id)
    message_ids = [m.id for m in messages]
    for chunk in _chunks(message_ids):
        for r in session.scalars(select(MailRecipient).where(MailRecipient.message_id.in_(chunk))):
            new_r = (pseud(r.email) or "", "")
            if new_r != (r.email, r.reason):
                r.email, r.reason = new_r
                ids["mail_recipient"].append(r.id)
        for e in session.scalars(select(MailEvent).where(MailEvent.message_id.in_(chunk))):
            payload = {k: v for k, v in (e.payload or {}).items() if k in SAFE_EVENT_KEYS}
            new_e = (pseud(e.email) or "", "", payload)
            if new_e != (e.email, e.reason, e.payload):
                e.email, e.reason, e.payload = new_e
                ids["mail_event"].append(e.id)
    for chunk in _chunks(agency_ids):
        for c in session.scalars(
            select(MailCorrection).where(
                MailCorrection.agency_id.in_(chunk), MailCorrection.last_seen < cutoff
            )
        ):
            new_c = (pseud(c.email) or "", "")
            if new_c != (c.email, c.reason):
                c.email, c.reason = new_c
                ids["mail_correction"].append(c.id)


def _purge_evidence(
    session: Session, cycle: SurveyCycle, cutoff: dt.datetime, ids: dict[str, list[int]]
) -> list[str]:
    rows = list(
        session.scalars(
            select(EvidenceFile)
            .join(Response, Response.id == EvidenceFile.response_id)
            .where(Response.cycle_id == cycle.id, EvidenceFile.uploaded_at < cutoff)
        )
    )
    for row in rows:
        if row.filename != REMOVED:
            row.filename = REMOVED
            ids["evidence_file"].append(row.id)
    purged = {row.sha256 for row in rows}
    if not purged:
        return []
    session.flush()
    # Identical bytes are stored once: keep a file another (unpurged) record still uses.
    still_used = set(
        session.scalars(
            select(EvidenceFile.sha256).where(
                EvidenceFile.sha256.in_(sorted(purged)), EvidenceFile.filename != REMOVED
            )
        )
    )
    return sorted(purged - still_used)


def plan_purge(
    session: Session,
    cycle_year: int,
    before: dt.date,
    *,
    actor: str,
    key: str = "",
    dry_run: bool = False,
) -> PurgeReport:
    """Remove the personal data of ``cycle_year`` collected before ``before`` in the
    caller's transaction (see the module docstring) and write one audit row; returns what
    changed and which evidence files to delete once the transaction has committed.

    ``dry_run`` changes nothing in the caller's rows it reports: roll the transaction back
    (:func:`purge_personal_data` does). Retention is checked by the caller.
    """
    cycle = get_cycle(session, cycle_year)
    cutoff = cutoff_of(before)
    pseud = Pseudonymiser.from_secret(key)
    ids: dict[str, list[int]] = {
        t: []
        for t in (
            "contact",
            "mail_message",
            "mail_recipient",
            "mail_event",
            "mail_correction",
            "evidence_file",
        )
    }
    agencies = _agencies_to_forget(session, cycle)
    ids["contact"] = _purge_contacts(session, agencies, pseud)
    _purge_mail(session, cycle, agencies, cutoff, pseud, ids)
    files = _purge_evidence(session, cycle, cutoff, ids)
    report = PurgeReport(cycle_year=cycle.year_be, cutoff=cutoff, dry_run=dry_run, ids=ids)
    report.files = files
    if any(ids.values()) and not dry_run:
        record_audit(
            session,
            actor=actor,
            action=ACTION,
            entity="survey_cycle",
            entity_key=str(cycle.year_be),
            cycle_id=cycle.id,
            details={
                "before": before.isoformat(),
                "counts": {t: len(v) for t, v in ids.items()},
                "ids": {t: v for t, v in ids.items() if v},
            },
        )
    session.flush()
    return report


class _DryRun(Exception):
    # Raised inside db.begin() to roll a dry run back after it has looked at everything.
    pass


def purge_personal_data(
    db: Database,
    cycle_year: int,
    before: dt.date,
    *,
    actor: str,
    storage: EvidenceStorage,
    retention_days: int,
    key: str = "",
    dry_run: bool = False,
    today: dt.date | None = None,
) -> PurgeReport:
    """The whole purge: check the retention period, change the rows in one transaction,
    then (committed) delete the evidence files nothing else uses. ``dry_run`` rolls the
    transaction back and deletes nothing; its report says what a real run would do."""
    check_retention(before, retention_days, today or dt.datetime.now(BANGKOK).date())
    report: PurgeReport | None = None
    try:
        with db.begin() as session:
            report = plan_purge(session, cycle_year, before, actor=actor, key=key, dry_run=dry_run)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    assert report is not None
    # Files a crashed earlier run already deleted are not "to delete" any more.
    report.files = [sha for sha in report.files if storage.path_for(sha).exists()]
    if dry_run:
        return report
    for sha in report.files:
        storage.path_for(sha).unlink(missing_ok=True)
        report.files_deleted += 1
    log.info("privacy purge of cycle %s: %s", report.cycle_year, report.as_dict())
    return report


def purge_expired(
    db: Database,
    *,
    actor: str,
    storage: EvidenceStorage,
    retention_days: int,
    key: str = "",
    today: dt.date | None = None,
    cycle_year: int | None = None,
) -> list[PurgeReport]:
    """Purge every cycle (or ``cycle_year`` only) of data older than the retention period:
    what the monthly ``dgops_privacy`` DAG runs. Cycles that opened after the cut-off are
    left alone."""
    today = today or dt.datetime.now(BANGKOK).date()
    before = today - dt.timedelta(days=retention_days)
    with db.begin() as session:
        years = [
            y
            for y, opened in session.execute(
                select(SurveyCycle.year_be, SurveyCycle.open_date).order_by(SurveyCycle.year_be)
            )
            if opened < before and (cycle_year is None or y == cycle_year)
        ]
    return [
        purge_personal_data(
            db,
            year,
            before,
            actor=actor,
            storage=storage,
            retention_days=retention_days,
            key=key,
            today=today,
        )
        for year in years
    ]
