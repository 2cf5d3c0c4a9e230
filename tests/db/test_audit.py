"""The audit trail: record_audit (one ORM row) and record_audits (bulk) write the same rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from dgops.cycles import create_cycle
from dgops.db import AuditEntry, Database, record_audit, record_audits
from dgops.db.models import AuditLog

_COLUMNS = ("actor", "action", "entity", "entity_key", "details", "cycle_id")


def _rows(engine: Engine) -> list[AuditLog]:
    with Database(engine).begin() as s:
        rows = list(s.scalars(select(AuditLog).order_by(AuditLog.id)))
        s.expunge_all()
        return rows


def _cycle_id(engine: Engine) -> int:
    with Database(engine).begin() as s:
        cycle = create_cycle(
            s,
            year=2566,
            open_date=dt.date(2023, 7, 1),
            deadline=dt.date(2023, 9, 30),
            actor="test",
        )
        s.flush()
        return cycle.id


def test_should_write_the_rows_record_audit_writes(engine: Engine) -> None:
    cycle_id = _cycle_id(engine)
    start = len(_rows(engine))
    fields: dict[str, Any] = {
        "actor": "somchai",
        "action": "update",
        "entity": "agency",
        "entity_key": "DEPT-001",
        "details": {"name_th": ["กรมสรรพากร", "กรมสรรพากร ใหม่"], "phone": [None, "02-123-4567"]},
        "cycle_id": cycle_id,
    }
    bare: dict[str, Any] = {
        "actor": "somchai",
        "action": "create",
        "entity": "agency",
        "entity_key": "X",
    }
    with Database(engine).begin() as s:
        record_audit(s, **fields)
        record_audit(s, **bare)
    with Database(engine).begin() as s:
        assert record_audits(s, [AuditEntry(**fields), AuditEntry(**bare)]) == 2
    one, none, bulk_one, bulk_none = _rows(engine)[start:]
    for single, bulk in ((one, bulk_one), (none, bulk_none)):
        assert [getattr(bulk, c) for c in _COLUMNS] == [getattr(single, c) for c in _COLUMNS]
        assert bulk.at is not None
    assert bulk_none.details == {}
    assert bulk_none.cycle_id is None


def test_should_accept_mappings_and_keep_a_given_time(engine: Engine) -> None:
    at = dt.datetime(2023, 7, 1, 9, 30, tzinfo=dt.UTC)
    entries: list[dict[str, Any]] = [
        {"actor": "a", "action": "enrol", "entity": "cycle_agency", "entity_key": "2566", "at": at},
        {"actor": "a", "action": "enrol", "entity": "cycle_agency", "entity_key": "2567"},
    ]
    with Database(engine).begin() as s:
        assert record_audits(s, entries) == 2
    given, default = _rows(engine)[-2:]
    stored = given.at if given.at.tzinfo else given.at.replace(tzinfo=dt.UTC)  # SQLite: naive
    assert stored == at
    assert default.at != given.at
    assert (given.entity_key, default.entity_key) == ("2566", "2567")


def test_should_give_every_row_of_one_call_the_same_default_time(engine: Engine) -> None:
    with Database(engine).begin() as s:
        record_audits(s, (AuditEntry("a", "create", "agency", f"A{i}") for i in range(3)))
    assert len({r.at for r in _rows(engine)[-3:]}) == 1


def test_should_roll_back_with_the_callers_transaction(engine: Engine) -> None:
    def failing_change() -> None:
        with Database(engine).begin() as s:
            record_audits(s, [AuditEntry("a", "create", "agency", "A1")])
            raise RuntimeError("the change failed")

    before = len(_rows(engine))
    with pytest.raises(RuntimeError):
        failing_change()
    assert len(_rows(engine)) == before


def test_should_use_a_few_statements_for_many_rows(engine: Engine) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    entries = [AuditEntry("a", "create", "agency", f"A{i}", {"i": [None, i]}) for i in range(2500)]
    event.listen(engine, "before_cursor_execute", count)
    try:
        with Database(engine).begin() as s:
            assert record_audits(s, entries) == 2500
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len([q for q in statements if q.lstrip().upper().startswith("INSERT")]) <= 3
    with Database(engine).begin() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 2500
        last = s.scalars(select(AuditLog).where(AuditLog.entity_key == "A2499")).one()
        assert last.details == {"i": [None, 2499]}


def test_should_write_nothing_and_say_which_key_is_missing(engine: Engine) -> None:
    with pytest.raises(ValueError, match="entity_key"), Database(engine).begin() as s:
        record_audits(s, [{"actor": "a", "action": "create", "entity": "agency"}])
    assert _rows(engine) == []
    with Database(engine).begin() as s:
        assert record_audits(s, []) == 0
