"""The scoring engine: answers of every agency → item points, sub-indicator, pillar and overall
scores, maturity levels and groups, vectorised with numpy/pandas.

``score(framework, answers)`` is the entry point; see docs/framework-format.md for the rules.
"""

from __future__ import annotations

from dgops.scoring.aggregate import (
    group_from_scores,
    level_from_score,
    levels_from_scores,
    overall_from_pillars,
    pillars_from_items,
    pillars_from_sub_indicators,
    ratio_scores,
    sub_indicators_from_items,
)
from dgops.scoring.analysis import PEER_COLUMNS, group_stats, peer_ranks, yoy_deltas
from dgops.scoring.columns import clean_column, condition_mask
from dgops.scoring.engine import (
    INPUT_REASONS,
    ISSUE_REASONS,
    ITEM_STATES,
    AnswerIssue,
    ScoreResult,
    ScoringInputError,
    input_issues,
    score,
)
from dgops.scoring.files import (
    AGENCY_HEADERS,
    ScoreFileError,
    read_answers_file,
    read_external_file,
    result_tables,
    write_result,
)
from dgops.scoring.rounding import round_half_up

__all__ = [
    "AGENCY_HEADERS",
    "INPUT_REASONS",
    "ISSUE_REASONS",
    "ITEM_STATES",
    "PEER_COLUMNS",
    "AnswerIssue",
    "ScoreFileError",
    "ScoreResult",
    "ScoringInputError",
    "clean_column",
    "condition_mask",
    "group_from_scores",
    "group_stats",
    "input_issues",
    "level_from_score",
    "levels_from_scores",
    "overall_from_pillars",
    "peer_ranks",
    "pillars_from_items",
    "pillars_from_sub_indicators",
    "ratio_scores",
    "read_answers_file",
    "read_external_file",
    "result_tables",
    "round_half_up",
    "score",
    "sub_indicators_from_items",
    "write_result",
    "yoy_deltas",
]
