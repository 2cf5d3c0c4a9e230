"""Parsing a registry sheet's rows into validated :class:`AgencyRecord` objects.

The header row is matched to the registry's columns (Thai headers and aliases), then each data
row is cleaned and checked (codes, labels, provinces, contacts, e-mails, phones); rules across
rows (duplicate codes) follow. Every problem is collected, located at its row and column; nothing
here reads files (:mod:`dgops.tabular`) or the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from dgops.registry import reference as ref
from dgops.registry.columns import COLUMN_BY_FIELD, CONTACT_COLUMNS, REQUIRED_FIELDS, match_header
from dgops.registry.issues import Severity
from dgops.registry.models import AgencyLevel, AgencyType, ContactRole, Mission
from dgops.registry.normalise import (
    ALREADY_CLEAN,
    PhoneError,
    build_choice_index,
    clean_text,
    label_key,
    normalise_email,
    normalise_phone,
    parse_active,
    phone_from_number,
)
from dgops.registry.records import SHEET_ROLES, AgencyRecord, ContactRecord
from dgops.registry.result import IssueCollector
from dgops.tabular import ReadLimits, Row, column_letter

__all__ = ["CODE_PATTERN", "LEVELS_NEEDING_PROVINCE", "check_file_rules", "parse_rows"]

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
LEVELS_NEEDING_PROVINCE = frozenset(
    {AgencyLevel.PROVINCIAL_OFFICE, AgencyLevel.PROVINCIAL_CIO, AgencyLevel.LOCAL_GOVERNMENT}
)

_LEVELS = build_choice_index(AgencyLevel, ref.LEVEL_LABELS_TH)
_TYPES = build_choice_index(AgencyType, ref.TYPE_LABELS_TH)
_MISSIONS = build_choice_index(Mission, ref.MISSION_LABELS_TH)
_MINISTRIES = {label_key(m): m for m in ref.MINISTRIES} | {
    label_key("ไม่สังกัด"): ref.NO_MINISTRY,
    label_key("-"): ref.NO_MINISTRY,
}
_PROVINCES = {label_key(p): p for p in ref.ALL_PROVINCES} | {
    label_key(a): ref.BANGKOK for a in ("กทม", "กทม.", "กรุงเทพ", "กรุงเทพฯ", "bangkok")
}
_MAX_LENGTH = {"name_th": 300, "name_en": 300, "name": 200, "title": 300}
_PROVINCE_PREFIX = re.compile(r"^(จังหวัด|จ\.)")
# Per sheet role: the role and its name, title, email and phone field names.
_ROLE_FIELDS: tuple[tuple[ContactRole, str, str, str, str], ...] = tuple(
    (
        role,
        f"{role.value}_name",
        f"{role.value}_title",
        f"{role.value}_email",
        f"{role.value}_phone",
    )
    for role in SHEET_ROLES
)
_EMAIL_FIELDS = tuple(c.field for c in CONTACT_COLUMNS if c.contact_field == "email")


def _is_blank(values: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not clean_text(v)) for v in values)


def _map_headers(number: int, values: Sequence[Any], ctx: IssueCollector) -> dict[int, str] | None:
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    for i, raw in enumerate(values):
        text = clean_text(str(raw)) if raw is not None else ""
        if not text:
            continue
        letter = column_letter(i)
        fname = match_header(text)
        if fname is None:
            ctx.add(
                "header.unknown", row=number, column=letter, header=text, severity=Severity.WARNING
            )
            continue
        if fname in seen:
            ctx.add(
                "header.duplicate",
                row=number,
                column=letter,
                header=text,
                field=fname,
                other=seen[fname],
            )
            continue
        seen[fname] = letter
        mapping[i] = fname
        ctx.columns[fname] = (letter, text)
    if not mapping:
        ctx.add("header.none", row=number)
        return None
    for fname in REQUIRED_FIELDS:
        if fname not in ctx.columns:
            col = COLUMN_BY_FIELD[fname]
            ctx.add("header.missing", row=number, field=fname, header=col.header_th)
    return mapping


def _cell_text(value: Any, fname: str) -> str:
    if value is None or value == "":
        return ""
    if type(value) is str:
        return clean_text(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        if fname.endswith("_phone"):
            return phone_from_number(value)
        if isinstance(value, float) and not value.is_integer():
            return repr(value)
        return str(int(value))
    if isinstance(value, dt.date | dt.datetime | dt.time | dt.timedelta):
        raise TypeError("date")
    return clean_text(str(value))


def parse_rows(
    rows: Iterable[Row],
    ctx: IssueCollector,
    limits: ReadLimits,
    on_progress: Callable[[int], None] | None,
) -> tuple[list[AgencyRecord], list[int]]:
    """The valid records of ``rows`` and their row numbers; every problem goes to ``ctx``.

    The first non-blank row is the header; blank rows are skipped; at most
    ``limits.max_rows`` data rows are read. ``on_progress`` gets the number of data rows read
    so far, every 500 rows and at the end.
    """
    it: Iterator[tuple[int, Sequence[Any]]] = iter(rows)
    header: dict[int, str] | None = None
    for number, values in it:
        if not _is_blank(values):
            header = _map_headers(number, values, ctx)
            break
    else:
        ctx.add("sheet.empty")
        return [], []
    if header is None or ctx.has_errors:
        return [], []
    records: list[AgencyRecord] = []
    numbers: list[int] = []
    seen_rows = 0
    columns = tuple(header.items())
    width = max(header) + 1
    already_clean = ALREADY_CLEAN.fullmatch
    for number, values in it:
        if _is_blank(values):
            continue
        seen_rows += 1
        if seen_rows > limits.max_rows:
            ctx.add("sheet.too_many_rows", limit=limits.max_rows)
            break
        if on_progress is not None and seen_rows % 500 == 0:
            on_progress(seen_rows)
        if len(values) < width:
            values = [*values, *([None] * (width - len(values)))]
        cells: dict[str, str] = {}
        bad = False
        for i, fname in columns:
            raw = values[i]
            # Most cells are empty or text that needs no cleaning: decided here without a
            # call. Empty cells are left out; every reader of ``cells`` defaults to "".
            if type(raw) is str and (not raw or already_clean(raw) is not None):
                if raw:
                    cells[fname] = raw
                continue
            try:
                cells[fname] = _cell_text(raw, fname)
            except TypeError:
                ctx.add("cell.date", row=number, field=fname, value=str(raw))
                bad = True
        record = _build_record(cells, number, ctx)
        if record is not None and not bad:
            records.append(record)
            numbers.append(number)
    if on_progress is not None:
        on_progress(seen_rows)
    if seen_rows == 0:
        ctx.add("sheet.no_data")
    return records, numbers


def _choice(
    cells: Mapping[str, str], fname: str, index: Mapping[str, Any], row: int, ctx: IssueCollector
) -> Any:
    text = cells.get(fname, "")
    if not text:
        return None
    found = index.get(label_key(text))
    if found is None:
        ctx.add(f"{fname}.unknown", row=row, field=fname, value=text)
    return found


def _build_record(cells: Mapping[str, str], row: int, ctx: IssueCollector) -> AgencyRecord | None:
    before = ctx.errors
    code = cells.get("code", "")
    if not code:
        ctx.add("code.missing", row=row, field="code")
    elif not CODE_PATTERN.match(code):
        ctx.add("code.pattern", row=row, field="code", value=code)
    name_th = cells.get("name_th", "")
    if not name_th:
        ctx.add("name_th.missing", row=row, field="name_th")
    for fname in ("name_th", "name_en"):
        if len(cells.get(fname, "")) > _MAX_LENGTH[fname]:
            ctx.add("value.too_long", row=row, field=fname, limit=_MAX_LENGTH[fname])
    level = _choice(cells, "level", _LEVELS, row, ctx)
    if not cells.get("level"):
        ctx.add("level.missing", row=row, field="level")
    agency_type = _choice(cells, "agency_type", _TYPES, row, ctx)
    mission = _choice(cells, "mission", _MISSIONS, row, ctx)
    ministry = _choice(cells, "ministry", _MINISTRIES, row, ctx)
    province_text = cells.get("province", "")
    province = (
        _PROVINCES.get(label_key(_PROVINCE_PREFIX.sub("", province_text)))
        if province_text
        else None
    )
    if province_text and province is None:
        ctx.add("province.unknown", row=row, field="province", value=province_text)
    active = True
    if cells.get("active"):
        parsed = parse_active(cells["active"])
        if parsed is None:
            ctx.add("active.unknown", row=row, field="active", value=cells["active"])
        else:
            active = parsed
    parent_code = cells.get("parent_code") or None
    if parent_code is not None and not CODE_PATTERN.match(parent_code):
        ctx.add("parent.pattern", row=row, field="parent_code", value=parent_code)
    if level is AgencyLevel.DEPARTMENT:
        if agency_type is None and not cells.get("agency_type"):
            ctx.add("agency_type.required", row=row, field="agency_type")
        if mission is None and not cells.get("mission"):
            ctx.add("mission.required", row=row, field="mission")
        if ministry is None and not cells.get("ministry"):
            ctx.add("ministry.required", row=row, field="ministry")
    if level in LEVELS_NEEDING_PROVINCE and not province_text:
        ctx.add("province.required", row=row, field="province", level=ref.LEVEL_LABELS_TH[level])
    contacts = _build_contacts(cells, row, ctx, active)
    if ctx.errors > before or level is None:
        return None
    return AgencyRecord(
        code=code,
        name_th=name_th,
        level=level,
        name_en=cells.get("name_en") or None,
        agency_type=agency_type,
        mission=mission,
        ministry=ministry,
        province=province,
        parent_code=parent_code,
        active=active,
        contacts=contacts,
    )


def _build_contacts(
    cells: Mapping[str, str], row: int, ctx: IssueCollector, active: bool
) -> tuple[ContactRecord, ...]:
    contacts: list[ContactRecord] = []
    for role, name_f, title_f, email_f, phone_f in _ROLE_FIELDS:
        name = cells.get(name_f, "")
        title = cells.get(title_f, "")
        email_text = cells.get(email_f, "")
        phone_text = cells.get(phone_f, "")
        if not (name or title or email_text or phone_text):
            continue
        email: str | None = None
        phone: str | None = None
        if email_text:
            try:
                email = normalise_email(email_text)
            except ValueError as exc:
                ctx.add(
                    "email.invalid",
                    row=row,
                    field=email_f,
                    value=email_text,
                    detail=str(exc),
                )
        if phone_text:
            try:
                phone = normalise_phone(phone_text)
            except PhoneError:
                ctx.add("phone.invalid", row=row, field=phone_f, value=phone_text)
        if len(name) > _MAX_LENGTH["name"]:
            ctx.add("value.too_long", row=row, field=name_f, limit=_MAX_LENGTH["name"])
        if len(title) > _MAX_LENGTH["title"]:
            ctx.add("value.too_long", row=row, field=title_f, limit=_MAX_LENGTH["title"])
        contacts.append(ContactRecord(role, name, title, email, phone))
    if active:
        head = contacts[0] if contacts and contacts[0].role is ContactRole.HEAD else None
        if head is None or not head.title:
            ctx.add("head.required", row=row, field="head_title")
        elif not head.name:
            ctx.add("head.no_name", row=row, field="head_name", severity=Severity.WARNING)
        if not any(map(cells.get, _EMAIL_FIELDS)):
            email_fields = [
                c.field
                for c in CONTACT_COLUMNS
                if c.contact_field == "email" and c.field in ctx.columns
            ]
            ctx.add("email.none", row=row, field=email_fields[0] if email_fields else None)
    return tuple(contacts)


# --- rules across rows ----------------------------------------------------------------------


def check_file_rules(
    records: Sequence[AgencyRecord], rows: Sequence[int], ctx: IssueCollector
) -> None:
    """Rules across rows of the file: each code appears once (later rows are reported)."""
    first_row: dict[str, int] = {}
    for record, row in zip(records, rows, strict=True):
        if record.code in first_row:
            ctx.add(
                "code.duplicate",
                row=row,
                field="code",
                value=record.code,
                other_row=first_row[record.code],
            )
        else:
            first_row[record.code] = row
