"""The advice library: DGA-style advice (ข้อเสนอแนะ) per sub-indicator and maturity level.

Two kinds of file live in ``dgops/recommend/data``:

- ``topics.yaml``: one *topic* per subject a sub-indicator measures (data governance, digital
  literacy, ...), with its national theme, lead unit (หน่วยงานหลัก), supporting units
  (หน่วยงานสนับสนุน) and advice per maturity level. Advice keys are a level (``"5"``) or an
  inclusive range (``"1-2"``) and must cover levels 1..5 exactly once.
- ``rules_<framework id>.yaml``: the year's sub-indicator codes → a topic, with optional
  overrides (``lead``, ``support``, ``advice`` for some levels, ``name_th``).

:func:`load_rules` merges them into a :class:`RuleBook` and raises :class:`RuleError` whose
message names the file and the path inside it (``rules_2566.yaml: sub_indicators.P3.2.topic:
unknown topic 'usabilty'``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field

from dgops.configfile import ConfigError, ConfigModel, load_model
from dgops.framework import Framework

__all__ = [
    "DATA_DIR",
    "LEVELS",
    "Advice",
    "RuleBook",
    "RuleError",
    "check_rules",
    "load_rules",
    "rules_path",
]

DATA_DIR = Path(__file__).parent / "data"
LEVELS = (1, 2, 3, 4, 5)
M = TypeVar("M", bound=BaseModel)
_LEVEL_KEY = re.compile(r"^\s*([1-5])\s*(?:-\s*([1-5])\s*)?$")


class RuleError(ConfigError):
    """An advice file is invalid; ``problems`` holds (path, message) pairs."""


class _Model(ConfigModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class _Topic(_Model):
    theme: str = Field(min_length=1)
    name_th: str = Field(min_length=1)
    lead: str = Field(min_length=1)
    support: list[str] = Field(default_factory=list)
    advice: dict[str, str]


class _TopicsFile(_Model):
    version: int = 1
    units: dict[str, str] = Field(default_factory=dict)
    topics: dict[str, _Topic]


class _SubRule(_Model):
    topic: str = Field(min_length=1)
    name_th: str | None = None
    lead: str | None = None
    support: list[str] | None = None
    advice: dict[str, str] = Field(default_factory=dict)


class _RulesFile(_Model):
    framework: str = Field(min_length=1)
    notes: list[str] = Field(default_factory=list)
    sub_indicators: dict[str, _SubRule]


@dataclass(frozen=True, slots=True)
class Advice:
    """The advice for one sub-indicator at one maturity level, with who should act."""

    sub_indicator: str
    topic: str
    theme: str
    level: int
    text_th: str
    lead_unit: str
    support_units: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleBook:
    """The merged advice of one framework version: ``advice(code, level)`` and themes."""

    framework: str
    entries: Mapping[str, Mapping[int, Advice]]

    @property
    def codes(self) -> list[str]:
        """Sub-indicator codes that have advice."""
        return list(self.entries)

    def advice(self, code: str, level: int) -> Advice:
        """Advice for sub-indicator ``code`` at maturity ``level`` (clipped to 1..5)."""
        return self.entries[code][min(max(int(level), 1), 5)]

    def theme_of(self, code: str) -> str:
        """The national theme the sub-indicator feeds."""
        return self.entries[code][1].theme

    def themes(self) -> dict[str, str]:
        """Sub-indicator code → theme."""
        return {code: self.theme_of(code) for code in self.entries}


def _expand_levels(
    advice: Mapping[str, str], where: str
) -> tuple[dict[int, str], list[tuple[str, str]]]:
    """``{"1-2": a, "3": b}`` → ``{1: a, 2: a, 3: b}`` plus problems (bad keys, overlaps)."""
    out: dict[int, str] = {}
    problems: list[tuple[str, str]] = []
    for key, text in advice.items():
        m = _LEVEL_KEY.match(str(key))
        if m is None:
            problems.append(
                (f"{where}.{key}", "advice key must be a level 1..5 or a range like 1-2")
            )
            continue
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if hi < lo:
            problems.append((f"{where}.{key}", "range must go upwards (1-2, not 2-1)"))
            continue
        if not text.strip():
            problems.append((f"{where}.{key}", "advice text is empty"))
        for level in range(lo, hi + 1):
            if level in out:
                problems.append((f"{where}.{key}", f"level {level} is given twice"))
            out[level] = " ".join(text.split())
    return out, problems


def rules_path(framework_id: str) -> Path:
    """Where the shipped rules of a framework version live."""
    return DATA_DIR / f"rules_{framework_id}.yaml"


def load_rules(
    framework_id_or_path: str | Path,
    *,
    topics_path: Path | None = None,
) -> RuleBook:
    """Load and merge ``rules_<id>.yaml`` with the topic library; raise :class:`RuleError`.

    Every sub-indicator must end up with advice for each of the levels 1..5.
    """
    candidate = Path(framework_id_or_path)
    path = candidate if candidate.suffix in (".yaml", ".yml") else rules_path(str(candidate))
    if not path.exists():
        raise RuleError(path.name, [("", "no such rules file")])
    tpath = topics_path or DATA_DIR / "topics.yaml"
    topics = load_model(tpath, _TopicsFile, error=RuleError)

    topic_levels: dict[str, dict[int, str]] = {}
    problems: list[tuple[str, str]] = []
    for name, topic in topics.topics.items():
        levels, found = _expand_levels(topic.advice, f"topics.{name}.advice")
        problems += found
        missing = [lv for lv in LEVELS if lv not in levels]
        if missing:
            problems.append((f"topics.{name}.advice", f"no advice for level(s) {missing}"))
        topic_levels[name] = levels
    if problems:
        raise RuleError(tpath.name, problems)

    rules = load_model(path, _RulesFile, error=RuleError)
    entries: dict[str, dict[int, Advice]] = {}
    for code, rule in rules.sub_indicators.items():
        where = f"sub_indicators.{code}"
        if rule.topic not in topics.topics:
            problems.append((f"{where}.topic", f"unknown topic {rule.topic!r}"))
            continue
        topic = topics.topics[rule.topic]
        override, found = _expand_levels(rule.advice, f"{where}.advice")
        problems += found
        texts = {**topic_levels[rule.topic], **override}
        lead = rule.lead if rule.lead is not None else topic.lead
        support = tuple(rule.support if rule.support is not None else topic.support)
        if not lead.strip():
            problems.append((f"{where}.lead", "lead unit is empty"))
        entries[code] = {
            lv: Advice(code, rule.topic, topic.theme, lv, texts[lv], lead, support) for lv in LEVELS
        }
    if problems:
        raise RuleError(path.name, problems)
    return RuleBook(framework=rules.framework, entries=entries)


def check_rules(book: RuleBook, framework: Framework) -> list[str]:
    """Problems between a rule book and its framework (missing or unknown sub-indicators)."""
    problems: list[str] = []
    if book.framework != framework.id:
        problems.append(f"rules are for framework {book.framework}, not {framework.id}")
    codes = framework.sub_indicator_codes
    problems += [f"{c}: no advice for this sub-indicator" for c in codes if c not in book.entries]
    problems += [
        f"{c}: not a sub-indicator of {framework.id}" for c in book.entries if c not in codes
    ]
    return problems
