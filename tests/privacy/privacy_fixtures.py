"""A small world with personal data everywhere the purge looks: two cycles, three agencies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from dgops.cycles import create_cycle
from dgops.db import Database
from dgops.mail import MailCorrection, MailEvent, MailMessage, MailRecipient, SendStatus
from dgops.registry.models import Agency, AgencyLevel, Contact, ContactRole, CycleAgency
from dgops.responses import EvidenceFile, EvidenceStorage
from dgops.responses.models import Response

OLD = dt.datetime(2023, 7, 10, 3, 0, tzinfo=dt.UTC)
"""When the 2566 data was collected."""
NEW = dt.datetime(2025, 7, 10, 3, 0, tzinfo=dt.UTC)
"""When the 2568 data was collected."""
TODAY = dt.date(2026, 1, 15)
BEFORE = dt.date(2024, 1, 1)
"""A cut-off outside a 730-day retention on TODAY."""
SECRET_PDF = b"%PDF-1.4 the minutes of a meeting naming Somchai Jaidee\n"
SHARED_PDF = b"%PDF-1.4 a public regulation uploaded by two agencies\n"


@dataclass
class World:
    db: Database
    storage: EvidenceStorage
    gone: int
    """Agency surveyed only in 2566: its contacts go."""
    kept: int
    """Agency surveyed in 2566 and 2568: its contacts stay."""
    old_message: int
    new_message: int
    secret_sha: str
    shared_sha: str


def make_world(engine: Engine, root: Path) -> World:
    db = Database(engine)
    storage = EvidenceStorage(root / "evidence")
    secret_sha, shared_sha = storage.put(SECRET_PDF), storage.put(SHARED_PDF)
    with db.begin() as s:
        old = create_cycle(
            s, year=2566, open_date=dt.date(2023, 7, 3), deadline=dt.date(2023, 8, 31), actor="t"
        )
        new = create_cycle(
            s,
            year=2568,
            open_date=dt.date(2025, 7, 1),
            deadline=dt.date(2025, 8, 29),
            framework_version="2566",
            actor="t",
        )
        gone = Agency(code="D0001", name_th="กรมทดสอบหนึ่ง", level=AgencyLevel.DEPARTMENT)
        kept = Agency(code="D0002", name_th="กรมทดสอบสอง", level=AgencyLevel.DEPARTMENT)
        s.add_all([gone, kept])
        s.flush()
        s.add_all(
            [
                Contact(
                    agency_id=gone.id,
                    role=ContactRole.CIO,
                    name="นายสมชาย ใจดี",
                    title="ผู้อำนวยการกองเทคโนโลยี",
                    email="somchai@d0001.go.th",
                    phone="02 111 1111",
                ),
                Contact(
                    agency_id=gone.id,
                    role=ContactRole.COORDINATOR,
                    name="นางสาวสมหญิง รักงาน",
                    email="somying@d0001.go.th",
                ),
                Contact(
                    agency_id=kept.id,
                    role=ContactRole.CIO,
                    name="นายมานะ อดทน",
                    email="mana@d0002.go.th",
                    phone="02 222 2222",
                ),
                CycleAgency(cycle_id=old.id, agency_id=gone.id),
                CycleAgency(cycle_id=old.id, agency_id=kept.id),
                CycleAgency(cycle_id=new.id, agency_id=kept.id),
            ]
        )
        old_msg = MailMessage(
            cycle_id=old.id,
            agency_id=gone.id,
            kind="invitation",
            round=1,
            message_key="k-old",
            status=SendStatus.ACCEPTED,
            subject="เชิญตอบแบบสำรวจ 2566",
            recipients={
                "to": [{"email": "somchai@d0001.go.th", "name": "นายสมชาย ใจดี"}],
                "cc": [{"email": "somying@d0001.go.th"}],
            },
            error="550 mailbox somying@d0001.go.th unavailable",
            created_at=OLD,
        )
        new_msg = MailMessage(
            cycle_id=new.id,
            agency_id=kept.id,
            kind="invitation",
            round=1,
            message_key="k-new",
            status=SendStatus.ACCEPTED,
            subject="เชิญตอบแบบสำรวจ 2568",
            recipients={"to": [{"email": "mana@d0002.go.th", "name": "นายมานะ อดทน"}]},
            created_at=NEW,
        )
        s.add_all([old_msg, new_msg])
        s.flush()
        s.add_all(
            [
                MailRecipient(
                    message_id=old_msg.id,
                    email="somying@d0001.go.th",
                    kind="cc",
                    status="bounced",
                    reason="550 somying@d0001.go.th unknown",
                ),
                MailEvent(
                    sg_event_id="ev-1",
                    message_id=old_msg.id,
                    event="bounce",
                    email="somying@d0001.go.th",
                    reason="550 unknown user",
                    payload={
                        "event": "bounce",
                        "email": "somying@d0001.go.th",
                        "ip": "203.0.113.9",
                        "timestamp": 1688958000,
                    },
                ),
                MailEvent(
                    sg_event_id="ev-2",
                    message_id=new_msg.id,
                    event="delivered",
                    email="mana@d0002.go.th",
                    payload={"event": "delivered", "email": "mana@d0002.go.th"},
                ),
                MailCorrection(
                    email="somying@d0001.go.th",
                    agency_id=gone.id,
                    message_id=old_msg.id,
                    event="bounce",
                    reason="550 unknown user",
                    first_seen=OLD,
                    last_seen=OLD,
                ),
            ]
        )
        old_gone = Response(cycle_id=old.id, agency_id=gone.id, submitted_by="DG66-D0001")
        old_kept = Response(cycle_id=old.id, agency_id=kept.id)
        new_kept = Response(cycle_id=new.id, agency_id=kept.id)
        s.add_all([old_gone, old_kept, new_kept])
        s.flush()

        def evidence(response: Response, sha: str, name: str, when: dt.datetime) -> EvidenceFile:
            return EvidenceFile(
                response_id=response.id,
                question_id="Q1",
                sha256=sha,
                filename=name,
                content_type="application/pdf",
                size=10,
                uploaded_by="DG66-D0001",
                uploaded_at=when,
            )

        s.add_all(
            [
                evidence(old_gone, secret_sha, "รายงานการประชุม สมชาย.pdf", OLD),
                evidence(old_gone, shared_sha, "ระเบียบ.pdf", OLD),
                evidence(new_kept, shared_sha, "ระเบียบ.pdf", NEW),
            ]
        )
        s.flush()
        return World(
            db=db,
            storage=storage,
            gone=gone.id,
            kept=kept.id,
            old_message=old_msg.id,
            new_message=new_msg.id,
            secret_sha=secret_sha,
            shared_sha=shared_sha,
        )
