"""Operators' controls: hold, cancel or release an agency's reminders; extend deadlines."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.cycles.models import CycleExtension, SurveyCycle
from dgops.db import record_audit
from dgops.fieldwork.models import HoldMode, ReminderHold
from dgops.fieldwork.queries import GROUP_FIELDS, cycle_of
from dgops.fieldwork.send import ReminderError
from dgops.registry.models import Agency


def _agency(session: Session, code: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise ReminderError(f"ไม่พบหน่วยงานรหัส {code}")
    return agency


def _held(
    session: Session, year: int, agency_code: str
) -> tuple[SurveyCycle, Agency, ReminderHold | None]:
    """The cycle, the agency and its hold row in that cycle (None when not held)."""
    cycle = cycle_of(session, year)
    agency = _agency(session, agency_code)
    row = session.scalar(
        select(ReminderHold).where(
            ReminderHold.cycle_id == cycle.id, ReminderHold.agency_id == agency.id
        )
    )
    return cycle, agency, row


def set_hold(
    session: Session, year: int, agency_code: str, mode: HoldMode, *, reason: str, actor: str
) -> ReminderHold:
    """Hold (pause) or cancel an agency's reminders in a cycle; audited."""
    cycle, agency, row = _held(session, year, agency_code)
    if row is None:
        row = ReminderHold(
            cycle_id=cycle.id, agency_id=agency.id, mode=mode, reason=reason, created_by=actor
        )
        session.add(row)
    else:
        row.mode, row.reason, row.created_by = mode, reason, actor
        row.created_at = dt.datetime.now(dt.UTC)
    record_audit(
        session,
        actor=actor,
        action=f"reminder_{mode.value}",
        entity="agency",
        entity_key=agency.code,
        details={"reason": reason},
        cycle_id=cycle.id,
    )
    session.flush()
    return row


def release_hold(session: Session, year: int, agency_code: str, *, actor: str) -> bool:
    """Resume an agency's reminders; False when nothing was held."""
    cycle, agency, row = _held(session, year, agency_code)
    if row is None:
        return False
    session.delete(row)
    record_audit(
        session,
        actor=actor,
        action="reminder_release",
        entity="agency",
        entity_key=agency.code,
        details={"was": row.mode.value},
        cycle_id=cycle.id,
    )
    session.flush()
    return True


def extend_deadline(
    session: Session,
    year: int,
    new_deadline: dt.date,
    *,
    agency_code: str | None = None,
    group_field: str | None = None,
    group_value: str | None = None,
    reason: str = "",
    actor: str,
) -> CycleExtension:
    """Extend the deadline of one agency or a group (``group_field`` = ``group_value``); the
    reminder schedule follows (rounds before the deadline move with it). Audited."""
    cycle = cycle_of(session, year)
    if (agency_code is None) == (group_field is None):
        raise ReminderError("ระบุหน่วยงาน หรือกลุ่ม (group_field และ group_value) อย่างใดอย่างหนึ่ง")
    if new_deadline < cycle.open_date:
        raise ReminderError("วันสิ้นสุดใหม่ต้องไม่ก่อนวันเปิดการสำรวจ")
    agency_id = None
    if agency_code is not None:
        agency_id = _agency(session, agency_code).id
    elif group_field not in GROUP_FIELDS or not group_value:
        raise ReminderError(f"กลุ่มไม่ถูกต้อง: ใช้ {', '.join(GROUP_FIELDS)} พร้อมค่า")
    ext = CycleExtension(
        cycle_id=cycle.id,
        agency_id=agency_id,
        group_field=group_field,
        group_value=group_value,
        new_deadline=new_deadline,
        reason=reason,
        created_by=actor,
    )
    session.add(ext)
    key = agency_code or f"{group_field}={group_value}"
    record_audit(
        session,
        actor=actor,
        action="extend_deadline",
        entity="cycle_extension",
        entity_key=key,
        details={"new_deadline": new_deadline.isoformat(), "reason": reason},
        cycle_id=cycle.id,
    )
    session.flush()
    return ext
