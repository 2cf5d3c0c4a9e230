"""PDPA: retention and purge of personal data, and data-subject access exports.

:func:`purge_personal_data` removes a cycle's personal data older than the retention period
(``privacy_retention_days`` in the settings) and keeps every row, pseudonymised, so that counts
and statistics still work; :func:`purge_expired` does it for every cycle (the monthly
``dgops_privacy`` DAG). :func:`export_agency_data` gathers what is stored about one agency's
people. See docs/privacy.md.
"""

from __future__ import annotations

from dgops.privacy.export import SECTIONS, export_agency_data, export_bytes, format_of
from dgops.privacy.purge import (
    ACTION,
    PSEUDONYM_PREFIX,
    REMOVED,
    PrivacyError,
    Pseudonymiser,
    PurgeReport,
    check_retention,
    cutoff_of,
    plan_purge,
    purge_expired,
    purge_personal_data,
)

__all__ = [
    "ACTION",
    "PSEUDONYM_PREFIX",
    "REMOVED",
    "SECTIONS",
    "PrivacyError",
    "Pseudonymiser",
    "PurgeReport",
    "check_retention",
    "cutoff_of",
    "export_agency_data",
    "export_bytes",
    "format_of",
    "plan_purge",
    "purge_expired",
    "purge_personal_data",
]
