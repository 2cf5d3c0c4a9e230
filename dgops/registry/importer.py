"""Upserting a registry into the database (all or nothing), and exporting it back out.

The registry file is the full list of a cycle: agencies in the database but not in the file are
deactivated and leave that cycle; every active agency in the file is enrolled in it. Existing
agencies and contacts are loaded in two queries as plain column values, diffed in memory
(unchanged rows cost one tuple comparison) and written with Core executemany statements
(``INSERT ... RETURNING`` for new agencies' ids; audit rows through
:func:`dgops.db.record_audits`), so the number of statements does not grow with the number of
rows and no ORM object is built per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import String, Table, bindparam, delete, insert, select, type_coerce, update
from sqlalchemy.orm import Session

from dgops.cycles import CycleError, get_cycle
from dgops.db import AuditEntry, record_audits
from dgops.db.models import utcnow
from dgops.registry._collector import collector_paused
from dgops.registry.issues import RegistryError, RegistryIssue
from dgops.registry.messages import message
from dgops.registry.models import (
    Agency,
    AgencyLevel,
    AgencyType,
    Contact,
    ContactRole,
    CycleAgency,
    Mission,
)
from dgops.registry.reader import read_records
from dgops.registry.reader import read_registry as _read_registry
from dgops.registry.records import CONTACT_FIELDS, SHEET_ROLES, AgencyRecord, ContactRecord
from dgops.registry.reference import check_references
from dgops.registry.result import ReadResult
from dgops.registry.writer import HeaderStyle, write_registry_csv, write_registry_xlsx
from dgops.tabular import ReadLimits

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
DEACTIVATE_SHARE = 0.2
"""The largest share of the active agencies one import may deactivate without
``allow_deactivate`` (a registry read from the wrong sheet, or with its codes rewritten by a
spreadsheet program, would otherwise retire the real agencies in one go)."""


_CHUNK = 500
_INSERT_CHUNK = 2000


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

    def counts(self) -> dict[str, int]:
        """How many agencies were added, changed, deactivated, left unchanged, enrolled in and
        removed from the cycle (codes only in the report; counts are safe for logs and XCom)."""
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "deactivated": len(self.deactivated),
            "unchanged": len(self.unchanged),
            "enrolled": len(self.enrolled),
            "unenrolled": len(self.unenrolled),
        }

    def summary(self) -> str:
        """One line: counts of added, changed, deactivated, unchanged and enrolment changes."""
        verb = "would be" if self.dry_run else ""
        return (
            f"cycle {self.cycle_year}: {len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.deactivated)} deactivated, {len(self.unchanged)} unchanged; "
            f"enrolment +{len(self.enrolled)} −{len(self.unenrolled)}"
            + (f" ({verb} written)" if self.dry_run else "")
        )


@dataclass(slots=True)
class _Existing:
    """An agency as stored: plain values (codes, not enums) in ``AGENCY_FIELDS`` order, and its
    first contact of each sheet role as ``(name, title, email, phone)`` with blanks as None."""

    id: int
    values: tuple[Any, ...]
    contacts: dict[str, _ContactKey] = field(default_factory=dict)
    contact_ids: dict[str, int] = field(default_factory=dict)

    @property
    def parent_code(self) -> str | None:
        parent: str | None = self.values[_PARENT]
        return parent

    @property
    def active(self) -> bool:
        return bool(self.values[_ACTIVE])


_ContactKey = tuple[str | None, str | None, str | None, str | None]
_PARENT = AGENCY_FIELDS.index("parent_code")
_ACTIVE = AGENCY_FIELDS.index("active")
_SHEET_ROLE_VALUES: tuple[str, ...] = tuple(r.value for r in SHEET_ROLES)
_NO_CONTACT: _ContactKey = (None, None, None, None)
# Per sheet role, the change keys of its fields: ("head_name", "head_title", ...).
_CONTACT_KEYS: dict[str, tuple[str, ...]] = {
    role: tuple(f"{role}_{f}" for f in CONTACT_FIELDS) for role in _SHEET_ROLE_VALUES
}


def _value(v: Any) -> Any:
    """Audit-friendly JSON values (enums as their codes)."""
    return getattr(v, "value", v)


def _plain(column: Any) -> Any:
    """A column read as its stored text: no enum objects built for rows that are only compared."""
    return type_coerce(column, String()).label(column.key)


def _load_existing(session: Session) -> dict[str, _Existing]:
    a = _table(Agency).c
    rows = session.execute(
        select(
            a.id,
            a.code,
            a.name_th,
            a.name_en,
            _plain(a.level),
            _plain(a.agency_type),
            _plain(a.mission),
            a.ministry,
            a.province,
            a.parent_id,
            a.active,
        )
    ).all()
    code_of = {r[0]: r[1] for r in rows}
    by_id: dict[int, _Existing] = {}
    out: dict[str, _Existing] = {}
    for id_, code, name_th, name_en, level, a_type, mission, ministry, province, parent, on in rows:
        values = (
            name_th,
            name_en or None,
            level,
            a_type,
            mission,
            ministry or None,
            province or None,
            code_of.get(parent) if parent else None,
            bool(on),
        )
        out[code] = by_id[id_] = _Existing(id_, values)
    c = _table(Contact).c
    roles = frozenset(_SHEET_ROLE_VALUES)
    for contact_id, agency_id, role, name, title, email, phone in session.execute(
        select(c.id, c.agency_id, _plain(c.role), c.name, c.title, c.email, c.phone).order_by(c.id)
    ):
        existing = by_id.get(agency_id)
        if existing is None or role not in roles or role in existing.contacts:
            continue  # roles outside the sheet, and second contacts of a role, are left alone
        existing.contacts[role] = (name or None, title or None, email or None, phone or None)
        existing.contact_ids[role] = contact_id
    return out


def _record_values(record: AgencyRecord) -> tuple[Any, ...]:
    return (
        record.name_th,
        record.name_en,
        record.level,
        record.agency_type,
        record.mission,
        record.ministry,
        record.province,
        record.parent_code,
        record.active,
    )


def _sheet_contacts(record: AgencyRecord) -> dict[str, ContactRecord]:
    """The first contact of each sheet role (what the wide format can hold), by role code."""
    out: dict[str, ContactRecord] = {}
    for c in record.contacts:
        role = c.role.value
        if role not in out and role in _SHEET_ROLE_VALUES:
            out[role] = c
    return out


def _contact_key(c: ContactRecord) -> _ContactKey:
    return (c.name or None, c.title or None, c.email or None, c.phone or None)


@dataclass(slots=True)
class _Incoming:
    """A record of the file with what the diff and the writes need, computed once."""

    record: AgencyRecord
    values: tuple[Any, ...]
    contacts: dict[str, ContactRecord]
    keys: dict[str, _ContactKey]

    @classmethod
    def of(cls, record: AgencyRecord) -> _Incoming:
        contacts = _sheet_contacts(record)
        keys = {role: _contact_key(c) for role, c in contacts.items()}
        return cls(record, _record_values(record), contacts, keys)

    def same_as(self, old: _Existing) -> bool:
        # Tuples of plain values compare in C; StrEnum members equal their stored codes.
        return self.values == old.values and self.keys == old.contacts

    def changes(self, old: _Existing | None) -> dict[str, tuple[Any, Any]]:
        """``field → (old, new)`` in column order; contact fields as ``head_email``."""
        old_values = old.values if old else (None,) * len(AGENCY_FIELDS)
        changes = {
            f: (_value(o), _value(n))
            for f, o, n in zip(AGENCY_FIELDS, old_values, self.values, strict=True)
            if o != n
        }
        old_contacts = old.contacts if old else {}
        for role, names in _CONTACT_KEYS.items():
            o_key = old_contacts.get(role, _NO_CONTACT)
            n_key = self.keys.get(role, _NO_CONTACT)
            if o_key != n_key:
                for name, o, n in zip(names, o_key, n_key, strict=True):
                    if o != n:
                        changes[name] = (o, n)
        return changes

    def created(self) -> dict[str, list[Any]]:
        """The audit details of a new agency: every field it has, ``[None, value]``."""
        details = {
            f: [None, _value(n)]
            for f, n in zip(AGENCY_FIELDS, self.values, strict=True)
            if n is not None
        }
        keys = self.keys
        for role, names in _CONTACT_KEYS.items():
            key = keys.get(role)
            if key is not None:
                pairs = zip(names, key, strict=True)
                details.update((name, [None, n]) for name, n in pairs if n is not None)
        return details


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
    allow_deactivate: int = 0,
    max_deactivate_share: float = DEACTIVATE_SHARE,
) -> ImportReport:
    """Import a registry file (or records) as the full agency list of ``cycle_year``.

    Everything is validated first; on any error :class:`RegistryError` is raised carrying
    every issue and nothing is written. Otherwise new agencies are added, changed ones updated,
    agencies missing from the file (or marked inactive) deactivated and removed from the cycle,
    every active agency enrolled in the cycle, and each change recorded in the audit trail, all
    in the caller's transaction. Importing the same file twice changes nothing the second time.
    With ``dry_run`` the report says what would happen and nothing is written.

    Identity safety: a new code that equals an existing one without its leading zeros
    (``1005`` for ``01005``, as a spreadsheet program rewrites it) is refused
    (``code.zeros_lost``); and an import that would deactivate more than
    ``max_deactivate_share`` of the active agencies is refused (``deactivate.too_many``,
    naming them) unless ``allow_deactivate`` is at least their number.
    """
    with collector_paused():
        return _import_registry(
            session,
            path_or_records,
            cycle_year=cycle_year,
            actor=actor,
            dry_run=dry_run,
            sheet=sheet,
            limits=limits,
            on_progress=on_progress,
            allow_deactivate=allow_deactivate,
            max_deactivate_share=max_deactivate_share,
        )


def _import_registry(
    session: Session,
    path_or_records: str | Path | Iterable[AgencyRecord],
    *,
    cycle_year: int,
    actor: str,
    dry_run: bool = False,
    sheet: str | None = None,
    limits: ReadLimits | None = None,
    on_progress: Callable[[int], None] | None = None,
    allow_deactivate: int = 0,
    max_deactivate_share: float = DEACTIVATE_SHARE,
) -> ImportReport:
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
    ref_issues = check_references(result, {code: e.parent_code for code, e in existing.items()})
    ref_issues = [*ref_issues, *_lost_zeros(result, existing)]
    issues = (*result.issues, *ref_issues)
    if any(i.is_error for i in ref_issues):
        raise RegistryError(issues)

    added: list[_Incoming] = []
    changed: list[tuple[_Incoming, dict[str, tuple[Any, Any]]]] = []
    unchanged: list[str] = []
    in_file = {r.code for r in result.records}
    for record in result.records:
        incoming = _Incoming.of(record)
        old = existing.get(record.code)
        if old is None:
            added.append(incoming)
        elif incoming.same_as(old):
            unchanged.append(record.code)
        else:
            changed.append((incoming, incoming.changes(old)))
    absent = sorted(c for c, e in existing.items() if c not in in_file and e.active)

    enrolled_ids = set(
        session.scalars(select(CycleAgency.agency_id).where(CycleAgency.cycle_id == cycle.id))
    )
    code_of_id = {e.id: c for c, e in existing.items()}
    want_codes = {r.code for r in result.records if r.active}
    enrol = sorted(c for c in want_codes if c not in existing or existing[c].id not in enrolled_ids)
    unenrol = sorted(code_of_id[i] for i in enrolled_ids if code_of_id.get(i) not in want_codes)

    deactivated = [i.record.code for i, ch in changed if ch.get("active") == (True, False)]
    guard = _deactivation_guard(
        result, existing, [*deactivated, *absent], allow_deactivate, max_deactivate_share
    )
    if guard is not None:
        raise RegistryError([*issues, guard])
    report = ImportReport(
        cycle_year=cycle.year_be,
        added=tuple(i.record.code for i in added),
        changed=tuple(
            AgencyChange(i.record.code, ch)
            for i, ch in changed
            if ch.get("active") != (True, False)
        ),
        deactivated=(*deactivated, *absent),
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


def _lost_zeros(result: ReadResult, existing: Mapping[str, _Existing]) -> list[RegistryIssue]:
    """A new code (or parent code) that is an existing code without its leading zeros."""
    stripped: dict[str, str] = {}
    for known in existing:
        if known[:1] == "0" and known.lstrip("0"):
            stripped.setdefault(known.lstrip("0"), known)
    if not stripped:
        return []
    issues = []
    for index, record in enumerate(result.records):
        pairs: tuple[tuple[str, str | None], ...] = (
            ("code", record.code),
            ("parent_code", record.parent_code),
        )
        for field_name, code in pairs:
            if not code or code in existing or code not in stripped:
                continue
            letter = result.columns.get(field_name, ("", ""))[0]
            row = result.rows[index] if index < len(result.rows) else None
            issues.append(
                result.issue(
                    "code.zeros_lost",
                    index=index,
                    field=field_name,
                    value=code,
                    likely=stripped[code],
                    cell=f"{letter}{row}" if letter and row else "-",
                )
            )
    return issues


def _deactivation_guard(
    result: ReadResult,
    existing: Mapping[str, _Existing],
    codes: Sequence[str],
    allowed: int,
    share: float,
) -> RegistryIssue | None:
    """The ``deactivate.too_many`` issue when ``codes`` are more than ``share`` of the active
    agencies and more than ``allowed``; it names every agency (code and Thai name)."""
    total = sum(1 for e in existing.values() if e.active)
    if not codes or not total or len(codes) <= allowed or len(codes) <= share * total:
        return None
    names = "; ".join(f"{code} {existing[code].values[0]}" for code in codes)
    th, en = message(
        "deactivate.too_many",
        count=len(codes),
        total=total,
        share=len(codes) / total,
        limit=share,
        names=names,
    )
    return RegistryIssue("deactivate.too_many", th, en, file=result.file, sheet=result.sheet)


def _agency_row(record: AgencyRecord, **extra: Any) -> dict[str, Any]:
    return {
        **extra,
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


def _contact_row(c: ContactRecord, **extra: Any) -> dict[str, Any]:
    return {
        **extra,
        "role": c.role,
        "name": c.name,
        "title": c.title,
        "email": c.email,
        "phone": c.phone,
    }


def _apply(
    session: Session,
    cycle_id: int,
    cycle_year: int,
    actor: str,
    existing: dict[str, _Existing],
    added: list[_Incoming],
    changed: list[tuple[_Incoming, dict[str, tuple[Any, Any]]]],
    absent: list[str],
    enrol: list[str],
    unenrol: list[str],
) -> None:
    # Core statements with executemany throughout: no ORM objects, no unit-of-work flushes.
    now = utcnow()
    agency = _table(Agency)
    id_of = {code: e.id for code, e in existing.items()}

    if added:
        # Parents already in the database are set at once; a parent added by this same file
        # gets its id from the INSERT ... RETURNING and is set in one UPDATE pass afterwards.
        rows = [
            _agency_row(
                i.record,
                parent_id=id_of.get(i.record.parent_code) if i.record.parent_code else None,
                created_at=now,
                updated_at=now,
            )
            for i in added
        ]
        returning = insert(agency).returning(agency.c.id, agency.c.code)
        for chunk in _chunks(rows, _INSERT_CHUNK):
            id_of.update({code: agency_id for agency_id, code in session.execute(returning, chunk)})
        late_parents = [
            {"b_id": id_of[i.record.code], "b_parent_id": id_of[i.record.parent_code]}
            for i in added
            if i.record.parent_code and i.record.parent_code not in existing
        ]
        set_parent = (
            update(agency)
            .where(agency.c.id == bindparam("b_id"))
            .values(parent_id=bindparam("b_parent_id"))
        )
        for chunk in _chunks(late_parents):
            session.execute(set_parent, chunk)

    # Bound names differ from the column names: UPDATE ... WHERE id = :b_id, SET col = :b_col.
    updates = [
        {
            f"b_{k}": v
            for k, v in _agency_row(
                i.record,
                id=id_of[i.record.code],
                parent_id=id_of[i.record.parent_code] if i.record.parent_code else None,
            ).items()
        }
        for i, _ in changed
    ]
    if updates:
        set_all = (
            update(agency)
            .where(agency.c.id == bindparam("b_id"))
            .values({k[2:]: bindparam(k) for k in updates[0] if k != "b_id"} | {"updated_at": now})
        )
        for chunk in _chunks(updates):
            session.execute(set_all, chunk)
    for chunk in _chunks([existing[c].id for c in absent]):
        session.execute(
            update(agency).where(agency.c.id.in_(list(chunk))).values(active=False, updated_at=now)
        )

    _apply_contacts(session, existing, id_of, added, changed)

    cycle_agency = _table(CycleAgency)
    enrolments = [{"cycle_id": cycle_id, "agency_id": id_of[c], "enrolled_at": now} for c in enrol]
    for chunk in _chunks(enrolments, _INSERT_CHUNK):
        session.execute(insert(cycle_agency), chunk)
    for chunk in _chunks([id_of[c] for c in unenrol]):
        session.execute(
            delete(cycle_agency).where(
                cycle_agency.c.cycle_id == cycle_id, cycle_agency.c.agency_id.in_(list(chunk))
            )
        )

    def audit(action: str, entity: str, key: str, details: dict[str, Any]) -> AuditEntry:
        return AuditEntry(actor, action, entity, key, details, cycle_id, now)

    audits = [audit("create", "agency", i.record.code, i.created()) for i in added]
    for i, changes in changed:
        action = "deactivate" if changes.get("active") == (True, False) else "update"
        audits.append(
            audit(action, "agency", i.record.code, {k: list(v) for k, v in changes.items()})
        )
    audits += [
        audit(
            "deactivate",
            "agency",
            code,
            {"active": [True, False], "reason": ["", "absent from the registry file"]},
        )
        for code in absent
    ]
    if enrol or unenrol:
        audits.append(
            audit(
                "enrol",
                "cycle_agency",
                str(cycle_year),
                {"enrolled": enrol, "unenrolled": unenrol},
            )
        )
    record_audits(session, audits)


def _apply_contacts(
    session: Session,
    existing: dict[str, _Existing],
    id_of: Mapping[str, int],
    added: list[_Incoming],
    changed: list[tuple[_Incoming, dict[str, tuple[Any, Any]]]],
) -> None:
    contact = _table(Contact)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    deletes: list[int] = []
    for i in added:
        agency_id = id_of[i.record.code]
        inserts.extend(_contact_row(c, agency_id=agency_id) for c in i.contacts.values())
    for i, _ in changed:
        old = existing[i.record.code]
        for role in _SHEET_ROLE_VALUES:
            new = i.contacts.get(role)
            prior = old.contact_ids.get(role)
            if i.keys.get(role, _NO_CONTACT) == old.contacts.get(role, _NO_CONTACT):
                continue
            if new is None and prior is not None:
                deletes.append(prior)
            elif new is not None and prior is None:
                inserts.append(_contact_row(new, agency_id=old.id))
            elif new is not None and prior is not None:
                updates.append({f"b_{k}": v for k, v in _contact_row(new, id=prior).items()})
    for chunk in _chunks(inserts, _INSERT_CHUNK):
        session.execute(insert(contact), chunk)
    if updates:
        set_contact = (
            update(contact)
            .where(contact.c.id == bindparam("b_id"))
            .values({k: bindparam(f"b_{k}") for k in ("role", "name", "title", "email", "phone")})
        )
        for chunk in _chunks(updates):
            session.execute(set_contact, chunk)
    for chunk in _chunks(deletes):
        session.execute(delete(contact).where(contact.c.id.in_(list(chunk))))


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
        name_th, name_en, level, a_type, mission, ministry, province, parent, active = e.values
        contacts = tuple(
            ContactRecord(ContactRole(role), k[0] or "", k[1] or "", k[2], k[3])
            for role in _SHEET_ROLE_VALUES
            if (k := e.contacts.get(role)) is not None
        )
        out.append(
            AgencyRecord(
                code=code,
                name_th=name_th,
                level=AgencyLevel(level),
                name_en=name_en,
                agency_type=AgencyType(a_type) if a_type else None,
                mission=Mission(mission) if mission else None,
                ministry=ministry,
                province=province,
                parent_code=parent,
                active=active,
                contacts=contacts,
            )
        )
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
    "DEACTIVATE_SHARE",
    "AgencyChange",
    "ImportReport",
    "export_registry",
    "import_registry",
    "load_records",
]
