"""Upserting a registry into the database (all or nothing), and exporting it back out.

The registry file is the full list of a cycle: agencies in the database but not in the file are
deactivated and leave that cycle; every active agency in the file is enrolled in it. Existing
agencies and contacts are loaded in two queries, diffed in memory and written in bulk, so the
number of statements does not grow with the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from dgops.cycles import CycleError, get_cycle
from dgops.db.models import Agency, AuditLog, Contact, CycleAgency, utcnow
from dgops.registry.issues import RegistryError, RegistryIssue
from dgops.registry.messages import message
from dgops.registry.reader import ReadLimits, ReadResult, check_references, read_records
from dgops.registry.reader import read_registry as _read_registry
from dgops.registry.records import CONTACT_FIELDS, SHEET_ROLES, AgencyRecord, ContactRecord
from dgops.registry.writer import HeaderStyle, write_registry_csv, write_registry_xlsx

AGENCY_FIELDS: tuple[str, ...] = (
    "name_th",
    "name_en",
    "level",
    "agency_type",
    "mission",
    "ministry",
    "province",
    "parent_code",
    "active",
)
_CHUNK = 500


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


@dataclass(frozen=True, slots=True)
class AgencyChange:
    """What changed on one agency: ``field → (old, new)``; contact fields are ``head_email``."""

    code: str
    changes: Mapping[str, tuple[Any, Any]]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of an import (or of a dry run, which writes nothing)."""

    cycle_year: int
    added: tuple[str, ...]
    changed: tuple[AgencyChange, ...]
    deactivated: tuple[str, ...]
    unchanged: tuple[str, ...]
    enrolled: tuple[str, ...] = ()
    unenrolled: tuple[str, ...] = ()
    issues: tuple[RegistryIssue, ...] = ()
    dry_run: bool = False
    source: str = ""
    sheet: str | None = None

    @property
    def no_changes(self) -> bool:
        return not (
            self.added or self.changed or self.deactivated or self.enrolled or self.unenrolled
        )

    def summary(self) -> str:
        """One line: counts of added, changed, deactivated, unchanged and enrolment changes."""
        verb = "would be" if self.dry_run else ""
        return (
            f"cycle {self.cycle_year}: {len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.deactivated)} deactivated, {len(self.unchanged)} unchanged; "
            f"enrolment +{len(self.enrolled)} −{len(self.unenrolled)}"
            + (f" ({verb} written)" if self.dry_run else "")
        )


@dataclass
class _Existing:
    id: int
    values: dict[str, Any]
    contacts: dict[str, tuple[int, ContactRecord]] = field(default_factory=dict)


def _value(v: Any) -> Any:
    """Audit-friendly JSON values (enums as their codes)."""
    return getattr(v, "value", v)


def _load_existing(session: Session) -> dict[str, _Existing]:
    rows = session.execute(
        select(
            Agency.id,
            Agency.code,
            Agency.name_th,
            Agency.name_en,
            Agency.level,
            Agency.agency_type,
            Agency.mission,
            Agency.ministry,
            Agency.province,
            Agency.parent_id,
            Agency.active,
        )
    ).all()
    code_of = {r.id: r.code for r in rows}
    by_id: dict[int, _Existing] = {}
    out: dict[str, _Existing] = {}
    for r in rows:
        values = {
            "name_th": r.name_th,
            "name_en": r.name_en or None,
            "level": r.level,
            "agency_type": r.agency_type,
            "mission": r.mission,
            "ministry": r.ministry or None,
            "province": r.province or None,
            "parent_code": code_of.get(r.parent_id) if r.parent_id else None,
            "active": bool(r.active),
        }
        out[r.code] = by_id[r.id] = _Existing(r.id, values)
    roles = set(SHEET_ROLES)
    for c in session.execute(
        select(
            Contact.id,
            Contact.agency_id,
            Contact.role,
            Contact.name,
            Contact.title,
            Contact.email,
            Contact.phone,
        ).order_by(Contact.id)
    ):
        existing = by_id.get(c.agency_id)
        if existing is None or c.role not in roles or c.role.value in existing.contacts:
            continue  # roles outside the sheet, and second contacts of a role, are left alone
        existing.contacts[c.role.value] = (
            c.id,
            ContactRecord(c.role, c.name or "", c.title or "", c.email or None, c.phone or None),
        )
    return out


