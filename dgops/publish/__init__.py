"""The publication stage: the seminar package of a released scoring run.

``dgops publish --cycle Y --out DIR`` (and the DAG ``dgops_publish``) build, from the cycle's
**released** run only, a dated and versioned folder with the national report (PDF, Thai), the
statistical tables (XLSX), the seminar slides (PPTX), the charts (SVG, PNG, alt texts), the open
data (CSV with BOM, Frictionless data package, the national catalogue record, DCAT) and a
manifest of SHA-256 checksums. Free-text answers shown in fact-finding tables are coded by an
operator through a code frame and an XLSX round trip (:mod:`dgops.publish.coding`).

Typical use::

    with db.begin() as session:
        outcome = publish_cycle(session, 2566, Path("out"))   # ReleaseError when unreleased
    print(outcome.folder, outcome.timings)

See ``docs/publication.md``.
"""

from __future__ import annotations

from dgops.publish.coding import (
    UNCODED_LABEL_TH,
    Code,
    CodeCount,
    CodeFrame,
    CodeFrames,
    CodingError,
    CodingImport,
    Suggestion,
    answer_hash,
    coded_counts,
    confirmed_codes,
    load_code_frames,
    read_coding_workbook,
    store_confirmed,
    suggest_codes,
    write_coding_workbook,
)
from dgops.publish.data import (
    Previous,
    PublicationConfig,
    PublicationData,
    gather,
    load_publication_config,
)
from dgops.publish.flows import CodingExport, CodingOutcome, export_coding, import_coding
from dgops.publish.package import PackageOutcome, build_package, package_name, publish_cycle
from dgops.publish.tables import MIN_GROUP, StatTable, build_tables

__all__ = [
    "MIN_GROUP",
    "UNCODED_LABEL_TH",
    "Code",
    "CodeCount",
    "CodeFrame",
    "CodeFrames",
    "CodingError",
    "CodingExport",
    "CodingImport",
    "CodingOutcome",
    "PackageOutcome",
    "Previous",
    "PublicationConfig",
    "PublicationData",
    "StatTable",
    "Suggestion",
    "answer_hash",
    "build_package",
    "build_tables",
    "coded_counts",
    "confirmed_codes",
    "export_coding",
    "gather",
    "import_coding",
    "load_code_frames",
    "load_publication_config",
    "package_name",
    "publish_cycle",
    "read_coding_workbook",
    "store_confirmed",
    "suggest_codes",
    "write_coding_workbook",
]
