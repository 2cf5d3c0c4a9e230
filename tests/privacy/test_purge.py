"""PDPA purge: personal data past retention goes, counts stay, the audit trail says what."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from privacy_fixtures import BEFORE, TODAY, World
from sqlalchemy import select

from dgops.db.models import AuditLog
from dgops.mail import MailCorrection, MailEvent, MailMessage, MailRecipient
from dgops.privacy import (
    ACTION,
    PSEUDONYM_PREFIX,
    REMOVED,
    PrivacyError,
    Pseudonymiser,
    PurgeReport,
    purge_expired,
    purge_personal_data,
)
from dgops.registry.models import Contact
from dgops.responses import EvidenceFile, EvidenceStorage

KEY = "test-pseudonym-key"
PERSONAL = ("สมชาย", "สมหญิง", "somchai@", "somying@", "02 111 1111", "203.0.113.9")


def _purge(world: World, *, dry_run: bool = False, before: dt.date = BEFORE) -> PurgeReport:
    return purge_personal_data(
        world.db,
        2566,
        before,
        actor="tester",
        storage=world.storage,
        retention_days=730,
        key=KEY,
        dry_run=dry_run,
        today=TODAY,
    )


def _dump(world: World, agency_id: int) -> str:
    """Every purged column of the agency's rows, as one text to search."""
    with world.db.begin() as s:
        parts: list[object] = []
        for c in s.scalars(select(Contact).where(Contact.agency_id == agency_id)):
            parts += [c.name, c.email, c.phone]
        for m in s.scalars(select(MailMessage).where(MailMessage.agency_id == agency_id)):
            parts += [m.recipients, m.error]
        for r in s.scalars(select(MailRecipient)):
            parts += [r.email, r.reason]
        for e in s.scalars(select(MailEvent)):
            parts += [e.email, e.reason, e.payload]
        for x in s.scalars(select(MailCorrection)):
            parts += [x.email, x.reason]
        for f in s.scalars(select(EvidenceFile)):
            parts += [f.filename]
        for a in s.scalars(select(AuditLog)):
            parts += [a.details]
    return json.dumps(parts, ensure_ascii=False, default=str)


def test_should_remove_personal_data_of_agencies_in_no_later_cycle(world: World) -> None:
    report = _purge(world)

    text = _dump(world, world.gone)
    for item in PERSONAL:
        assert item not in text, item
    with world.db.begin() as s:
        gone = list(s.scalars(select(Contact).where(Contact.agency_id == world.gone)))
        kept = s.scalars(select(Contact).where(Contact.agency_id == world.kept)).one()
        assert [c.name for c in gone] == [REMOVED, REMOVED]
        assert all((c.email or "").startswith(PSEUDONYM_PREFIX) for c in gone)
        assert gone[0].title == "ผู้อำนวยการกองเทคโนโลยี"  # a position, kept for statistics
        # Surveyed again in 2568: its contact is current and stays.
        assert (kept.name, kept.email) == ("นายมานะ อดทน", "mana@d0002.go.th")
    assert report.counts == {
        "contact": 2,
        "evidence_bytes": 1,
        "evidence_file": 2,
        "mail_correction": 1,
        "mail_event": 1,
        "mail_message": 1,
        "mail_recipient": 1,
    }


def test_should_keep_rows_and_counts_with_consistent_pseudonyms(world: World) -> None:
    with world.db.begin() as s:
        before_counts = [
            len(list(s.scalars(select(t)))) for t in (Contact, MailMessage, EvidenceFile)
        ]

    _purge(world)

    with world.db.begin() as s:
        after_counts = [
            len(list(s.scalars(select(t)))) for t in (Contact, MailMessage, EvidenceFile)
        ]
        message = s.get(MailMessage, world.old_message)
        assert message is not None
        recipient = s.scalars(select(MailRecipient)).one()
        correction = s.scalars(select(MailCorrection)).one()
        event = s.scalars(select(MailEvent).where(MailEvent.sg_event_id == "ev-1")).one()
        coordinator = s.scalars(
            select(Contact).where(Contact.agency_id == world.gone).order_by(Contact.id)
        ).all()[1]
        new_event = s.scalars(select(MailEvent).where(MailEvent.sg_event_id == "ev-2")).one()
        new_message = s.get(MailMessage, world.new_message)
        assert new_message is not None
        status, subject = message.status, message.subject
        cc = message.recipients["cc"][0]["email"]
        event_payload, event_email = event.payload, event.email
        coordinator_email = coordinator.email
        new_email = new_event.email
        new_to = new_message.recipients["to"][0]["email"]
        recipient_email, correction_email = recipient.email, correction.email
        message_error = message.error
        to_name = message.recipients["to"][0]["name"]

    assert after_counts == before_counts
    assert status == "accepted"
    assert subject == "เชิญตอบแบบสำรวจ 2566"
    # The same address gets the same pseudonym everywhere: "distinct addresses" still counts.
    pseudonym = Pseudonymiser(KEY.encode())("somying@d0001.go.th")
    assert {cc, event_email, coordinator_email, recipient_email, correction_email} == {pseudonym}
    assert event_payload == {"event": "bounce", "timestamp": 1688958000}
    assert (message_error, to_name) == (REMOVED, REMOVED)
    # A later cycle's mail is not touched.
    assert (new_email, new_to) == ("mana@d0002.go.th", "mana@d0002.go.th")


