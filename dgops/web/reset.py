"""Password reset by an operator: a new activation code, e-mailed to the agency.

The old password stops working at once and every open session of the account ends; the agency
sets a new password with the e-mailed code on the portal's first-visit page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import selectinload

from dgops.credentials import CredentialPolicy, issue_credentials
from dgops.credentials.models import PortalAccount
from dgops.cycles import get_cycle
from dgops.db import Database, record_audit, session_scope
from dgops.mail import (
    MailConfig,
    MailMessage,
    OutgoingMessage,
    SendReport,
    TransportFactory,
    recipients_from_contacts,
    send_batch,
)
from dgops.registry.models import Agency
from dgops.web.security import revoke_account_sessions

KIND = "password_reset"


class ResetError(ValueError):
    """A reset cannot be done as asked (unknown agency, no e-mail address); nothing changed."""


@dataclass
class ResetReport:
    """What :func:`reset_passwords` did; holds no code."""

    agencies: list[str]
    sessions_revoked: int
    send: SendReport = field(repr=False)

    @property
    def delivered(self) -> list[str]:
        """Agency codes whose e-mail SendGrid accepted."""
        ok = {"accepted", "already_accepted", "reconciled"}
        return [r.agency_code for r in self.send.results if r.outcome in ok]


def reset_passwords(
    engine: Engine,
    year: int,
    agency_codes: Sequence[str],
    *,
    actor: str,
    mail_config: MailConfig,
    portal_url: str,
    policy: CredentialPolicy | None = None,
    now: dt.datetime | None = None,
    transport_factory: TransportFactory | None = None,
) -> ResetReport:
    """Revoke the agencies' passwords, codes and sessions, issue new activation codes and
    e-mail them (kind ``password_reset``, a new mail round per reset).

    Everything is checked first (known agencies, an e-mail address each); the codes are
    committed before sending, so a failed e-mail is re-done by resetting again.
    """
    now = now or dt.datetime.now(dt.UTC)
    codes = sorted(set(agency_codes))
    if not codes:
        raise ResetError("ต้องระบุหน่วยงานอย่างน้อย 1 หน่วยงาน (no agency given)")
    with session_scope(engine) as s:
        cycle = get_cycle(s, year)
        agencies = list(
            s.scalars(
                select(Agency).where(Agency.code.in_(codes)).options(selectinload(Agency.contacts))
            )
        )
        unknown = sorted(set(codes) - {a.code for a in agencies})
        if unknown:
            raise ResetError(f"ไม่พบหน่วยงาน (unknown agency codes): {', '.join(unknown)}")
        no_mail = sorted(a.code for a in agencies if not recipients_from_contacts(a.contacts))
        if no_mail:
            raise ResetError(f"หน่วยงานไม่มีอีเมลผู้ติดต่อ (no contact e-mail): {', '.join(no_mail)}")
        report = issue_credentials(
            s, cycle, agencies, actor=actor, policy=policy, reissue=True, now=now
        )
        account_ids = list(
            s.scalars(
                select(PortalAccount.id).where(
                    PortalAccount.cycle_id == cycle.id,
                    PortalAccount.agency_id.in_([a.id for a in agencies]),
                )
            )
        )
        s.execute(
            update(PortalAccount)
            .where(PortalAccount.id.in_(account_ids))
            .values(password_hash=None, password_set_at=None)
            .execution_options(synchronize_session=False)
        )
        revoked = revoke_account_sessions(s, account_ids, now=now)
        rounds = dict(
            s.execute(
                select(MailMessage.agency_id, func.max(MailMessage.round))
                .where(MailMessage.cycle_id == cycle.id, MailMessage.kind == KIND)
                .group_by(MailMessage.agency_id)
            ).all()
        )
        by_id = {a.id: a for a in agencies}
        messages = [
            OutgoingMessage(
                cycle_id=cycle.id,
                agency_id=issued.agency_id,
                agency_code=issued.agency_code,
                kind=KIND,
                round=int(rounds.get(issued.agency_id) or 0) + 1,
                cycle_label=str(cycle.year_be),
                recipients=recipients_from_contacts(by_id[issued.agency_id].contacts),
                context={
                    "agency_name": by_id[issued.agency_id].name_th,
                    "year_be": cycle.year_be,
                    "username": issued.username,
                    "activation_code": issued.code.reveal(),
                    "expires_on": issued.expires_at.date(),
                    "portal_url": portal_url.rstrip("/"),
                },
            )
            for issued in report.issued
        ]
        record_audit(
            s,
            actor=actor,
            action="password_reset",
            entity="portal_account",
            entity_key=str(cycle.year_be),
            cycle_id=cycle.id,
            details={"agencies": codes[:50], "sessions_revoked": revoked},
        )
    send = send_batch(
        Database(engine),
        mail_config,
        messages,
        workers=2,
        transport_factory=transport_factory,
        actor=actor,
    )
    return ResetReport(agencies=codes, sessions_revoked=revoked, send=send)
