from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from registry_fixtures import FIXTURES, MAKE_BAD
from sqlalchemy import Engine, event, func, select

from dgops.db import Database
from dgops.db.models import AuditLog
from dgops.registry import (
    ContactRecord,
    ImportReport,
    RegistryError,
    export_registry,
    import_registry,
    load_records,
)
from dgops.registry.models import Agency, Contact, ContactRole, CycleAgency

RECORDS = MAKE_BAD.RECORDS
TABLES = (Agency, Contact, CycleAgency, AuditLog)


def _counts(engine: Engine) -> dict[str, int]:
    with Database(engine).begin() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES}


def _import(engine: Engine, source: Any, **kw: Any) -> ImportReport:
    with Database(engine).begin() as session:
        return import_registry(session, source, cycle_year=2566, actor="tester", **kw)


@pytest.mark.parametrize("case", MAKE_BAD.CASES, ids=lambda c: c.file)
def test_should_write_nothing_and_locate_the_error_for_each_bad_file(
    cycle_engine: Engine, case: Any
) -> None:
    _import(cycle_engine, FIXTURES / "good" / "registry.xlsx")
    before = _counts(cycle_engine)
    with pytest.raises(RegistryError) as info:
        _import(cycle_engine, FIXTURES / "bad" / case.file)
    found = [i for i in info.value.errors if i.code == case.code]
    assert found, info.value.format()
    assert (found[0].file, found[0].sheet, found[0].row, found[0].column) == (
        case.file,
        case.sheet,
        case.row,
        case.column,
    )
    assert _counts(cycle_engine) == before


def test_should_add_enrol_and_audit_a_first_import(cycle_engine: Engine) -> None:
    report = _import(cycle_engine, FIXTURES / "good" / "registry-utf8.csv")
    assert report.added == ("DEPT-001", "PO-CM-01", "CIO-CM")
    assert report.enrolled == ("CIO-CM", "DEPT-001", "PO-CM-01")
    with Database(cycle_engine).begin() as s:
        assert load_records(s) == sorted(RECORDS, key=lambda r: r.code)
        assert load_records(s, cycle_year=2566) == sorted(RECORDS, key=lambda r: r.code)
        child = s.scalar(select(Agency).where(Agency.code == "PO-CM-01"))
        assert child is not None
        assert child.parent is not None
        assert child.parent.code == "DEPT-001"
        audits = s.scalars(
            select(AuditLog).where(AuditLog.entity != "survey_cycle").order_by(AuditLog.id)
        ).all()
        assert [(a.action, a.entity_key) for a in audits] == [
            ("create", "DEPT-001"),
            ("create", "PO-CM-01"),
            ("create", "CIO-CM"),
            ("enrol", "2566"),
        ]
        assert audits[0].details["name_th"] == [None, "กรมสรรพากร"]
        assert audits[0].actor == "tester"


def test_should_change_nothing_when_the_same_file_is_imported_twice(
    cycle_engine: Engine,
) -> None:
    _import(cycle_engine, FIXTURES / "good" / "registry.xlsx")
    with Database(cycle_engine).begin() as s:
        stamps = dict(s.execute(select(Agency.code, Agency.updated_at)).tuples().all())
    before = _counts(cycle_engine)
    for name in ("registry.xlsx", "registry-utf8.csv", "registry-cp874.csv"):
        report = _import(cycle_engine, FIXTURES / "good" / name)
        assert report.no_changes
        assert sorted(report.unchanged) == sorted(r.code for r in RECORDS)
    assert _counts(cycle_engine) == before
    with Database(cycle_engine).begin() as s:
        assert dict(s.execute(select(Agency.code, Agency.updated_at)).tuples().all()) == stamps


def test_should_report_and_audit_changed_fields_old_to_new(cycle_engine: Engine) -> None:
    _import(cycle_engine, RECORDS)
    head = RECORDS[0].contacts[0]
    edited = dataclasses.replace(
        RECORDS[0],
        name_en="Revenue Department",
        contacts=(dataclasses.replace(head, email="head@rd.go.th"),),  # coordinator removed
    )
    report = _import(cycle_engine, [edited, *RECORDS[1:]])
    (change,) = report.changed
    assert change.code == "DEPT-001"
    assert change.changes["name_en"] == ("The Revenue Department", "Revenue Department")
    assert change.changes["head_email"] == ("dg@rd.go.th", "head@rd.go.th")
    assert change.changes["coordinator_email"] == ("it@rd.go.th", None)
    with Database(cycle_engine).begin() as s:
        (record,) = [r for r in load_records(s) if r.code == "DEPT-001"]
        assert record == edited
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "update")).one()
        assert audit.details["head_email"] == ["dg@rd.go.th", "head@rd.go.th"]


