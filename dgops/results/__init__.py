"""Scoring results in the database: runs, scores, recommendations, and the answers they read.

``load_answers`` turns a cycle's responses into the scoring engine's wide frame;
``store_scores`` / ``store_recommendations`` write a run (superseding the previous one);
``current_run``, ``load_scores``, ``load_recommendations`` and
``load_national_recommendations`` are what letters, pages and the report read.
"""

from __future__ import annotations

from dgops.results.answers import AGENCY_COLUMNS, load_agencies, load_answers
from dgops.results.export import results_frame, results_workbook
from dgops.results.issue import (
    RESULT_KIND,
    IssueReport,
    ResultLetterInfo,
    correction_kind,
    issue_result_letters,
    issued_frame,
    letter_infos,
    standing_letters,
)
from dgops.results.letter import (
    ResultLetterReport,
    action_plan_xlsx,
    enclosure_blocks,
    render_result_letter,
    render_result_letters,
    result_letter_context,
    result_letter_name,
)
from dgops.results.pipeline import (
    PEER_GROUP,
    FrameworkSource,
    RecommendOutcome,
    ScoreOutcome,
    external_inputs_file,
    level_distribution,
    recommend_cycle,
    release_state,
    score_cycle,
    score_or_keep,
)
from dgops.results.previous import PreviousYear, previous_year, year_mapping
from dgops.results.published import (
    PublishedImport,
    PublishedScoresError,
    import_published,
    read_agency_map,
    read_published,
)
from dgops.results.release import (
    ReleaseError,
    ReleaseOutcome,
    check_can_score,
    release_run,
    released_run,
    require_released,
)
from dgops.results.send import (
    MAIL_KIND,
    MAIL_KIND_CORRECTION,
    LetterRenderer,
    SendResultsReport,
    letter_dir,
    letter_file_name,
    send_results,
)
from dgops.results.store import (
    CHUNK,
    current_run,
    load_national_recommendations,
    load_recommendations,
    load_scores,
    score_long_frame,
    store_recommendations,
    store_scores,
)
from dgops.results.view import (
    CLASS_ORDER,
    MIN_PEERS,
    Advice,
    AgencyResult,
    ResultSet,
    ScoreLine,
    load_results,
)

__all__ = [
    "AGENCY_COLUMNS",
    "CHUNK",
    "CLASS_ORDER",
    "MAIL_KIND",
    "MAIL_KIND_CORRECTION",
    "MIN_PEERS",
    "PEER_GROUP",
    "RESULT_KIND",
    "Advice",
    "AgencyResult",
    "FrameworkSource",
    "IssueReport",
    "LetterRenderer",
    "PreviousYear",
    "PublishedImport",
    "PublishedScoresError",
    "RecommendOutcome",
    "ReleaseError",
    "ReleaseOutcome",
    "ResultLetterInfo",
    "ResultLetterReport",
    "ResultSet",
    "ScoreLine",
    "ScoreOutcome",
    "SendResultsReport",
    "action_plan_xlsx",
    "check_can_score",
    "correction_kind",
    "current_run",
    "enclosure_blocks",
    "external_inputs_file",
    "import_published",
    "issue_result_letters",
    "issued_frame",
    "letter_dir",
    "letter_file_name",
    "letter_infos",
    "level_distribution",
    "load_agencies",
    "load_answers",
    "load_national_recommendations",
    "load_recommendations",
    "load_results",
    "load_scores",
    "previous_year",
    "read_agency_map",
    "read_published",
    "recommend_cycle",
    "release_run",
    "release_state",
    "released_run",
    "render_result_letter",
    "render_result_letters",
    "require_released",
    "result_letter_context",
    "result_letter_name",
    "results_frame",
    "results_workbook",
    "score_cycle",
    "score_long_frame",
    "score_or_keep",
    "send_results",
    "standing_letters",
    "store_recommendations",
    "store_scores",
    "year_mapping",
]
