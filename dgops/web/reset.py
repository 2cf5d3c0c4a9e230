"""Password reset by an operator: a one-time reset link, e-mailed to the agency's designated
contacts.

The old password stops working at once and every open session of the account ends. The
e-mail carries a link (``{portal_url}/password/reset?token=...``) that works once and only
for a short time; the token is stored hashed (:func:`dgops.credentials.issue_reset_token`),
and the portal's reset page redeems it (:func:`dgops.credentials.redeem_reset_token`). The
mail goes only to the agency's coordinator (``to``) and backup coordinator (``cc``): never to
the head's office or the CIO, whose addresses are public and shared.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from dgops.credentials import (
    DEFAULT_RESET_TTL,
    issue_reset_token,
    reset_link,
)
from dgops.credentials.models import PortalAccount
from dgops.cycles import get_cycle
from dgops.db import Database, record_audit
from dgops.mail import (
    MailConfig,
    MailMessage,
    OutgoingMessage,
    SendReport,
    TransportFactory,
    recipients_from_contacts,
    send_batch,
)
from dgops.registry.models import Agency, ContactRole
from dgops.thai import BANGKOK
from dgops.web.security import revoke_account_sessions

KIND = "password_reset"
RESET_TO: tuple[ContactRole, ...] = (ContactRole.COORDINATOR,)
RESET_CC: tuple[ContactRole, ...] = (ContactRole.BACKUP,)
"""The designated contacts: only they receive a reset link."""


class ResetError(ValueError):
    """A reset cannot be done as asked (unknown agency, no designated contact); nothing
    changed."""


@dataclass
class ResetReport:
    """What :func:`reset_passwords` did; holds no token."""

    agencies: list[str]
    sessions_revoked: int
    send: SendReport = field(repr=False)

    @property
    def delivered(self) -> list[str]:
        """Agency codes whose e-mail SendGrid accepted."""
        ok = {"accepted", "already_accepted", "reconciled"}
        return [r.agency_code for r in self.send.results if r.outcome in ok]


def reset_passwords(
    db: Database,
    year: int,
    agency_codes: Sequence[str],
    *,
    actor: str,
    mail_config: MailConfig,
    portal_url: str,
    ttl: dt.timedelta = DEFAULT_RESET_TTL,
    now: dt.datetime | None = None,
    transport_factory: TransportFactory | None = None,
) -> ResetReport:
    """Revoke the agencies' passwords and sessions, and e-mail each a one-time reset link
    (kind ``password_reset``, a new mail round per reset) valid for ``ttl``.

    Everything is checked first (known agencies with a portal account, a designated contact
    with an e-mail each); the hashed tokens are committed before sending, so a failed e-mail
    is re-done by resetting again (which revokes the unsent link).
    """
    now = now or dt.datetime.now(dt.UTC)
    codes = sorted(set(agency_codes))
    if not codes:
        raise ResetError("ต้องระบุหน่วยงานอย่างน้อย 1 หน่วยงาน (no agency given)")
    designated = (*RESET_TO, *RESET_CC)
    with db.begin() as s:
        cycle = get_cycle(s, year)
        agencies = list(
            s.scalars(
                select(Agency).where(Agency.code.in_(codes)).options(selectinload(Agency.contacts))
            )
        )
        unknown = sorted(set(codes) - {a.code for a in agencies})
        if unknown:
            raise ResetError(f"ไม่พบหน่วยงาน (unknown agency codes): {', '.join(unknown)}")
        recipients = {
            a.id: tuple(r for r in recipients_from_contacts(a.contacts) if r.role in designated)
            for a in agencies
        }
        no_mail = sorted(a.code for a in agencies if not recipients[a.id])
        if no_mail:
            raise ResetError(
                "หน่วยงานไม่มีอีเมลผู้ประสานงานที่กำหนดไว้ "
                f"(no contact e-mail of a designated coordinator): {', '.join(no_mail)}"
            )
        accounts = {
            acc.agency_id: acc
            for acc in s.scalars(
                select(PortalAccount).where(
                    PortalAccount.cycle_id == cycle.id,
                    PortalAccount.agency_id.in_([a.id for a in agencies]),
                )
            )
        }
        no_account = sorted(a.code for a in agencies if a.id not in accounts)
        if no_account:
            raise ResetError(f"หน่วยงานยังไม่มีบัญชีเข้าระบบ (no portal account): {', '.join(no_account)}")
        account_ids = [acc.id for acc in accounts.values()]
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
        expires = (now + ttl).astimezone(BANGKOK)
        messages = []
        for a in sorted(agencies, key=lambda a: a.code):
            account = accounts[a.id]
            token = issue_reset_token(s, account, ttl, actor=actor, now=now)
            messages.append(
                OutgoingMessage(
                    cycle_id=cycle.id,
                    agency_id=a.id,
                    agency_code=a.code,
                    kind=KIND,
                    round=int(rounds.get(a.id) or 0) + 1,
                    cycle_label=str(cycle.year_be),
                    recipients=recipients[a.id],
                    context={
                        "agency_name": a.name_th,
                        "year_be": cycle.year_be,
                        "username": account.username,
                        "reset_url": reset_link(portal_url, token),
                        "valid_minutes": int(ttl.total_seconds() // 60),
                        "expires_on": expires.date(),
                        "expires_time": expires.strftime("%H:%M"),
                        "portal_url": portal_url.rstrip("/"),
                    },
                )
            )
        record_audit(
            s,
            actor=actor,
            action="password_reset",
            entity="portal_account",
            entity_key=str(cycle.year_be),
            cycle_id=cycle.id,
            details={
                "agencies": codes[:50],
                "sessions_revoked": revoked,
                "link_minutes": int(ttl.total_seconds() // 60),
            },
        )
    send = send_batch(
        db,
        dataclasses.replace(mail_config, to_roles=RESET_TO, cc_roles=RESET_CC),
        messages,
        workers=2,
        transport_factory=transport_factory,
        actor=actor,
    )
    return ResetReport(agencies=codes, sessions_revoked=revoked, send=send)
