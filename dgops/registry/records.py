"""The registry's exchange shape: one agency per row, with its contacts by role.

This is what the importer produces after validation, what the exporter writes, and what the
demo generator returns. Codes (not Thai labels) are used for level, type, mission and role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dgops.registry.models import AgencyLevel, AgencyType, ContactRole, Mission


@dataclass(frozen=True, slots=True)
class ContactRecord:
    role: ContactRole
    name: str = ""
    title: str = ""
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class AgencyRecord:
    code: str
    name_th: str
    level: AgencyLevel
    name_en: str | None = None
    agency_type: AgencyType | None = None
    mission: Mission | None = None
    ministry: str | None = None
    province: str | None = None
    parent_code: str | None = None
    active: bool = True
    contacts: tuple[ContactRecord, ...] = field(default=())

    def contact(self, role: ContactRole) -> ContactRecord | None:
        """The first contact in ``role``, if any."""
        return next((c for c in self.contacts if c.role is role), None)


# Contact roles that have columns in the spreadsheet, in column order.
SHEET_ROLES: tuple[ContactRole, ...] = (
    ContactRole.HEAD,
    ContactRole.CIO,
    ContactRole.DCIO,
    ContactRole.COORDINATOR,
    ContactRole.BACKUP,
)
CONTACT_FIELDS: tuple[str, ...] = ("name", "title", "email", "phone")
