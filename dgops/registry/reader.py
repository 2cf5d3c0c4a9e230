"""Reading a registry file (XLSX or CSV) into validated :class:`AgencyRecord` objects.

Every check runs before anything is returned, and every problem is collected rather than the
first one raised, so the operator can fix the whole file in one pass. Nothing here touches the
database; references to agencies outside the file are checked by :func:`check_references`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dgops.registry import reference as ref
from dgops.registry._collector import collector_paused
from dgops.registry.columns import (
    COLUMN_BY_FIELD,
    CONTACT_COLUMNS,
    REQUIRED_FIELDS,
    column_letter,
    match_header,
)
from dgops.registry.guards import xlsx_container_problem
from dgops.registry.issues import RegistryError, RegistryIssue, Severity
from dgops.registry.messages import message
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

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
LEVELS_NEEDING_PROVINCE = frozenset(
    {AgencyLevel.PROVINCIAL_OFFICE, AgencyLevel.PROVINCIAL_CIO, AgencyLevel.LOCAL_GOVERNMENT}
)
SHEET_NAME_HINTS = ("registry", "ทะเบียน")

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


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Guards applied before a file is parsed; all configurable."""

    max_bytes: int = 20 * 1024 * 1024
    """Largest file accepted (checked before parsing)."""
    max_uncompressed_bytes: int = 400 * 1024 * 1024
    """Largest total uncompressed size of an XLSX's parts (zip-bomb guard)."""
    max_compression_ratio: float = 100.0
    """Largest uncompressed/compressed ratio of any XLSX part over 1 MB (zip-bomb guard)."""
    max_rows: int = 100_000
    """Most data rows read from one sheet."""


@dataclass(frozen=True, slots=True)
class ReadResult:
    """What :func:`read_registry` found: the records and every issue.

    ``rows[i]`` is the sheet row of ``records[i]``; ``columns`` maps each field present in the
    file to its column letter and header text, so later checks can point at cells too.
    """

    file: str
    sheet: str | None
    records: tuple[AgencyRecord, ...]
    rows: tuple[int, ...]
    columns: Mapping[str, tuple[str, str]]
    issues: tuple[RegistryIssue, ...]
    encoding: str | None = None

    @property
    def errors(self) -> tuple[RegistryIssue, ...]:
        return tuple(i for i in self.issues if i.is_error)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, Any]:
        """What was read, as counts only (no rows: safe for logs and XCom): ``records``,
        ``warnings`` and ``by_level`` (records per agency level code)."""
        return {
            "records": len(self.records),
            "warnings": sum(1 for i in self.issues if i.severity is Severity.WARNING),
            "by_level": dict(Counter(str(record.level) for record in self.records)),
        }

    def raise_for_errors(self) -> None:
        """Raise :class:`RegistryError` with every issue if any of them is an error."""
        if self.errors:
            raise RegistryError(self.issues)

    def issue(
        self,
        code: str,
        *,
        index: int | None = None,
        field: str | None = None,
        severity: Severity = Severity.ERROR,
        **params: Any,
    ) -> RegistryIssue:
        """An issue about ``records[index]`` (and ``field``), located in the source file."""
        letter, header = self.columns.get(field, (None, None)) if field else (None, None)
        th, en = message(code, **params)
        return RegistryIssue(
            code=code,
            message_th=th,
            message_en=en,
            severity=severity,
            file=self.file,
            sheet=self.sheet,
            row=self.rows[index] if index is not None and index < len(self.rows) else None,
            column=letter,
            field=field,
            header=header,
        )


@dataclass
class _Ctx:
    file: str
    sheet: str | None = None
    issues: list[RegistryIssue] = field(default_factory=list)
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)
    errors: int = 0

    def add(
        self,
        code: str,
        *,
        row: int | None = None,
        column: str | None = None,
        field: str | None = None,
        header: str | None = None,
        severity: Severity = Severity.ERROR,
        **params: Any,
    ) -> None:
        if field and column is None and field in self.columns:
            column, header = self.columns[field]
        th, en = message(code, header=header, **params)
        self.issues.append(
            RegistryIssue(code, th, en, severity, self.file, self.sheet, row, column, field, header)
        )
        if severity is Severity.ERROR:
            self.errors += 1

    @property
    def has_errors(self) -> bool:
        return self.errors > 0


