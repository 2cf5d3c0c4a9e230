"""Data quality of submitted responses: Great Expectations suites kept in ``expectations/``,
findings per agency and question, the return/verify workflow, evidence review.

Great Expectations is imported only inside the functions that run it (the import costs
seconds); importing this package is cheap. See docs/quality.md.
"""

from __future__ import annotations

from dgops.quality.gx import GxProject
from dgops.quality.models import (
    CheckOutcome,
    EvidenceReview,
    FindingStatus,
    QualityCheck,
    QualityFinding,
    QualityRun,
    ReviewDecision,
    Severity,
)
from dgops.quality.notify import send_clarifications
from dgops.quality.review import (
    Claim,
    apply_overrides,
    evidence_claims,
    not_done_value,
    review_evidence,
)
from dgops.quality.suites import (
    SuiteError,
    check_suites_in_sync,
    generate_suite,
    load_suites,
    write_suites,
)
from dgops.quality.workflow import (
    QualityError,
    SettleOutcome,
    ValidateOutcome,
    accept_finding,
    comments_for,
    run_summary,
    settle_run,
    store_findings,
    validate_cycle,
)

__all__ = [
    "CheckOutcome",
    "Claim",
    "EvidenceReview",
    "FindingStatus",
    "GxProject",
    "QualityCheck",
    "QualityError",
    "QualityFinding",
    "QualityRun",
    "ReviewDecision",
    "SettleOutcome",
    "Severity",
    "SuiteError",
    "ValidateOutcome",
    "accept_finding",
    "apply_overrides",
    "check_suites_in_sync",
    "comments_for",
    "evidence_claims",
    "generate_suite",
    "load_suites",
    "not_done_value",
    "review_evidence",
    "run_summary",
    "send_clarifications",
    "settle_run",
    "store_findings",
    "validate_cycle",
    "write_suites",
]
