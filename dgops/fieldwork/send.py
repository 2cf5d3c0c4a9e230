"""Sending the day's reminders through the exactly-once mail ledger, and "send one now"."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dgops.cycles.models import SurveyCycle
from dgops.db import Database
from dgops.fieldwork.policy import FieldworkPolicy, load_policy
from dgops.fieldwork.queries import RESPONDED, agency_progress, cycle_of, effective_deadlines
from dgops.fieldwork.schedule import (
    KIND,
    MANUAL_ROUND_BASE,
    PlannedReminder,
    audience_for,
    select_due,
    template_for,
)
from dgops.mail import MailConfig, OutgoingMessage, Problem, Recipient, TransportFactory, send_batch
from dgops.registry.models import Agency, AgencyLevel, ContactRole
from dgops.responses.models import Response
from dgops.settings import Settings, get_settings
from dgops.thai import ThaiCalendar

STATUS_TH = {
    "not_started": "หน่วยงานยังไม่ได้เริ่มตอบแบบสำรวจ",
    "in_progress": "แบบสำรวจยังอยู่ระหว่างการกรอกและยังไม่ได้ส่ง",
}
PROVINCIAL_OFFICE_PREFIX = "สำนักงานจังหวัด"
PERMANENT_SECRETARY_PREFIX = "สำนักงานปลัดกระทรวง"

ROUTES: dict[str, tuple[tuple[ContactRole, ...], tuple[ContactRole, ...]]] = {
    "agency": ((ContactRole.COORDINATOR,), (ContactRole.BACKUP, ContactRole.CIO)),
    "head": ((ContactRole.HEAD,), (ContactRole.CIO, ContactRole.COORDINATOR)),
    "parent": ((ContactRole.COORDINATOR,), (ContactRole.HEAD, ContactRole.CIO)),
}
"""(to, cc) roles per audience; for ``parent`` the coordinator is the parent's."""


