"""The audit trail: who changed what, and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dgops.db.models import AuditLog


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
