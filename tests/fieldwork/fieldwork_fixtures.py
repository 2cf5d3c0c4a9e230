"""A small fieldwork world: a cycle, agencies in groups, contacts, responses and ledger rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dgops.cycles import create_cycle
from dgops.db import Database
from dgops.mail import MailMessage, SendStatus
from dgops.registry.models import (
    Agency,
    AgencyLevel,
    AgencyType,
    Contact,
    ContactRole,
    CycleAgency,
    Mission,
)
from dgops.responses.models import Response, ResponseEvent, ResponseStatus

OPEN = dt.date(2025, 7, 1)
DEADLINE = dt.date(2025, 8, 29)
YEAR = 2568
MINISTRY = "กระทรวงมหาดไทย"


@dataclasses.dataclass
class FieldworkWorld:
    cycle_id: int
    ids: dict[str, int]


def _utc(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def add_agency(
    session: Session,
    cycle_id: int,
    code: str,
    name: str,
    *,
    level: AgencyLevel = AgencyLevel.DEPARTMENT,
    province: str | None = None,
    parent_id: int | None = None,
    phone: str = "02 123 4567",
) -> Agency:
    agency = Agency(
        code=code,
        name_th=name,
        level=level,
        agency_type=AgencyType.GOVERNMENT_AGENCY,
        mission=Mission.SERVICE if level == AgencyLevel.DEPARTMENT else None,
        ministry=MINISTRY,
        province=province,
        parent_id=parent_id,
    )
    low = code.lower()
    agency.contacts = [
        Contact(role=ContactRole.HEAD, name=f"หัวหน้า {code}", title="อธิบดี",
                email=f"head@{low}.example.org", phone="02 000 0000"),
        Contact(role=ContactRole.CIO, name=f"ซีไอโอ {code}", title="CIO",
                email=f"cio@{low}.example.org"),
        Contact(role=ContactRole.COORDINATOR, name=f"ผู้ประสาน {code}", title="นักวิชาการ",
                email=f"it@{low}.example.org", phone=phone),
    ]  # fmt: skip
    session.add(agency)
    session.flush()
    session.add(CycleAgency(cycle_id=cycle_id, agency_id=agency.id))
    return agency


def invite(session: Session, cycle_id: int, agency_id: int, day: dt.date) -> None:
    session.add(
        MailMessage(
            cycle_id=cycle_id,
            agency_id=agency_id,
            kind="invitation",
            round=1,
            message_key=str(uuid.uuid4()),
            status=SendStatus.ACCEPTED,
            accepted_at=_utc(day),
        )
    )


def set_status(
    session: Session, cycle_id: int, agency_id: int, status: ResponseStatus, day: dt.date
) -> None:
    r = Response(cycle_id=cycle_id, agency_id=agency_id, status=status)
    if status in (ResponseStatus.SUBMITTED, ResponseStatus.VERIFIED):
        r.submitted_at = _utc(day)
    session.add(r)
    session.flush()
    session.add(
        ResponseEvent(response_id=r.id, at=_utc(day), actor="t", from_status="not_started",
                      to_status=status.value, channel="online")
    )  # fmt: skip


def make_world(engine: Engine, *, year: int = YEAR, open_date: dt.date = OPEN,
               deadline: dt.date = DEADLINE) -> FieldworkWorld:  # fmt: skip
    """Five agencies: D1 submitted, D2 in progress, D3 not started (bounced coordinator),
    P1 (provincial office under the provincial office สำนักงานจังหวัด, not started), and the
    provincial office PO itself (verified). All invited on the opening day."""
    with Database(engine).begin() as session:
        cycle = create_cycle(session, year=year, open_date=open_date, deadline=deadline,
                             actor="t")  # fmt: skip
        cid = cycle.id
        po = add_agency(session, cid, "PO", "สำนักงานจังหวัดเชียงใหม่",
                        level=AgencyLevel.PROVINCIAL_OFFICE, province="เชียงใหม่")  # fmt: skip
        d1 = add_agency(session, cid, "D1", "กรมหนึ่ง")
        d2 = add_agency(session, cid, "D2", "กรมสอง")
        d3 = add_agency(session, cid, "D3", "กรมสาม")
        p1 = add_agency(session, cid, "P1", "สำนักงานสถิติจังหวัดเชียงใหม่",
                        level=AgencyLevel.PROVINCIAL_OFFICE, province="เชียงใหม่")  # fmt: skip
        ids = {a.code: a.id for a in (po, d1, d2, d3, p1)}
        for aid in ids.values():
            invite(session, cid, aid, open_date)
        set_status(session, cid, ids["D1"], ResponseStatus.SUBMITTED, open_date + dt.timedelta(5))
        set_status(session, cid, ids["D2"], ResponseStatus.IN_PROGRESS, open_date + dt.timedelta(3))
        set_status(session, cid, ids["PO"], ResponseStatus.VERIFIED, open_date + dt.timedelta(2))
        from dgops.mail import CorrectionStatus, MailCorrection

        session.add(MailCorrection(email="it@d3.example.org", agency_id=ids["D3"],
                                   event="bounce", status=CorrectionStatus.OPEN))  # fmt: skip
    return FieldworkWorld(cid, ids)
