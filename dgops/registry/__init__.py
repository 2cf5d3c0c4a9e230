"""The agency registry: import from XLSX/CSV with full validation, upsert, and export.

Typical use::

    result = read_registry("registry.xlsx")          # never raises on bad input
    for issue in result.issues: print(issue.format())
    with db.begin() as session:
        report = import_registry(session, "registry.xlsx", cycle_year=2566, actor="somchai")
        export_registry(session, "registry-2566.xlsx", cycle_year=2566)

Decisions worth knowing (issue codes in ``messages.py``):

- An active agency without any contact e-mail is an **error** (``email.none``): invitations go
  by e-mail, and an agency that cannot be invited should not be enrolled silently. Inactive
  agencies are exempt.
- The head's *title* is required (``head.required``): it is the letter's salutation (เรียน ...).
  A missing head *name* (a vacant post) is only a warning.
- Thai digits, zero-width and no-break spaces and full-width forms are normalised everywhere,
  names included; Thai text itself is never NFKC-normalised (it would split sara am).
- Unknown columns are warnings; the sheet and encoding used are reported as ``info`` issues.
- Formulas and merged cells are refused from the header row down (title rows above the header
  may be merged); values must be literal. Every problem of a file is reported in one pass.
- Hidden sheets are never read unless named (``--sheet``); two sheets that could be the
  registry is an error naming both. The header is looked for below title rows.
- Identity safety: a code stored as a number (a spreadsheet dropped its leading zeros) is
  refused with its cell and, when the cell's format shows it, the original; a new code equal
  to an existing one without its leading zeros is refused; an import that would deactivate
  more than ``DEACTIVATE_SHARE`` of the active agencies needs ``allow_deactivate``.
- Phones follow the Thai convention: Bangkok landlines ``02-XXX-XXXX``, other landlines
  ``0XX-XXX-XXX`` (two-digit area code), mobiles ``0XX-XXX-XXXX`` (06, 08, 09); ``+66`` becomes
  ``0``, a leading zero Excel dropped is restored, extensions are written ``ต่อ 123``.
- Speed (``python -m bench.bench_registry``): the import loads existing rows as plain column
  values, compares unchanged rows as tuples, writes with Core executemany (``INSERT ...
  RETURNING`` for new ids, audit rows through :func:`dgops.db.record_audits`) and pauses the
  cyclic garbage collector while it runs; nothing in it builds an ORM object per row.
"""

from __future__ import annotations

from dgops.registry.importer import (
    DEACTIVATE_SHARE,
    AgencyChange,
    ImportReport,
    export_registry,
    import_registry,
    load_records,
)
from dgops.registry.issues import RegistryError, RegistryIssue, Severity
from dgops.registry.reader import read_records, read_registry
from dgops.registry.records import AgencyRecord, ContactRecord
from dgops.registry.reference import BANGKOK as BANGKOK_PROVINCE
from dgops.registry.reference import (
    LEVEL_LABELS_TH,
    MISSION_LABELS_TH,
    PROVINCES,
    PROVINCIAL_OFFICES,
    TYPE_LABELS_TH,
    check_references,
)
from dgops.registry.result import ReadResult
from dgops.registry.writer import write_registry_csv, write_registry_xlsx
from dgops.tabular import ReadLimits

__all__ = [
    "BANGKOK_PROVINCE",
    "DEACTIVATE_SHARE",
    "LEVEL_LABELS_TH",
    "MISSION_LABELS_TH",
    "PROVINCES",
    "PROVINCIAL_OFFICES",
    "TYPE_LABELS_TH",
    "AgencyChange",
    "AgencyRecord",
    "ContactRecord",
    "ImportReport",
    "ReadLimits",
    "ReadResult",
    "RegistryError",
    "RegistryIssue",
    "Severity",
    "check_references",
    "export_registry",
    "import_registry",
    "load_records",
    "read_records",
    "read_registry",
    "write_registry_csv",
    "write_registry_xlsx",
]