# --- public entry point ---------------------------------------------------------------------


def read_registry(
    path: str | Path,
    *,
    sheet: str | None = None,
    limits: ReadLimits | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ReadResult:
    """Read and validate a registry file (``.xlsx`` or ``.csv``); never raises on bad input.

    Returns the records of the rows that are valid and every issue found (errors, warnings and
    notes such as the sheet or encoding used). ``on_progress`` is called with the number of rows
    read so far, every 500 rows. Check ``result.ok`` or call ``result.raise_for_errors()``.
    """
    with collector_paused():
        return _read_registry(Path(path), sheet, limits or ReadLimits(), on_progress)


def _read_registry(
    path: Path,
    sheet: str | None,
    limits: ReadLimits,
    on_progress: Callable[[int], None] | None,
) -> ReadResult:
    ctx = _Ctx(file=path.name)
    rows = _load_rows(path, ctx, sheet, limits)
    encoding = getattr(rows, "encoding", None)
    if rows is None or ctx.has_errors:
        return _result(ctx, (), (), encoding)
    records, row_numbers = _parse_rows(rows, ctx, limits, on_progress)
    if not ctx.has_errors:
        _check_file_rules(records, row_numbers, ctx)
    return _result(ctx, records, row_numbers, encoding)


def _result(
    ctx: _Ctx, records: Sequence[AgencyRecord], rows: Sequence[int], encoding: str | None
) -> ReadResult:
    return ReadResult(
        file=ctx.file,
        sheet=ctx.sheet,
        records=tuple(records),
        rows=tuple(rows),
        columns=dict(ctx.columns),
        issues=tuple(ctx.issues),
        encoding=encoding,
    )


class _Rows(list[tuple[int, Sequence[Any]]]):
    """Sheet rows as ``(row number, cell values)``; knows the text encoding of a CSV."""

    encoding: str | None = None


# --- file level: size, format, zip safety, macros ----------------------------------------------


def _load_rows(path: Path, ctx: _Ctx, sheet: str | None, limits: ReadLimits) -> _Rows | None:
    if not path.is_file():
        ctx.add("file.missing")
        return None
    size = path.stat().st_size
    if size == 0:
        ctx.add("file.empty")
        return None
    if size > limits.max_bytes:
        ctx.add("file.too_large", size_mb=size / 2**20, limit_mb=limits.max_bytes / 2**20)
        return None
    suffix = path.suffix.lower()
    if suffix in {".xlsm", ".xltm", ".xlsb"}:
        ctx.add("xlsx.macro")
        return None
    if suffix == ".xls":
        ctx.add("xlsx.legacy")
        return None
    if suffix in {".xlsx", ".xltx"}:
        return _xlsx_rows(path, ctx, sheet, limits)
    if suffix in {".csv", ".txt", ".tsv"}:
        return _csv_rows(path.read_bytes(), ctx)
    ctx.add("file.unknown_type", suffix=suffix or "(none)")
    return None


def _check_zip(path: Path, ctx: _Ctx, limits: ReadLimits) -> bool:
    problem = xlsx_container_problem(path, limits)
    if problem is None:
        return True
    code, detail = problem
    if detail:
        ctx.add(f"xlsx.{code}", detail=detail)
    else:
        ctx.add(f"xlsx.{code}")
    return False


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+\d+))?"')
_FORMULA = re.compile(
    rb'<(?:\w+:)?c\s+r="([A-Z]+)(\d+)"[^>]*>\s*<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>([^<]*)<)'
)


def _may_have_formulas(xml: bytes) -> bool:
    """A cheap pre-check before the full formula scan: False only when no cell can hold a
    formula (no ``<f`` tag before the end of the cell data, in a sheet without a namespace
    prefix); the common case of a plain sheet is decided without running the regex."""
    if xml.find(b"<sheetData") < 0:
        return True  # prefixed tags (<x:sheetData>): let the regex decide
    return xml.find(b"<f", 0, xml.rfind(b"sheetData>")) >= 0


