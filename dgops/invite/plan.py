"""Who is invited, in which batches, and what is wrong before anything leaves."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dgops.cycles import get_cycle
from dgops.cycles.models import SurveyCycle
from dgops.letters import INVITATION
from dgops.mail import (
    MailConfig,
    MailMessage,
    OutgoingMessage,
    SendStatus,
    preflight,
    recipients_from_contacts,
)
from dgops.registry.models import Agency, ContactRole, CycleAgency
from dgops.settings import Settings, get_settings
from dgops.thai import BANGKOK

ROUND = 1
"""Invitations are round 1 of kind ``invitation`` in the send ledger."""
DEFAULT_BATCH_SIZE = 100
MAX_BATCHES = 20
"""At most this many batches (Airflow maps one task per batch, each a fresh process that
imports dgops and typesets its letter layouts: at 10,000 agencies, 100 batches of 100 cost
the invitations DAG 2.2x the CLI's time; 20 batches of 500 keep that start-up small)."""


@dataclass(frozen=True)
class InviteProblem:
    """Something wrong with one agency's invitation, found before sending.

    ``blocking`` ones exclude the agency from this run; the others are reported and the
    invitation still goes (e.g. one malformed address among three good ones).
    """

    agency_id: int
    agency_code: str
    code: str
    detail: str
    email: str = ""
    blocking: bool = True


@dataclass(frozen=True)
class InvitePlan:
    """What a run would do: the agencies to send to, in batches, and what stays out and why."""

    cycle_year: int
    cycle_id: int
    selected: int
    """Agencies considered (the cycle's enrolled active agencies, or the asked subset)."""
    ledger: dict[int, str]
    """Ledger state of the invitation per agency id (``none`` when never attempted)."""
    problems: tuple[InviteProblem, ...]
    batches: tuple[tuple[int, ...], ...]
    """Agency ids still to send (or to reconcile), in batches."""
    unknown_codes: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def blocked_ids(self) -> frozenset[int]:
        return frozenset(p.agency_id for p in self.problems if p.blocking)

    @property
    def to_send(self) -> int:
        return sum(len(b) for b in self.batches)

    def problem_counts(self) -> dict[str, int]:
        """Problems by code (``blocking`` ones prefixed ``blocked:``)."""
        return dict(Counter(f"{'blocked:' if p.blocking else ''}{p.code}" for p in self.problems))

    def as_xcom(self) -> dict[str, Any]:
        """Ids and counts only: what may travel through Airflow's XCom."""
        return {
            "cycle_year": self.cycle_year,
            "batches": [list(b) for b in self.batches],
            "counts": dict(self.counts),
            "problems": self.problem_counts(),
        }


def _agencies(
    session: Session, cycle: SurveyCycle, codes: Sequence[str] | None
) -> tuple[list[Agency], tuple[str, ...]]:
    q = (
        select(Agency)
        .join(CycleAgency, CycleAgency.agency_id == Agency.id)
        .where(CycleAgency.cycle_id == cycle.id, Agency.active.is_(True))
        .options(selectinload(Agency.contacts))
        .order_by(Agency.code)
    )
    if codes:
        q = q.where(Agency.code.in_(list(codes)))
    rows = list(session.scalars(q))
    unknown = tuple(sorted(set(codes or ()) - {a.code for a in rows}))
    return rows, unknown


def load_agencies(session: Session, cycle: SurveyCycle, ids: Sequence[int]) -> list[Agency]:
    """The enrolled, active agencies among ``ids`` with their contacts (others are dropped)."""
    if not ids:
        return []
    q = (
        select(Agency)
        .join(CycleAgency, CycleAgency.agency_id == Agency.id)
        .where(
            CycleAgency.cycle_id == cycle.id,
            Agency.active.is_(True),
            Agency.id.in_(list(ids)),
        )
        .options(selectinload(Agency.contacts))
        .order_by(Agency.code)
    )
    return list(session.scalars(q))


def ledger_states(session: Session, cycle_id: int, agency_ids: Sequence[int]) -> dict[int, str]:
    """The invitation's ledger state per agency (``none``: no row yet)."""
    states = dict.fromkeys(agency_ids, "none")
    ids = list(agency_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(MailMessage.agency_id, MailMessage.status).where(
                MailMessage.cycle_id == cycle_id,
                MailMessage.kind == INVITATION,
                MailMessage.round == ROUND,
                MailMessage.agency_id.in_(chunk),
            )
        )
        for agency_id, status in rows:
            states[agency_id] = SendStatus(status).value
    return states


def head_title(agency: Agency) -> str:
    """The head's position title (the letter's salutation, เรียน ...), or ``""``."""
    for contact in agency.contacts:
        if contact.role == ContactRole.HEAD and contact.title.strip():
            return contact.title.strip()
    return ""


def probe_message(
    cycle: SurveyCycle, agency: Agency, settings: Settings, **context: Any
) -> OutgoingMessage:
    """The invitation e-mail of ``agency`` without its letter (for checks and dry runs)."""
    values: dict[str, Any] = {
        "agency_name": agency.name_th,
        "survey_title": cycle.title_th,
        "year_be": cycle.year_be,
        "deadline": cycle.deadline,
        "portal_url": settings.portal_url,
        "salutation": head_title(agency) or f"หัวหน้าหน่วยงาน {agency.name_th}",
        "letter_number": "-",
    }
    values.update(context)
    return OutgoingMessage(
        cycle_id=cycle.id,
        agency_id=agency.id,
        agency_code=agency.code,
        kind=INVITATION,
        round=ROUND,
        cycle_label=str(cycle.year_be),
        recipients=recipients_from_contacts(agency.contacts),
        context=values,
    )


def check_agencies(
    session: Session,
    cycle: SurveyCycle,
    agencies: Sequence[Agency],
    config: MailConfig,
    settings: Settings,
) -> list[InviteProblem]:
    """Every pre-send problem of ``agencies``: the mail preflight (no usable address, malformed
    addresses, over-long names, addresses that bounced before, template gaps) and a head with
    no position title (an official letter must be addressed เรียน <title>)."""
    problems: list[InviteProblem] = []
    for a in agencies:
        if not head_title(a):
            problems.append(
                InviteProblem(
                    a.id,
                    a.code,
                    "no_head_title",
                    "ไม่มีตำแหน่งหัวหน้าหน่วยงานสำหรับคำขึ้นต้นหนังสือ (เรียน ...) — แก้ทะเบียนก่อน",
                )
            )
    messages = [probe_message(cycle, a, settings) for a in agencies]
    for p in preflight(messages, config, session=session):
        problems.append(
            InviteProblem(p.agency_id, p.agency_code, p.code, p.detail, p.email, p.blocking)
        )
    return problems


def make_batches(ids: Sequence[int], batch_size: int) -> tuple[tuple[int, ...], ...]:
    """``ids`` in batches of ``batch_size``, enlarged so that there are at most
    :data:`MAX_BATCHES` of them (never one batch per agency for a large cycle)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if not ids:
        return ()
    size = max(batch_size, -(-len(ids) // MAX_BATCHES))
    return tuple(tuple(ids[i : i + size]) for i in range(0, len(ids), size))


def plan_invitations(
    session: Session,
    cycle_year: int,
    *,
    agency_codes: Sequence[str] | None = None,
    mail_config: MailConfig | None = None,
    settings: Settings | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> InvitePlan:
    """Plan the invitations of ``cycle_year``: the enrolled active agencies (or ``agency_codes``
    among them), their ledger state, the pre-send problems and the batches still to send.

    Agencies already ``accepted`` are done; ``held`` and ``failed`` ones wait for an operator
    (``dgops mail release``); agencies with blocking problems are left out and reported. The
    rest (no row, ``pending``, and ``sending`` ones that need reconciling) are batched.
    Raises :class:`dgops.cycles.CycleError` for an unknown cycle.
    """
    settings = settings or get_settings()
    config = mail_config or MailConfig.from_settings(settings)
    cycle = get_cycle(session, cycle_year)
    agencies, unknown = _agencies(session, cycle, agency_codes)
    ledger = ledger_states(session, cycle.id, [a.id for a in agencies])
    open_ = [a for a in agencies if ledger[a.id] in ("none", "pending", "sending")]
    problems = [
        InviteProblem(0, code, "unknown_agency", "ไม่พบหน่วยงานนี้ในรอบสำรวจ (not enrolled/active)")
        for code in unknown
    ]
    problems += check_agencies(session, cycle, open_, config, settings)
    blocked = {p.agency_id for p in problems if p.blocking}
    ids = [a.id for a in open_ if a.id not in blocked]
    states = Counter(ledger.values())
    counts = {
        "selected": len(agencies),
        "already_accepted": states["accepted"],
        "held": states["held"],
        "failed": states["failed"],
        "uncertain": states["sending"],
        "blocked": len(blocked - {0}),
        "to_send": len(ids),
        "unknown_codes": len(unknown),
    }
    return InvitePlan(
        cycle_year=cycle.year_be,
        cycle_id=cycle.id,
        selected=len(agencies),
        ledger=ledger,
        problems=tuple(problems),
        batches=make_batches(ids, batch_size),
        unknown_codes=unknown,
        counts=counts,
    )


def today_bangkok() -> dt.date:
    """The letter date: today in Bangkok."""
    return dt.datetime.now(BANGKOK).date()
