"""Response intake: stored answers, their status, comments and evidence.

Agencies answer online (the portal calls this API) or offline in a spreadsheet that operators
import (:mod:`dgops.responses.xlsx`, :mod:`dgops.responses.wide`); every path ends in the same
stored :class:`~dgops.responses.models.Response` whose status changes are recorded as events. Every
function takes the caller's session and never commits. See docs/responses.md.
"""

from __future__ import annotations

from dgops.responses.domain import (
    AnswerValueError,
    domain_issue,
    looks_like_formula,
    parse_answer,
    parse_number,
    spreadsheet_safe,
)
from dgops.responses.errors import (
    EvidenceError,
    IncompleteError,
    LateError,
    LockedError,
    NotEnrolledError,
    ResponseError,
    TransitionError,
)
from dgops.responses.evidence import (
    EvidenceLimits,
    EvidenceStorage,
    delete_evidence,
    evidence_of,
    open_evidence,
    sniff_content_type,
    store_evidence,
)
from dgops.responses.importer import import_xlsx, list_files, read_questionnaire
from dgops.responses.models import EvidenceFile, ResponseComment
from dgops.responses.report import FileReport, ImportProblem, ImportReport
from dgops.responses.service import (
    ALLOWED_TRANSITIONS,
    CHANNELS,
    UNLOCKED,
    AnswerWindow,
    Progress,
    SaveResult,
    answers_of,
    comments_of,
    ensure_unlocked,
    evidence_questions,
    get_response,
    progress,
    progress_of,
    return_response,
    save_answers,
    submit,
    transitions_of,
    verify_response,
)
from dgops.responses.template import build_template, template_filename
from dgops.responses.wide import WideMapping, import_wide, load_mapping_file

__all__ = [
    "ALLOWED_TRANSITIONS",
    "CHANNELS",
    "UNLOCKED",
    "AnswerValueError",
    "AnswerWindow",
    "EvidenceError",
    "EvidenceFile",
    "EvidenceLimits",
    "EvidenceStorage",
    "FileReport",
    "ImportProblem",
    "ImportReport",
    "IncompleteError",
    "LateError",
    "LockedError",
    "NotEnrolledError",
    "Progress",
    "ResponseComment",
    "ResponseError",
    "SaveResult",
    "TransitionError",
    "WideMapping",
    "answers_of",
    "build_template",
    "comments_of",
    "delete_evidence",
    "domain_issue",
    "ensure_unlocked",
    "evidence_of",
    "evidence_questions",
    "get_response",
    "import_wide",
    "import_xlsx",
    "list_files",
    "load_mapping_file",
    "looks_like_formula",
    "open_evidence",
    "parse_answer",
    "parse_number",
    "progress",
    "progress_of",
    "read_questionnaire",
    "return_response",
    "save_answers",
    "sniff_content_type",
    "spreadsheet_safe",
    "store_evidence",
    "submit",
    "template_filename",
    "transitions_of",
    "verify_response",
]
