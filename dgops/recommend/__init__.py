"""Recommendations: advice per sub-indicator and level, peer classification, national themes.

``recommend(sub_scores, agencies, framework, load_rules("2566"))`` classes every agency's
sub-indicators as outstanding / fairly outstanding / to accelerate against its peers and attaches
DGA-style advice with lead and supporting units; ``national_recommendations`` picks the policy
themes of the national report from aggregate weaknesses. See docs/recommendations.md.
"""

from __future__ import annotations

from dgops.recommend.classify import (
    CLASS_LABELS_TH,
    ClassifyConfig,
    classify,
    recommend,
    score_levels,
    sub_indicator_shares,
)
from dgops.recommend.national import (
    NationalRecommendation,
    Theme,
    load_themes,
    national_recommendations,
    theme_weakness,
)
from dgops.recommend.rules import (
    DATA_DIR,
    LEVELS,
    Advice,
    RuleBook,
    RuleError,
    check_rules,
    load_rules,
    rules_path,
)

__all__ = [
    "CLASS_LABELS_TH",
    "DATA_DIR",
    "LEVELS",
    "Advice",
    "ClassifyConfig",
    "NationalRecommendation",
    "RuleBook",
    "RuleError",
    "Theme",
    "check_rules",
    "classify",
    "load_rules",
    "load_themes",
    "national_recommendations",
    "recommend",
    "rules_path",
    "score_levels",
    "sub_indicator_shares",
    "theme_weakness",
]
