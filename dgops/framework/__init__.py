"""Survey frameworks: the versioned YAML files that define pillars, questions and scoring rules.

``load_framework("2566")`` reads ``dgops/framework/data/2566.yaml``; see docs/framework-format.md.
"""

from __future__ import annotations

from dgops.framework.checks import RULE_TYPES, check_framework, check_mapping
from dgops.framework.claims import is_claim, not_done_option
from dgops.framework.conditions import condition_holds, is_empty, is_missing
from dgops.framework.loader import (
    DATA_DIR,
    FrameworkError,
    available_frameworks,
    load_framework,
    load_mapping,
    resolve_framework_path,
)
from dgops.framework.model import (
    Aggregation,
    BandsRule,
    Condition,
    CountCappedRule,
    ExternalInput,
    ExternalRule,
    Framework,
    Group,
    Level,
    Maturity,
    NonemptyTextRule,
    Option,
    OptionPointsRule,
    Pillar,
    PositiveRule,
    Question,
    ScoringRule,
    SubIndicator,
    ValueWeightRule,
    YearMapping,
)

__all__ = [
    "DATA_DIR",
    "RULE_TYPES",
    "Aggregation",
    "BandsRule",
    "Condition",
    "CountCappedRule",
    "ExternalInput",
    "ExternalRule",
    "Framework",
    "FrameworkError",
    "Group",
    "Level",
    "Maturity",
    "NonemptyTextRule",
    "Option",
    "OptionPointsRule",
    "Pillar",
    "PositiveRule",
    "Question",
    "ScoringRule",
    "SubIndicator",
    "ValueWeightRule",
    "YearMapping",
    "available_frameworks",
    "check_framework",
    "check_mapping",
    "condition_holds",
    "is_claim",
    "is_empty",
    "is_missing",
    "load_framework",
    "load_mapping",
    "not_done_option",
    "resolve_framework_path",
]
