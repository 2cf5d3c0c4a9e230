"""A cache that is never stale: entries are keyed on a fingerprint of everything the figures
are computed from, read from the database on every request (one cheap aggregate query).

Any committed change to responses, their events, e-mails, corrections, snapshots, agencies,
contacts, holds or extensions — or to the fieldwork policy files (targets) — changes the
fingerprint, so the next page recomputes; an unchanged database is served from memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

T = TypeVar("T")

# (table, columns aggregated): row count plus the newest change marker of each table.
_WATCHED: tuple[tuple[str, str], ...] = (
    ("response", "MAX(updated_at)"),
    ("response_event", "MAX(id)"),
    ("mail_message", "MAX(updated_at)"),
    ("mail_correction", "MAX(last_seen)"),
    ("mail_correction", "MAX(resolved_at)"),
    ("audit_log", "MAX(id)"),
    ("fieldwork_snapshot", "MAX(id)"),
    ("agency", "MAX(updated_at)"),
    ("contact", "MAX(id)"),
    ("cycle_agency", "MAX(agency_id)"),
    ("reminder_hold", "MAX(id)"),
    ("cycle_extension", "MAX(id)"),
    ("survey_cycle", "MAX(updated_at)"),
)
_SQL = "SELECT " + ", ".join(
    f"(SELECT COUNT(*) FROM {t}), (SELECT {agg} FROM {t})" for t, agg in _WATCHED
)


def _policy_stamp() -> tuple[Any, ...]:
    try:
        from dgops.fieldwork import policy_dir

        folder = Path(policy_dir())
    except Exception:  # no policy folder means no targets to watch
        return ()
    if not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()))


def data_fingerprint(session: Session) -> Hashable:
    """Counts and newest change markers of the tables the dashboard's figures come from."""
    try:
        # A savepoint: on PostgreSQL a failed statement would spoil the caller's transaction.
        with session.begin_nested():
            row = session.execute(text(_SQL)).one()
    except DBAPIError:
        return object()  # a table is missing: never reuse anything
    return (tuple(str(v) for v in row), _policy_stamp())


class FreshCache:
    """A small LRU of computed page data keyed on (query, fingerprint); one computation per key
    at a time (concurrent viewers of the same page wait for it instead of repeating it)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value of ``key`` or ``compute()`` stored under it."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]  # type: ignore[no-any-return]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._items:
                    self.hits += 1
                    return self._items[key]  # type: ignore[no-any-return]
            value = compute()
            with self._lock:
                self.misses += 1
                self._items[key] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
                self._key_locks.pop(key, None)
            return value