def _choose_sheet(names: Sequence[str], wanted: str | None, ctx: _Ctx) -> str | None:
    if wanted is not None:
        if wanted in names:
            return wanted
        ctx.add("sheet.missing", sheet_name=wanted, sheets=", ".join(names))
        return None
    chosen = next((n for n in names if any(h in n.casefold() for h in SHEET_NAME_HINTS)), names[0])
    ctx.sheet = chosen
    if len(names) > 1:
        ctx.add("sheet.chosen", severity=Severity.INFO, sheet_name=chosen, sheets=", ".join(names))
    return chosen


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part in the archive (from workbook.xml and its relationships)."""
    from xml.etree import ElementTree as ET

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    ns_pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"

    def parse(name: str) -> ET.Element:
        data = zf.read(name)
        # OOXML parts never carry a DTD; refusing one rules out entity-expansion attacks.
        if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
            raise SyntaxError("DTD in a workbook part")
        return ET.fromstring(data)  # noqa: S314 - small part, no DTD, size already capped

    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in parse("xl/_rels/workbook.xml.rels").iter(f"{ns_pkg}Relationship")
    }
    parts: dict[str, str] = {}
    for node in parse("xl/workbook.xml").iter(f"{ns_main}sheet"):
        target = targets.get(node.get(f"{ns_rel}id"), "")
        if target:
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            parts[node.get("name", "")] = path
    return parts


def _xlsx_rows(path: Path, ctx: _Ctx, sheet: str | None, limits: ReadLimits) -> _Rows | None:
    # Values come from calamine (Rust, ~10x faster than openpyxl); formulas and merged cells,
    # which calamine does not report, are found by scanning the sheet's XML directly.
    if not _check_zip(path, ctx, limits):
        return None
    from python_calamine import CalamineWorkbook

    try:
        with zipfile.ZipFile(path) as zf:
            parts = _sheet_parts(zf)
            names = list(parts)
            if not names:
                ctx.add("sheet.empty")
                return None
            chosen = _choose_sheet(names, sheet, ctx)
            if chosen is None:
                return None
            xml = zf.read(parts[chosen])
    except (KeyError, zipfile.BadZipFile, SyntaxError, OSError):
        ctx.add("xlsx.not_workbook")
        return None
    if b"<sheetData" not in xml and b":sheetData" not in xml:  # a chartsheet has no cells
        ctx.add("sheet.empty")
        return None
    for m in _MERGE.finditer(xml) if b"mergeCell" in xml else ():
        ref_ = m.group(1).decode() + m.group(2).decode()
        if m.group(3):
            ref_ += ":" + m.group(3).decode()
        ctx.add("cell.merged", row=int(m.group(2)), column=m.group(1).decode(), ref=ref_)
    for m in _FORMULA.finditer(xml) if _may_have_formulas(xml) else ():
        col, row_no = m.group(1).decode(), int(m.group(2))
        text = (m.group(3) or b"").decode("utf-8", "replace")
        ctx.add(
            "cell.formula",
            row=row_no,
            column=col,
            cell=f"{col}{row_no}",
            formula=("=" + text) if text else "(shared formula)",
        )
    del xml
    if ctx.has_errors:
        return None
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        values = workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types on damaged parts
        ctx.add("xlsx.unreadable", detail=type(exc).__name__)
        return None
    if len(values) > limits.max_rows + 1:
        ctx.add("sheet.too_many_rows", limit=limits.max_rows)
        return None
    out = _Rows()
    out.extend(enumerate(values, start=1))
    return out


def _decode(data: bytes, ctx: _Ctx) -> tuple[str, str] | None:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp874")
    except UnicodeDecodeError:
        ctx.add("csv.encoding")
        return None
    ctx.add("csv.cp874", severity=Severity.INFO)
    return text, "cp874"


def _csv_rows(data: bytes, ctx: _Ctx) -> _Rows | None:
    if data.startswith(b"PK\x03\x04"):
        ctx.add("csv.is_zip")
        return None
    try:
        decoded = _decode(data, ctx)
    except UnicodeDecodeError:
        ctx.add("csv.encoding")
        return None
    if decoded is None:
        return None
    text, encoding = decoded
    if "\x00" in text:
        ctx.add("csv.binary")
        return None
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    out = _Rows()
    out.encoding = encoding
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        for number, values in enumerate(reader, start=1):
            out.append((number, values))
    except csv.Error as exc:
        ctx.add("csv.malformed", row=len(out) + 1, detail=str(exc))
        return None
    return out


# --- rows → records -------------------------------------------------------------------------


def _is_blank(values: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not clean_text(v)) for v in values)


def _map_headers(number: int, values: Sequence[Any], ctx: _Ctx) -> dict[int, str] | None:
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


def _parse_rows(
    rows: _Rows,
    ctx: _Ctx,
    limits: ReadLimits,
    on_progress: Callable[[int], None] | None,
) -> tuple[list[AgencyRecord], list[int]]:
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
    cells: Mapping[str, str], fname: str, index: Mapping[str, Any], row: int, ctx: _Ctx
) -> Any:
    text = cells.get(fname, "")
    if not text:
        return None
    found = index.get(label_key(text))
    if found is None:
        ctx.add(f"{fname}.unknown", row=row, field=fname, value=text)
    return found


def _build_record(cells: Mapping[str, str], row: int, ctx: _Ctx) -> AgencyRecord | None:
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
    cells: Mapping[str, str], row: int, ctx: _Ctx, active: bool
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


def _check_file_rules(records: Sequence[AgencyRecord], rows: Sequence[int], ctx: _Ctx) -> None:
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


def check_references(
    result: ReadResult, existing_parents: Mapping[str, str | None]
) -> list[RegistryIssue]:
    """Parent codes must name an agency in the file or in ``existing_parents`` (code → parent
    code of agencies already in the database), and parents must not form a cycle."""
    issues: list[RegistryIssue] = []
    in_file = {r.code: i for i, r in enumerate(result.records)}
    parent_of: dict[str, str | None] = dict(existing_parents)
    parent_of.update({r.code: r.parent_code for r in result.records})
    for i, record in enumerate(result.records):
        parent = record.parent_code
        if parent is None:
            continue
        if parent == record.code:
            issues.append(result.issue("parent.self", index=i, field="parent_code", value=parent))
        elif parent not in in_file and parent not in existing_parents:
            issues.append(
                result.issue("parent.unknown", index=i, field="parent_code", value=parent)
            )
        elif parent not in in_file:
            issues.append(
                result.issue(
                    "parent.outside_file",
                    index=i,
                    field="parent_code",
                    value=parent,
                    severity=Severity.WARNING,
                )
            )
        elif not result.records[in_file[parent]].active and record.active:
            issues.append(
                result.issue(
                    "parent.inactive",
                    index=i,
                    field="parent_code",
                    value=parent,
                    severity=Severity.WARNING,
                )
            )
    # Cycles: walk up from every agency in the file; a walk that meets itself is a cycle.
    reported: set[str] = set()
    for i, record in enumerate(result.records):
        seen: list[str] = []
        code: str | None = record.code
        while code is not None and code not in seen and len(seen) <= len(parent_of):
            seen.append(code)
            code = parent_of.get(code)
        if code == record.code and record.parent_code != record.code:
            loop = seen
            if not reported.intersection(loop):
                reported.update(loop)
                issues.append(
                    result.issue(
                        "parent.cycle",
                        index=i,
                        field="parent_code",
                        chain=" → ".join([*loop, record.code]),
                    )
                )
    return issues


def read_records(records: Iterable[AgencyRecord], *, source: str = "<records>") -> ReadResult:
    """Validate records built in code (the demo generator's) with exactly the file rules.

    Each record is laid out as a sheet row (row 2 onwards, English headers in row 1) and read
    back, so issues point at the row and column the record would occupy in an export.
    """
    from dgops.registry.writer import header_row, record_row

    ctx = _Ctx(file=source)
    rows = _Rows()
    rows.append((1, header_row("en")))
    for number, record in enumerate(records, start=2):
        rows.append((number, record_row(record)))
    parsed, numbers = _parse_rows(rows, ctx, ReadLimits(max_rows=10**9), None)
    if not ctx.has_errors:
        _check_file_rules(parsed, numbers, ctx)
    return _result(ctx, parsed, numbers, None)
