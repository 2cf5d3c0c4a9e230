"""The audit trail: who changed what, and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from dgops.db.models import AuditLog, utcnow

_BATCH = 1000


def record_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    details: dict[str, Any] | None = None,
    cycle_id: int | None = None,
) -> AuditLog:
    """Add an audit row in the caller's transaction: it commits or rolls back with the change."""
    row = AuditLog(
        actor=actor,
        action=action,
        entity=entity,
        entity_key=entity_key,
        details=details or {},
        cycle_id=cycle_id,
    )
    session.add(row)
    return row


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit row for :func:`record_audits`; the fields and defaults of :func:`record_audit`.

    ``at`` defaults to the time of the :func:`record_audits` call.
    """

    actor: str
    action: str
    entity: str
    entity_key: str
    details: Mapping[str, Any] | None = field(default=None)
    cycle_id: int | None = None
    at: dt.datetime | None = None


_KEYS = ("actor", "action", "entity", "entity_key")


def _row(entry: AuditEntry | Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    if isinstance(entry, AuditEntry):
        actor, action, entity, key = entry.actor, entry.action, entry.entity, entry.entity_key
        details, cycle_id, at = entry.details, entry.cycle_id, entry.at
    else:
        missing = [k for k in _KEYS if k not in entry]
        if missing:
            raise ValueError(f"audit entry without {', '.join(missing)}")
        actor, action, entity, key = (entry[k] for k in _KEYS)
        details, cycle_id, at = entry.get("details"), entry.get("cycle_id"), entry.get("at")
    return {
        "at": at or now,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_key": key,
        "details": (details if type(details) is dict else dict(details)) if details else {},
        "cycle_id": cycle_id,
    }


def record_audits(session: Session, entries: Iterable[AuditEntry | Mapping[str, Any]]) -> int:
    """Add many audit rows in the caller's transaction with bulk INSERTs; returns how many.

    Each entry is an :class:`AuditEntry` or a mapping with the same keys (``actor``,
    ``action``, ``entity``, ``entity_key``; optional ``details``, ``cycle_id``, ``at``). The
    rows are those :func:`record_audit` would add, without one ORM object per row: the
    statements are sent at once (not at the next flush), and no :class:`AuditLog` objects are
    returned.
    """
    table: Table = AuditLog.__table__  # type: ignore[assignment]
    now = utcnow()
    rows = iter(entries)
    count = 0
    while batch := [_row(e, now) for e in islice(rows, _BATCH)]:
        session.execute(insert(table), batch)
        count += len(batch)
    return count
