"""The registry's columns: canonical field names, Thai headers and accepted aliases."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dgops.registry.models import ContactRole
from dgops.registry.records import CONTACT_FIELDS, SHEET_ROLES
from dgops.registry.reference import ROLE_LABELS_TH


@dataclass(frozen=True, slots=True)
class Column:
    field: str
    """Canonical English header, e.g. ``head_email``."""
    header_th: str
    aliases: tuple[str, ...] = ()
    role: ContactRole | None = None
    contact_field: str | None = None


_CONTACT_FIELD_TH = {"name": "ชื่อ", "title": "ตำแหน่ง", "email": "อีเมล", "phone": "โทรศัพท์"}
_CONTACT_FIELD_ALIASES = {
    "name": ("ชื่อ-นามสกุล", "ชื่อ นามสกุล", "fullname", "full name"),
    "title": ("position", "ตำแหน่งงาน"),
    "email": ("e-mail", "mail", "อีเมล์", "อี-เมล", "e-mail address"),
    "phone": ("tel", "telephone", "โทร", "เบอร์โทรศัพท์", "หมายเลขโทรศัพท์", "เบอร์โทร"),
}
# Short names of roles that operators write in headers ("CIO: อีเมล").
_ROLE_ALIASES: dict[ContactRole, tuple[str, ...]] = {
    ContactRole.HEAD: ("ผู้บริหารสูงสุด", "หัวหน้าส่วนราชการ", "head of agency"),
    ContactRole.CIO: ("CIO",),
    ContactRole.DCIO: ("DCIO",),
    ContactRole.COORDINATOR: ("ผู้ประสาน", "contact"),
    ContactRole.BACKUP: ("ผู้ประสานงานสำรอง", "ผู้ประสานสำรอง", "backup contact"),
}

AGENCY_COLUMNS: tuple[Column, ...] = (
    Column("code", "รหัสหน่วยงาน", ("agency_code", "รหัส", "agency code", "id")),
    Column("name_th", "ชื่อหน่วยงาน (ภาษาไทย)", ("ชื่อหน่วยงาน", "ชื่อภาษาไทย", "name", "ชื่อ")),
    Column("name_en", "ชื่อหน่วยงาน (ภาษาอังกฤษ)", ("ชื่อภาษาอังกฤษ", "english name")),
    Column("level", "ระดับหน่วยงาน", ("ระดับ", "agency_level")),
    Column("agency_type", "ประเภทหน่วยงาน", ("type", "ประเภท")),
    Column("mission", "ภารกิจ", ("ภารกิจหลัก", "ประเภทภารกิจ")),
    Column("ministry", "สังกัดกระทรวง", ("กระทรวง", "สังกัด")),
    Column("province", "จังหวัด", ("changwat",)),
    Column("parent_code", "รหัสหน่วยงานต้นสังกัด", ("parent", "ต้นสังกัด", "รหัสต้นสังกัด")),
    Column("active", "สถานะ", ("status", "สถานะการใช้งาน", "ใช้งาน", "is_active")),
)


def _contact_columns() -> tuple[Column, ...]:
    out = []
    for role in SHEET_ROLES:
        role_th = ROLE_LABELS_TH[role]
        role_names = (role_th, role.value, *_ROLE_ALIASES.get(role, ()))
        for f in CONTACT_FIELDS:
            field_th = _CONTACT_FIELD_TH[f]
            field_names = (f, field_th, *_CONTACT_FIELD_ALIASES[f])
            aliases = tuple(f"{r} {n}" for r in role_names for n in field_names)
            out.append(Column(f"{role.value}_{f}", f"{role_th}: {field_th}", aliases, role, f))
    return tuple(out)


CONTACT_COLUMNS: tuple[Column, ...] = _contact_columns()
ALL_COLUMNS: tuple[Column, ...] = AGENCY_COLUMNS + CONTACT_COLUMNS
COLUMN_BY_FIELD: dict[str, Column] = {c.field: c for c in ALL_COLUMNS}
REQUIRED_FIELDS: tuple[str, ...] = ("code", "name_th", "level", "head_title")

_PUNCT = re.compile(r"[\s_\-:.()\[\]/\\*]+")


def header_key(text: str) -> str:
    """A header reduced for matching: NFKC (headers are short), case-folded, no punctuation.

    ``"หัวหน้าหน่วยงาน: ชื่อ"``, ``"head_name"`` and ``"Head Name "`` become comparable keys.
    Thai sara am survives NFKC decomposition because both sides are decomposed alike.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("\u200b", "").replace("\ufeff", "")
    return _PUNCT.sub("", text)


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for col in ALL_COLUMNS:
        for name in (col.field, col.header_th, *col.aliases):
            index.setdefault(header_key(name), col.field)
    return index


HEADER_INDEX: dict[str, str] = _build_index()


def match_header(text: str) -> str | None:
    """The canonical field a header names, or None if it is not a registry column."""
    return HEADER_INDEX.get(header_key(text))
