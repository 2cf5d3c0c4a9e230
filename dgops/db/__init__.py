"""The survey database: the unit of work (:class:`Database`), migrations and the audit trail."""

from __future__ import annotations

from dgops.db.audit import AuditEntry, record_audit, record_audits
from dgops.db.database import Database
from dgops.db.engine import (
    current_revision,
    head_revision,
    make_engine,
    upgrade,
)

__all__ = [
    "AuditEntry",
    "Database",
    "current_revision",
    "head_revision",
    "make_engine",
    "record_audit",
    "record_audits",
    "upgrade",
]
