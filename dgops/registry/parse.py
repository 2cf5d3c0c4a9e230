"""Parsing a registry sheet's rows into validated :class:`AgencyRecord` objects.

The header row is matched to the registry's columns (Thai headers and aliases), then each data
row is cleaned and checked (codes, labels, provinces, contacts, e-mails, phones); rules across
rows (duplicate codes) follow. Every problem is collected, located at its row and column; nothing
here reads files (:mod:`dgops.tabular`) or the database.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

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

__all__ = [
    "CODE_PATTERN",
    "LEVELS_NEEDING_PROVINCE",
    "ParsedRows",
    "check_file_rules",
    "parse_rows",
]

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
_CODE_FIELDS = frozenset({"code", "parent_code"})
_HEADER_SEARCH_ROWS = 10
"""How many non-blank rows are looked at for the header (a title, a date, notes above it)."""
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


class ParsedRows(NamedTuple):
    """What :func:`parse_rows` found: the valid records, their row numbers, and the row
    number of the header (None when no row was taken as the header)."""

    records: list[AgencyRecord]
    numbers: list[int]
    header_row: int | None


def _known_headers(values: Sequence[Any]) -> int:
    return sum(
        1 for v in values if v is not None and str(v).strip() and match_header(clean_text(str(v)))
    )


def _find_header(
    it: Iterator[Row], ctx: IssueCollector
) -> tuple[int, Sequence[Any], list[Row]] | None:
    """The header row: the first of the first non-blank rows that names at least two known
    columns (title rows above it are skipped), else the first non-blank row. Returns it and
    the data rows already taken from ``it`` after it."""
    looked: list[Row] = []
    for number, values in it:
        if _is_blank(values):
            continue
        looked.append((number, values))
        if _known_headers(values) >= 2:
            if len(looked) > 1:
                ctx.add(
                    "header.below_title",
                    severity=Severity.INFO,
                    row=number,
                    header_row=number,
                    first=looked[0][0],
                    last=looked[-2][0],
                )
            return number, values, []
        if len(looked) >= _HEADER_SEARCH_ROWS:
            break
    if not looked:
        return None
    number, values = looked[0]
    return number, values, looked[1:]


def parse_rows(
    rows: Iterable[Row],
    ctx: IssueCollector,
    limits: ReadLimits,
    on_progress: Callable[[int], None] | None,
    *,
    formats: Mapping[tuple[int, int], str] | None = None,
) -> ParsedRows:
    """The valid records of ``rows`` and their row numbers; every problem goes to ``ctx``.

    The header is the first non-blank row naming known columns, looked for below title rows
    (:func:`_find_header`); blank rows are skipped; at most ``limits.max_rows`` data rows are
    read. ``formats`` (``(row, column) → number format`` of a workbook's numbers) lets a code
    that arrived as a number be refused with its likely original. ``on_progress`` gets the
    number of data rows read so far, every 500 rows and at the end.
    """
    it: Iterator[Row] = iter(rows)
    found = _find_header(it, ctx)
    if found is None:
        ctx.add("sheet.empty")
        return ParsedRows([], [], None)
    header_row, header_values, pending = found
    header = _map_headers(header_row, header_values, ctx)
    if header is None or ctx.has_errors:
        return ParsedRows([], [], header_row)
    if pending:
        it = itertools.chain(pending, it)
    formats = formats or {}
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
            if fname in _CODE_FIELDS and _is_number(raw):
                _refuse_number_code(number, i, fname, raw, formats.get((number, i)), ctx)
                bad = True
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
    return ParsedRows(records, numbers, header_row)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _refuse_number_code(
    row: int, index: int, fname: str, raw: Any, fmt: str | None, ctx: IssueCollector
) -> None:
    """A code that arrived as a number: a spreadsheet program turned the typed digits into a
    number and dropped any leading zeros (``01005`` → ``1005``). Refused with its cell, the
    value as stored and, when the cell's format pads with zeros (``00000``), the original."""
    typed = str(int(raw)) if float(raw).is_integer() else repr(raw)
    width = len(fmt) if fmt and set(fmt) == {"0"} else 0
    likely = typed.zfill(width) if width > len(typed) else None
    ctx.add(
        f"{fname}.number" if likely is None else f"{fname}.number_padded",
        row=row,
        column=column_letter(index),
        field=fname,
        cell=f"{column_letter(index)}{row}",
        value=typed,
        likely=likely,
    )


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