def _record_values(record: AgencyRecord) -> dict[str, Any]:
    return {f: getattr(record, f) for f in AGENCY_FIELDS}


def _contact_values(contact: ContactRecord | None) -> dict[str, Any]:
    return {f: (getattr(contact, f) if contact else None) or None for f in CONTACT_FIELDS}


def _diff(record: AgencyRecord, existing: _Existing | None) -> dict[str, tuple[Any, Any]]:
    old = existing.values if existing else dict.fromkeys(AGENCY_FIELDS)
    changes = {
        f: (_value(old[f]), _value(v)) for f, v in _record_values(record).items() if old[f] != v
    }
    for role in SHEET_ROLES:
        old_c = existing.contacts.get(role.value) if existing else None
        old_v = _contact_values(old_c[1] if old_c else None)
        new_v = _contact_values(record.contact(role))
        for f in CONTACT_FIELDS:
            if old_v[f] != new_v[f]:
                changes[f"{role.value}_{f}"] = (old_v[f], new_v[f])
    return changes


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _read_input(
    source: str | Path | Iterable[AgencyRecord],
    sheet: str | None,
    limits: ReadLimits | None,
    on_progress: Callable[[int], None] | None,
) -> ReadResult:
    if isinstance(source, str | Path):
        return _read_registry(source, sheet=sheet, limits=limits, on_progress=on_progress)
    return read_records(source)