def test_should_delete_evidence_bytes_nothing_else_uses_after_the_commit(world: World) -> None:
    report = _purge(world)

    assert not world.storage.path_for(world.secret_sha).exists()
    # The same bytes back a 2568 record that is not purged: the file stays.
    assert world.storage.get(world.shared_sha)
    assert report.files_deleted == 1
    with world.db.begin() as s:
        names = sorted(f.filename for f in s.scalars(select(EvidenceFile)))
        sizes = [f.size for f in s.scalars(select(EvidenceFile))]
    assert names == sorted([REMOVED, REMOVED, "ระเบียบ.pdf"])
    assert sizes == [10, 10, 10]


def test_should_write_counts_and_ids_but_no_personal_data_to_the_audit(world: World) -> None:
    _purge(world)

    with world.db.begin() as s:
        audit = s.scalars(select(AuditLog).where(AuditLog.action == ACTION)).one()
        details, actor, key = audit.details, audit.actor, audit.entity_key
        contact_ids = sorted(s.scalars(select(Contact.id).where(Contact.agency_id == world.gone)))
    assert (actor, key) == ("tester", "2566")
    assert details["counts"]["contact"] == 2
    assert sorted(details["ids"]["contact"]) == contact_ids
    assert details["ids"]["mail_message"] == [world.old_message]
    text = json.dumps(details, ensure_ascii=False)
    for item in (*PERSONAL, PSEUDONYM_PREFIX, "รายงานการประชุม"):
        assert item not in text


def test_should_change_nothing_in_a_dry_run_but_say_what_would_go(world: World) -> None:
    untouched = _dump(world, world.gone)

    report = _purge(world, dry_run=True)

    assert report.counts["contact"] == 2
    assert report.counts["evidence_bytes"] == 1
    assert _dump(world, world.gone) == untouched
    assert world.storage.path_for(world.secret_sha).exists()


def test_should_find_nothing_more_on_a_second_run_and_finish_a_crashed_file_delete(
    world: World,
) -> None:
    # A first run whose file deletion never happened (a crash right after the commit).
    kept_storage = world.storage
    world.storage = EvidenceStorage(kept_storage.root.parent / "elsewhere")
    _purge(world)
    world.storage = kept_storage
    assert kept_storage.path_for(world.secret_sha).exists()

    again = _purge(world)

    assert {k: v for k, v in again.counts.items() if v} == {"evidence_bytes": 1}
    assert not kept_storage.path_for(world.secret_sha).exists()
    with world.db.begin() as s:
        audits = list(s.scalars(select(AuditLog).where(AuditLog.action == ACTION)))
    assert len(audits) == 1  # the second run changed no row: no second audit entry
    third = _purge(world)
    assert third.total == 0


def test_should_refuse_a_cutoff_inside_the_retention_period(world: World) -> None:
    with pytest.raises(PrivacyError, match="ยังไม่พ้นระยะเวลาเก็บรักษา"):
        _purge(world, before=dt.date(2025, 1, 1))

    assert "somchai@" in _dump(world, world.gone)


def test_should_commit_the_rows_before_any_file_is_deleted(world: World) -> None:
    class StorageDown(RuntimeError):
        pass

    real = world.storage

    class BrokenStorage(EvidenceStorage):
        def path_for(self, sha256: str) -> Path:
            raise StorageDown(sha256)

    untouched = _dump(world, world.gone)
    world.storage = BrokenStorage(real.root)

    with pytest.raises(StorageDown):
        _purge(world)

    # The database part committed first; the file is still there for the re-run to delete.
    assert _dump(world, world.gone) != untouched
    assert "somchai@" not in _dump(world, world.gone)
    assert real.path_for(world.secret_sha).exists()
    world.storage = real
    assert _purge(world).files_deleted == 1


def test_should_purge_every_cycle_past_retention_from_the_schedule(world: World) -> None:
    reports = purge_expired(
        world.db,
        actor="dgops-privacy",
        storage=world.storage,
        retention_days=730,
        key=KEY,
        today=TODAY,
    )

    # 2566 opened before the cut-off (2024-01-15); 2568 did not.
    assert [r.cycle_year for r in reports] == [2566]
    assert reports[0].counts["contact"] == 2
    assert "somchai@" not in _dump(world, world.gone)