@dataclass
class ReminderRunReport:
    """What one run did: planned, cancelled because the response came in, ledger outcomes."""

    day: dt.date
    planned: int = 0
    cancelled_submitted: int = 0
    no_parent: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    by_audience: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    skipped_reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Counts only (safe for logs and XCom)."""
        return {
            "day": self.day.isoformat(),
            "planned": self.planned,
            "cancelled_submitted": self.cancelled_submitted,
            "no_parent": self.no_parent,
            "outcomes": dict(self.outcomes),
            "by_audience": dict(self.by_audience),
            "problems": len(self.problems),
            "skipped_reason": self.skipped_reason,
        }


def within_office_hours(now: dt.datetime, policy: FieldworkPolicy) -> str | None:
    """None when ``now`` is inside office hours on a Thai working day, else why not (Thai)."""
    local = now.astimezone(ZoneInfo(policy.timezone))
    off = ThaiCalendar(policy.special_days_off).day_off_reason(local.date())
    if off:
        return f"ไม่ใช่วันทำการ ({off})"
    if not policy.office_start <= local.time() < policy.office_end:
        return f"นอกเวลาราชการ ({policy.office_start:%H:%M}–{policy.office_end:%H:%M})"
    return None


def _parent_of(session: Session, agency: Agency) -> Agency | None:
    """The parent agency, else the province's สำนักงานจังหวัด, else the ministry's
    permanent-secretary office, when the registry has it."""
    if agency.parent_id is not None:
        return agency.parent
    if agency.province:
        found = session.scalar(
            select(Agency)
            .where(
                Agency.province == agency.province,
                Agency.level == AgencyLevel.PROVINCIAL_OFFICE,
                Agency.name_th.startswith(PROVINCIAL_OFFICE_PREFIX),
                Agency.id != agency.id,
            )
            .options(selectinload(Agency.contacts))
        )
        if found is not None:
            return found
    if agency.ministry:
        return session.scalar(
            select(Agency)
            .where(
                Agency.ministry == agency.ministry,
                Agency.name_th.startswith(PERMANENT_SECRETARY_PREFIX),
                Agency.id != agency.id,
            )
            .options(selectinload(Agency.contacts))
        )
    return None


def _recipients(agency: Agency, roles: Sequence[ContactRole]) -> list[Recipient]:
    return [
        Recipient(c.email.strip(), c.role, (c.name or "").strip())
        for c in agency.contacts
        if c.email and c.email.strip() and c.role in roles
    ]


def build_message(
    session: Session,
    cycle: SurveyCycle,
    plan: PlannedReminder,
    *,
    settings: Settings,
    today: dt.date,
) -> tuple[str, OutgoingMessage] | None:
    """The e-mail of one planned reminder and its audience; a ``parent`` escalation without a
    parent in the registry goes to the head instead. None when the agency is gone."""
    agency = session.get(Agency, plan.agency_id, options=[selectinload(Agency.contacts)])
    if agency is None:
        return None
    audience, template = plan.audience, plan.template
    context: dict[str, Any] = {
        "template": template,
        "agency_name": agency.name_th,
        "survey_title": cycle.title_th,
        "year_be": cycle.year_be,
        "deadline": plan.deadline,
        "days_left": max(0, (plan.deadline - today).days),
        "portal_url": settings.portal_url,
        "reminders_sent": plan.reminders_sent,
        "status_th": STATUS_TH.get(plan.status, plan.status),
    }
    recipients = _recipients(agency, list(ContactRole))
    if audience == "parent":
        parent = _parent_of(session, agency)
        if parent is None:
            audience, template = "head", template_for("head", plan.status)
            context["template"] = template
        else:
            context["parent_name"] = parent.name_th
            recipients = _recipients(parent, [ContactRole.COORDINATOR]) + _recipients(
                agency, [ContactRole.HEAD, ContactRole.CIO]
            )
    head = next((c for c in agency.contacts if c.role == ContactRole.HEAD and c.title), None)
    if audience == "head" and head is not None:
        context["salutation"] = head.title
    message = OutgoingMessage(
        cycle_id=cycle.id,
        agency_id=agency.id,
        agency_code=agency.code,
        kind=KIND,
        round=plan.round,
        recipients=tuple(recipients),
        context=context,
        cycle_label=str(cycle.year_be),
        categories=(template,),
    )
    return audience, message


def _responded(session: Session, cycle_id: int, agency_ids: list[int]) -> set[int]:
    if not agency_ids:
        return set()
    rows = session.execute(
        select(Response.agency_id).where(
            Response.cycle_id == cycle_id,
            Response.agency_id.in_(agency_ids),
            Response.status.in_(RESPONDED),
        )
    )
    return {int(a) for (a,) in rows}


def deliver(
    db: Database,
    year: int,
    plans: Sequence[PlannedReminder],
    mail_config: MailConfig,
    *,
    settings: Settings | None = None,
    actor: str = "dgops-reminders",
    transport_factory: TransportFactory | None = None,
    chunk: int = 200,
    report: ReminderRunReport | None = None,
    day: dt.date | None = None,
    clock: Callable[[], float] | None = None,
) -> ReminderRunReport:
    """Send planned reminders through the ledger, a chunk at a time. Right before each chunk
    the responses are read again: an agency that submitted meanwhile gets nothing."""
    settings = settings or get_settings()
    report = report or ReminderRunReport(day=day or dt.date.today(), planned=len(plans))
    for start in range(0, len(plans), chunk):
        part = list(plans[start : start + chunk])
        grouped: dict[str, list[OutgoingMessage]] = {}
        with db.begin() as session:
            cycle = cycle_of(session, year)
            done = _responded(session, cycle.id, [p.agency_id for p in part])
            report.cancelled_submitted += len(done)
            for plan in part:
                if plan.agency_id in done:
                    continue
                built = build_message(session, cycle, plan, settings=settings, today=report.day)
                if built is None:
                    continue
                audience, message = built
                if audience != plan.audience:
                    report.no_parent += 1
                grouped.setdefault(audience, []).append(message)
        for audience, messages in grouped.items():
            to_roles, cc_roles = ROUTES[audience]
            config = dataclasses.replace(mail_config, to_roles=to_roles, cc_roles=cc_roles)
            sent = send_batch(
                db,
                config,
                messages,
                actor=actor,
                transport_factory=transport_factory,
                clock=clock,
            )
            report.outcomes.update(sent.counts)
            report.by_audience[audience] += sent.count("accepted")
            report.problems.extend(sent.problems)
    return report


def run_reminders(
    db: Database,
    year: int,
    *,
    now: dt.datetime,
    mail_config: MailConfig,
    settings: Settings | None = None,
    policy: FieldworkPolicy | None = None,
    actor: str = "dgops-reminders",
    transport_factory: TransportFactory | None = None,
    check_office_hours: bool = True,
    clock: Callable[[], float] | None = None,
) -> ReminderRunReport:
    """Select and send the reminders due at ``now`` (an aware datetime). Nothing is sent
    outside office hours or on a Thai day off; re-running a day sends nothing twice.
    ``clock`` (epoch seconds) is the mail ledger's clock (a simulation's day)."""
    with db.begin() as session:
        cycle = cycle_of(session, year)
        policy = policy or load_policy(cycle.year_be)
        today = now.astimezone(ZoneInfo(policy.timezone)).date()
        report = ReminderRunReport(day=today)
        reason = within_office_hours(now, policy) if check_office_hours else None
        if reason:
            report.skipped_reason = reason
            return report
        plans = select_due(session, cycle.year_be, today=today, policy=policy)
    report.planned = len(plans)
    return deliver(
        db,
        year,
        plans,
        mail_config,
        settings=settings,
        actor=actor,
        transport_factory=transport_factory,
        report=report,
        clock=clock,
    )


class ReminderError(ValueError):
    """An operator's reminder request that cannot be done (unknown agency, already answered)."""


def send_now(
    db: Database,
    year: int,
    agency_code: str,
    *,
    today: dt.date,
    mail_config: MailConfig,
    settings: Settings | None = None,
    actor: str = "dgops-reminders",
    transport_factory: TransportFactory | None = None,
) -> ReminderRunReport:
    """An operator's reminder to one agency now, outside the schedule (once per agency per day:
    its round is ``1000 + days since the cycle opened``). Refused once the agency responded."""
    with db.begin() as session:
        cycle = cycle_of(session, year)
        policy = load_policy(cycle.year_be)
        df = agency_progress(session, cycle.year_be, today=today)
        row = df[df["code"] == agency_code]
        if row.empty:
            raise ReminderError(f"หน่วยงาน {agency_code} ไม่อยู่ในรอบการสำรวจ {cycle.year_be}")
        r = row.iloc[0]
        if r["status"] in RESPONDED:
            raise ReminderError(f"หน่วยงาน {agency_code} ส่งแบบสำรวจแล้ว ({r['status']})")
        deadline = effective_deadlines(session, cycle, row).iloc[0]
        status = str(r["status"])
        audience = audience_for(policy, int(r["reminders_sent"]))
        plan = PlannedReminder(
            agency_id=int(r["agency_id"]),
            code=agency_code,
            round=MANUAL_ROUND_BASE + (today - cycle.open_date).days,
            audience=audience,
            template=template_for(audience, status),
            status=status,
            reminders_sent=int(r["reminders_sent"]),
            deadline=deadline,
        )
    return deliver(
        db,
        year,
        [plan],
        mail_config,
        settings=settings,
        actor=actor,
        transport_factory=transport_factory,
        day=today,
    )
