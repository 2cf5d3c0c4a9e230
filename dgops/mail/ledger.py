"""The send ledger: one row per (cycle, agency, kind, round) and its guarded state changes.

Every change is a compare-and-set (``UPDATE ... WHERE status = ... AND attempts = ...``) in its
own short transaction, so two runs, or a run and an operator, never both act on one message.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dgops.db import Database, record_audit
from dgops.mail.models import MailMessage, SendStatus

Key = tuple[int, int, str, int]


@dataclass(frozen=True)
class LedgerRow:
    """What a worker needs to know about a ledger row."""

    id: int
    message_key: str
    status: SendStatus
    attempts: int
    sending_at: dt.datetime | None
    addresses: tuple[str, ...] = ()
    """The to and cc addresses of the last attempt (lower case), to attribute Activity rows."""


def addresses_of(recipients: dict[str, Any] | None) -> tuple[str, ...]:
    """The lower-cased addresses in a ledger row's ``recipients`` JSON (to, then cc)."""
    out: list[str] = []
    for kind in ("to", "cc"):
        for r in (recipients or {}).get(kind) or []:
            email = str(r.get("email", "")).strip().lower() if isinstance(r, dict) else ""
            if email and email not in out:
                out.append(email)
    return tuple(out)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _row(m: MailMessage) -> LedgerRow:
    return LedgerRow(
        m.id, m.message_key, m.status, m.attempts, m.sending_at, addresses_of(m.recipients)
    )


def _select_keys(session: Session, keys: Sequence[Key]) -> dict[Key, MailMessage]:
    found: dict[Key, MailMessage] = {}
    wanted = set(keys)
    for start in range(0, len(keys), 400):
        chunk = keys[start : start + 400]
        conds = [
            and_(
                MailMessage.cycle_id == c,
                MailMessage.agency_id == a,
                MailMessage.kind == k,
                MailMessage.round == r,
            )
            for c, a, k, r in chunk
        ]
        for m in session.scalars(select(MailMessage).where(or_(*conds))):
            key = (m.cycle_id, m.agency_id, m.kind, m.round)
            if key in wanted:
                found[key] = m
    return found


def ensure_rows(db: Database, keys: Sequence[Key]) -> dict[Key, LedgerRow]:
    """The ledger rows of ``keys``, creating the missing ones as ``pending`` (idempotent).

    The new rows are committed before this returns, so every message has its ledger row (and
    its ``message_key``) before anything is sent.
    """
    for _ in range(3):
        try:
            with db.begin() as session:
                existing = _select_keys(session, keys)
                missing = [k for k in dict.fromkeys(keys) if k not in existing]
                for c, a, k, r in missing:
                    session.add(
                        MailMessage(
                            cycle_id=c,
                            agency_id=a,
                            kind=k,
                            round=r,
                            message_key=str(uuid.uuid4()),
                            status=SendStatus.PENDING,
                            attempts=0,
                            recipients={},
                            error="",
                            subject="",
                        )
                    )
        except IntegrityError:  # another run inserted some of them: read again
            continue
        with db.begin() as session:
            return {k: _row(m) for k, m in _select_keys(session, keys).items()}
    raise RuntimeError("could not create the ledger rows (concurrent inserts kept failing)")


def claim(
    db: Database,
    row_id: int,
    *,
    from_status: SendStatus,
    attempts: int,
    now: dt.datetime,
    subject: str,
    recipients: dict[str, Any],
) -> int | None:
    """``from_status`` → ``sending``, committed before the API call; the new attempt number,
    or None if the row changed under us."""
    with db.begin() as session:
        result = session.execute(
            update(MailMessage)
            .where(
                MailMessage.id == row_id,
                MailMessage.status == from_status,
                MailMessage.attempts == attempts,
            )
            .values(
                status=SendStatus.SENDING,
                attempts=attempts + 1,
                sending_at=now,
                subject=subject[:500],
                recipients=recipients,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        claimed: bool = result.rowcount == 1  # type: ignore[attr-defined]
    # The block has committed: the row is ``sending`` before the caller talks to SendGrid.
    return attempts + 1 if claimed else None


def transition(
    db: Database,
    row_id: int,
    *,
    from_status: SendStatus,
    attempts: int,
    to_status: SendStatus,
    now: dt.datetime,
    audit: tuple[str, str] | None = None,
    **values: Any,
) -> bool:
    """Guarded ``from_status`` → ``to_status``; False if the row is no longer as expected.

    ``audit`` = (actor, action) also records the change in the audit trail (same transaction).
    """
    with db.begin() as session:
        result = session.execute(
            update(MailMessage)
            .where(
                MailMessage.id == row_id,
                MailMessage.status == from_status,
                MailMessage.attempts == attempts,
            )
            .values(status=to_status, updated_at=now, **values)
            .execution_options(synchronize_session=False)
        )
        ok: bool = result.rowcount == 1  # type: ignore[attr-defined]
        if ok and audit is not None:
            cycle_id = session.scalar(select(MailMessage.cycle_id).where(MailMessage.id == row_id))
            record_audit(
                session,
                actor=audit[0],
                action=audit[1],
                entity="mail_message",
                entity_key=str(row_id),
                cycle_id=cycle_id,
                details={
                    "from": from_status.value,
                    "to": to_status.value,
                    **{k: v for k, v in values.items() if k in ("sg_message_id", "error")},
                },
            )
    return ok


def rows_in_status(
    session: Session,
    status: SendStatus,
    *,
    cycle_id: int | None = None,
    ids: Iterable[int] | None = None,
) -> list[LedgerRow]:
    """The rows in ``status`` (of a cycle, or among ``ids``)."""
    q = select(MailMessage).where(MailMessage.status == status)
    if cycle_id is not None:
        q = q.where(MailMessage.cycle_id == cycle_id)
    if ids is not None:
        q = q.where(MailMessage.id.in_(list(ids)))
    return [_row(m) for m in session.scalars(q.order_by(MailMessage.id))]


def count_by_status(
    session: Session, cycle_id: int, kind: str | None = None
) -> dict[SendStatus, int]:
    """How many messages of the cycle (and kind) are in each state."""
    q = select(MailMessage.status, func.count()).where(MailMessage.cycle_id == cycle_id)
    if kind:
        q = q.where(MailMessage.kind == kind)
    counts = dict.fromkeys(SendStatus, 0)
    for status, n in session.execute(q.group_by(MailMessage.status)):
        counts[SendStatus(status)] = int(n)
    return counts
