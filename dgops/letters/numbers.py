"""Gap-free official letter numbers per issuing unit and Buddhist-era year (สพร ๒๕๖๖/ว๑๒๓)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dgops.letters.models import LetterCounter, LetterNumber
from dgops.thai import thai_digits


class LetterKey(NamedTuple):
    """Which letter: one kind (``invitation``, ``result``, ...) to one agency in one cycle."""

    cycle_id: int
    agency_id: int
    kind: str


def format_number(prefix: str, year_be: int, seq: int, *, circular: bool = True) -> str:
    """``สพร ๒๕๖๖/ว๑๒๓`` (ว marks a circular letter sent to many agencies)."""
    return thai_digits(f"{prefix} {year_be}/{'ว' if circular else ''}{seq}")


def _lock_counter(session: Session, unit: str, year_be: int) -> int:
    dialect = session.get_bind().dialect.name
    values = {"unit": unit, "year_be": year_be, "last_number": 0}
    if dialect == "postgresql":
        session.execute(postgresql.insert(LetterCounter).values(values).on_conflict_do_nothing())
    else:
        # SQLite: this write takes the database's single writer lock for the rest of the
        # transaction, so concurrent allocators queue here (busy_timeout) rather than interleave.
        session.execute(sqlite.insert(LetterCounter).values(values).on_conflict_do_nothing())
        session.execute(
            update(LetterCounter)
            .where(LetterCounter.unit == unit, LetterCounter.year_be == year_be)
            .values(last_number=LetterCounter.last_number)
        )
    last = session.execute(
        select(LetterCounter.last_number)
        .where(LetterCounter.unit == unit, LetterCounter.year_be == year_be)
        .with_for_update()
    ).scalar_one()
    return int(last)


def allocate_numbers(
    session: Session, unit: str, year_be: int, keys: Sequence[LetterKey]
) -> dict[LetterKey, int]:
    """Numbers for ``keys`` in the caller's transaction, consecutive after the last one.

    A key that already has a number keeps it (a re-render is the same letter). The counter row
    is locked (``SELECT ... FOR UPDATE`` on PostgreSQL, the writer lock on SQLite) before the
    look-up, so concurrent runs neither skip nor repeat a number; a rollback returns the
    numbers with everything else.
    """
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    last = _lock_counter(session, unit, year_be)
    found: dict[LetterKey, int] = {}
    for chunk_start in range(0, len(wanted), 500):
        chunk = wanted[chunk_start : chunk_start + 500]
        rows = session.execute(
            select(
                LetterNumber.cycle_id, LetterNumber.agency_id, LetterNumber.kind, LetterNumber.seq
            ).where(
                tuple_(LetterNumber.cycle_id, LetterNumber.agency_id, LetterNumber.kind).in_(
                    [tuple(k) for k in chunk]
                ),
            )
        )
        for cycle_id, agency_id, kind, seq in rows:
            found[LetterKey(cycle_id, agency_id, kind)] = seq
    new = [k for k in wanted if k not in found]
    if new:
        session.execute(
            insert(LetterNumber),
            [
                {
                    "unit": unit,
                    "year_be": year_be,
                    "seq": last + i,
                    "cycle_id": k.cycle_id,
                    "agency_id": k.agency_id,
                    "kind": k.kind,
                }
                for i, k in enumerate(new, start=1)
            ],
        )
        session.execute(
            update(LetterCounter)
            .where(LetterCounter.unit == unit, LetterCounter.year_be == year_be)
            .values(last_number=last + len(new))
        )
        found.update({k: last + i for i, k in enumerate(new, start=1)})
    return {k: found[k] for k in wanted}