def test_should_deactivate_and_unenrol_agencies_missing_from_the_file(
    cycle_engine: Engine,
) -> None:
    _import(cycle_engine, RECORDS)
    report = _import(cycle_engine, RECORDS[:2], allow_deactivate=1)
    assert report.deactivated == ("CIO-CM",)
    assert report.unenrolled == ("CIO-CM",)
    with Database(cycle_engine).begin() as s:
        agency = s.scalar(select(Agency).where(Agency.code == "CIO-CM"))
        assert agency is not None
        assert agency.active is False
        enrolled = s.scalars(
            select(Agency.code).join(CycleAgency, CycleAgency.agency_id == Agency.id)
        ).all()
        assert sorted(enrolled) == ["DEPT-001", "PO-CM-01"]
        actions = s.scalars(select(AuditLog.action).where(AuditLog.entity_key == "CIO-CM")).all()
        assert actions == ["create", "deactivate"]
    assert _import(cycle_engine, RECORDS[:2]).no_changes


def test_should_reactivate_and_re_enrol_an_agency_back_in_the_file(
    cycle_engine: Engine,
) -> None:
    _import(cycle_engine, RECORDS)
    _import(cycle_engine, RECORDS[:2], allow_deactivate=1)
    report = _import(cycle_engine, RECORDS)
    assert [c.code for c in report.changed] == ["CIO-CM"]
    assert report.changed[0].changes["active"] == (False, True)
    assert report.enrolled == ("CIO-CM",)


def test_should_write_nothing_on_a_dry_run(cycle_engine: Engine) -> None:
    before = _counts(cycle_engine)
    report = _import(cycle_engine, RECORDS, dry_run=True)
    assert report.dry_run
    assert len(report.added) == 3
    assert "would be" in report.summary()
    assert _counts(cycle_engine) == before


def test_should_accept_a_parent_already_in_the_database(cycle_engine: Engine) -> None:
    _import(cycle_engine, RECORDS)
    report = _import(cycle_engine, RECORDS[1:], allow_deactivate=1)
    assert report.deactivated == ("DEPT-001",)
    assert [i.code for i in report.issues] == ["parent.outside_file"]


def test_should_refuse_an_unknown_cycle_with_a_clear_issue(engine: Engine) -> None:
    with pytest.raises(RegistryError) as info:
        _import(engine, RECORDS)
    assert [i.code for i in info.value.errors] == ["cycle.missing"]
    assert "2566" in info.value.errors[0].message_th


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_should_import_its_own_export_with_no_changes(
    cycle_engine: Engine, tmp_path: Path, suffix: str
) -> None:
    extra = dataclasses.replace(
        RECORDS[2],
        code="OLD-1",
        active=False,
        parent_code="CIO-CM",
        contacts=(ContactRecord(ContactRole.HEAD, "", "นายกเทศมนตรี"),),
    )
    _import(cycle_engine, [*RECORDS, extra])
    for cycle_year in (None, 2566):
        path = tmp_path / f"export-{cycle_year}{suffix}"
        with Database(cycle_engine).begin() as s:
            count = export_registry(s, path, cycle_year=cycle_year)
        assert count == (4 if cycle_year is None else 3)
        before = _counts(cycle_engine)
        report = _import(cycle_engine, path)
        assert report.no_changes, report
        assert _counts(cycle_engine) == before


def test_should_use_a_bounded_number_of_statements_whatever_the_row_count(
    cycle_engine: Engine,
) -> None:
    def many(n: int) -> list[Any]:
        return [
            dataclasses.replace(RECORDS[1], code=f"PO-{i:05d}", parent_code=None) for i in range(n)
        ]

    def statements(records: list[Any]) -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        event.listen(cycle_engine, "before_cursor_execute", count)
        try:
            _import(cycle_engine, records)
        finally:
            event.remove(cycle_engine, "before_cursor_execute", count)
        return len(seen)

    small = statements(many(20))
    large = statements(many(400))
    assert large <= small + 10


def test_should_count_each_kind_of_change_for_logs(cycle_engine: Engine) -> None:
    first = _import(cycle_engine, RECORDS)
    second = _import(cycle_engine, RECORDS[:2], allow_deactivate=1)

    assert first.counts() == {
        "added": len(RECORDS),
        "changed": 0,
        "deactivated": 0,
        "unchanged": 0,
        "enrolled": len(RECORDS),
        "unenrolled": 0,
    }
    assert second.counts() == {
        "added": 0,
        "changed": 0,
        "deactivated": 1,
        "unchanged": 2,
        "enrolled": 0,
        "unenrolled": 1,
    }