def import_registry(
    session: Session,
    path_or_records: str | Path | Iterable[AgencyRecord],
    *,
    cycle_year: int,
    actor: str,
    dry_run: bool = False,
    sheet: str | None = None,
    limits: ReadLimits | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a registry file (or records) as the full agency list of ``cycle_year``.

    Everything is validated first; on any error :class:`RegistryError` is raised carrying
    every issue and nothing is written. Otherwise new agencies are added, changed ones updated,
    agencies missing from the file (or marked inactive) deactivated and removed from the cycle,
    every active agency enrolled in the cycle, and each change recorded in the audit trail, all
    in the caller's transaction. Importing the same file twice changes nothing the second time.
    With ``dry_run`` the report says what would happen and nothing is written.
    """
    result = _read_input(path_or_records, sheet, limits, on_progress)
    if not result.ok:
        raise RegistryError(result.issues)
    try:
        cycle = get_cycle(session, cycle_year)
    except CycleError:
        th, en = message("cycle.missing", year=cycle_year)
        raise RegistryError(
            [*result.issues, RegistryIssue("cycle.missing", th, en, file=result.file)]
        ) from None
    existing = _load_existing(session)
    ref_issues = check_references(
        result, {code: e.values["parent_code"] for code, e in existing.items()}
    )
    issues = (*result.issues, *ref_issues)
    if any(i.is_error for i in ref_issues):
        raise RegistryError(issues)

    added: list[AgencyRecord] = []
    changed: list[tuple[AgencyRecord, dict[str, tuple[Any, Any]]]] = []
    unchanged: list[str] = []
    in_file = {r.code for r in result.records}
    for record in result.records:
        old = existing.get(record.code)
        if old is None:
            added.append(record)
            continue
        changes = _diff(record, old)
        if changes:
            changed.append((record, changes))
        else:
            unchanged.append(record.code)
    absent = sorted(c for c, e in existing.items() if c not in in_file and e.values["active"])

    enrolled_ids = set(
        session.scalars(select(CycleAgency.agency_id).where(CycleAgency.cycle_id == cycle.id))
    )
    code_of_id = {e.id: c for c, e in existing.items()}
    want_codes = {r.code for r in result.records if r.active}
    enrol = sorted(c for c in want_codes if c not in existing or existing[c].id not in enrolled_ids)
    unenrol = sorted(code_of_id[i] for i in enrolled_ids if code_of_id.get(i) not in want_codes)

    deactivated = [r.code for r, ch in changed if ch.get("active") == (True, False)] + absent
    report = ImportReport(
        cycle_year=cycle.year_be,
        added=tuple(r.code for r in added),
        changed=tuple(
            AgencyChange(r.code, ch) for r, ch in changed if ch.get("active") != (True, False)
        ),
        deactivated=tuple(deactivated),
        unchanged=tuple(unchanged),
        enrolled=tuple(enrol),
        unenrolled=tuple(unenrol),
        issues=issues,
        dry_run=dry_run,
        source=result.file,
        sheet=result.sheet,
    )
    if dry_run or report.no_changes:
        return report
    _apply(
        session, cycle.id, cycle.year_be, actor, existing, added, changed, absent, enrol, unenrol
    )
    return report


def _apply(
    session: Session,
    cycle_id: int,
    cycle_year: int,
    actor: str,
    existing: dict[str, _Existing],
    added: list[AgencyRecord],
    changed: list[tuple[AgencyRecord, dict[str, tuple[Any, Any]]]],
    absent: list[str],
    enrol: list[str],
    unenrol: list[str],
) -> None:
    now = utcnow()
    id_of = {code: e.id for code, e in existing.items()}

    def agency_row(record: AgencyRecord) -> dict[str, Any]:
        return {
            "code": record.code,
            "name_th": record.name_th,
            "name_en": record.name_en,
            "level": record.level,
            "agency_type": record.agency_type,
            "mission": record.mission,
            "ministry": record.ministry,
            "province": record.province,
            "active": record.active,
        }

    if added:
        rows = [
            agency_row(r) | {"parent_id": None, "created_at": now, "updated_at": now} for r in added
        ]
        # Core executemany (not the ORM's bulk path, which is 3x slower here), then the new
        # ids in one query.
        for chunk in _chunks(rows, 2000):
            session.execute(insert(_table(Agency)), list(chunk))
        new_codes = {r.code for r in added}
        for agency_id, code in session.execute(select(Agency.id, Agency.code)):
            if code in new_codes:
                id_of[code] = agency_id

    updates: list[dict[str, Any]] = []
    for record, _ in changed:
        updates.append(
            agency_row(record)
            | {
                "id": id_of[record.code],
                "parent_id": id_of[record.parent_code] if record.parent_code else None,
                "updated_at": now,
            }
        )
    for record in added:
        if record.parent_code:
            updates.append(
                agency_row(record)
                | {
                    "id": id_of[record.code],
                    "parent_id": id_of[record.parent_code],
                    "updated_at": now,
                }
            )
    for code in absent:
        e = existing[code]
        updates.append(
            {
                "id": e.id,
                "code": code,
                **{k: e.values[k] for k in AGENCY_FIELDS if k != "parent_code"},
                "active": False,
                "parent_id": id_of[e.values["parent_code"]] if e.values["parent_code"] else None,
                "updated_at": now,
            }
        )
    for chunk in _chunks(updates):
        session.execute(update(Agency), list(chunk))

    _apply_contacts(session, existing, id_of, added, changed)

    for chunk in _chunks(enrol):
        session.execute(
            insert(_table(CycleAgency)),
            [{"cycle_id": cycle_id, "agency_id": id_of[c], "enrolled_at": now} for c in chunk],
        )
    for chunk in _chunks(unenrol):
        session.execute(
            delete(CycleAgency).where(
                CycleAgency.cycle_id == cycle_id,
                CycleAgency.agency_id.in_([id_of[c] for c in chunk]),
            )
        )

    # One bulk INSERT of the same rows record_audit() would add one ORM object at a time (the
    # ORM flushes those row by row on SQLite, which is 10,000 statements for a full registry).
    audits: list[dict[str, Any]] = []

    def audit(action: str, entity: str, key: str, details: dict[str, Any]) -> None:
        audits.append(
            {
                "at": now,
                "actor": actor,
                "action": action,
                "entity": entity,
                "entity_key": key,
                "details": details,
                "cycle_id": cycle_id,
            }
        )

    for record in added:
        audit("create", "agency", record.code, {k: list(v) for k, v in _diff(record, None).items()})
    for record, changes in changed:
        action = "deactivate" if changes.get("active") == (True, False) else "update"
        audit(action, "agency", record.code, {k: list(v) for k, v in changes.items()})
    for code in absent:
        audit(
            "deactivate",
            "agency",
            code,
            {"active": [True, False], "reason": ["", "absent from the registry file"]},
        )
    if enrol or unenrol:
        audit("enrol", "cycle_agency", str(cycle_year), {"enrolled": enrol, "unenrolled": unenrol})
    for chunk in _chunks(audits):
        session.execute(insert(_table(AuditLog)), list(chunk))
    session.flush()


def _apply_contacts(
    session: Session,
    existing: dict[str, _Existing],
    id_of: Mapping[str, int],
    added: list[AgencyRecord],
    changed: list[tuple[AgencyRecord, dict[str, tuple[Any, Any]]]],
) -> None:
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    deletes: list[int] = []

    def row(c: ContactRecord) -> dict[str, Any]:
        return {
            "role": c.role,
            "name": c.name,
            "title": c.title,
            "email": c.email,
            "phone": c.phone,
        }

    for record in added:
        inserts.extend(row(c) | {"agency_id": id_of[record.code]} for c in _sheet_contacts(record))
    for record, changes in changed:
        old = existing[record.code]
        for role in SHEET_ROLES:
            if not any(k.startswith(f"{role.value}_") for k in changes):
                continue
            new = record.contact(role)
            prior = old.contacts.get(role.value)
            if new is None and prior is not None:
                deletes.append(prior[0])
            elif new is not None and prior is None:
                inserts.append(row(new) | {"agency_id": old.id})
            elif new is not None and prior is not None:
                updates.append(row(new) | {"id": prior[0]})
    for chunk in _chunks(inserts):
        session.execute(insert(_table(Contact)), list(chunk))
    for chunk in _chunks(updates):
        session.execute(update(Contact), list(chunk))
    for chunk in _chunks(deletes):
        session.execute(delete(Contact).where(Contact.id.in_(list(chunk))))


def _sheet_contacts(record: AgencyRecord) -> list[ContactRecord]:
    """The first contact of each sheet role (what the wide format can hold)."""
    return [c for role in SHEET_ROLES if (c := record.contact(role)) is not None]


# --- export ---------------------------------------------------------------------------------


def load_records(session: Session, *, cycle_year: int | None = None) -> list[AgencyRecord]:
    """The registry as records, sorted by code: every agency, or those enrolled in a cycle."""
    existing = _load_existing(session)
    if cycle_year is not None:
        cycle = get_cycle(session, cycle_year)
        ids = set(
            session.scalars(select(CycleAgency.agency_id).where(CycleAgency.cycle_id == cycle.id))
        )
        existing = {c: e for c, e in existing.items() if e.id in ids}
    out = []
    for code in sorted(existing):
        e = existing[code]
        contacts = tuple(
            e.contacts[role.value][1] for role in SHEET_ROLES if role.value in e.contacts
        )
        out.append(AgencyRecord(code=code, contacts=contacts, **e.values))
    return out


def export_registry(
    session: Session,
    path: str | Path,
    *,
    cycle_year: int | None = None,
    headers: HeaderStyle = "th",
    file_format: Literal["xlsx", "csv"] | None = None,
    encoding: str = "utf-8-sig",
) -> int:
    """Write the registry (all agencies, or those enrolled in ``cycle_year``) to ``path`` as a
    formatted XLSX (or CSV, by suffix or ``file_format``); returns the number of agencies.

    The file imports back with no changes.
    """
    path = Path(path)
    records = load_records(session, cycle_year=cycle_year)
    fmt = file_format or ("csv" if path.suffix.lower() == ".csv" else "xlsx")
    if fmt == "csv":
        write_registry_csv(records, path, encoding, headers=headers)
    else:
        write_registry_xlsx(records, path, headers=headers)
    return len(records)


__all__ = [
    "AgencyChange",
    "ImportReport",
    "export_registry",
    "import_registry",
    "load_records",
]
