"""The fieldwork policy of a cycle: targets, expected curve, reminder rounds, escalation, managers.

The default is ``templates/fieldwork/policy.yaml``; ``policy-<year BE>.yaml`` beside it
overrides any key for one cycle (mappings are merged, lists replaced).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from dgops.configfile import ConfigError, ConfigModel, read_yaml, validate
from dgops.settings import Settings, get_settings
from dgops.thai import BANGKOK

ANCHORS = ("invitation", "deadline")


class PolicyError(ConfigError):
    """The policy file is malformed; ``problems`` holds (key, message) pairs."""


class _Round(ConfigModel):
    anchor: Literal["invitation", "deadline"]
    offset_days: int


class _OfficeHours(ConfigModel):
    start: dt.time = dt.time(8, 30)
    end: dt.time = dt.time(16, 30)


class _Escalation(ConfigModel):
    head_after: int = Field(default=2, ge=1)
    parent_after: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> _Escalation:
        if self.parent_after < self.head_after:
            raise ValueError("parent_after must not be below head_after")
        return self


class _CallList(ConfigModel):
    after_reminders: int = Field(default=2, ge=0)
    days_before_deadline: int = Field(default=3, ge=0)


class _Manager(ConfigModel):
    email: str = Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")
    name: str = ""


class _PolicyFile(ConfigModel):
    """The keys of ``policy.yaml`` (see the file's comments); unknown keys are errors."""

    timezone: str = BANGKOK.key
    office_hours: _OfficeHours = Field(default_factory=_OfficeHours)
    rounds: list[_Round] = Field(default_factory=list)
    min_gap_days: int = Field(default=2, ge=0)
    max_reminders: int | None = Field(default=None, ge=0)
    escalation: _Escalation = Field(default_factory=_Escalation)
    special_days_off: list[dt.date] = Field(default_factory=list)
    targets: dict[str, dict[str, float]] = Field(default_factory=dict)
    expected_curve: list[tuple[float, float]] = Field(default_factory=list)
    behind_tolerance: float = Field(default=5, ge=0)
    call_list: _CallList = Field(default_factory=_CallList)
    managers: list[_Manager] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Bangkok)") from None
        return value


@dataclass(frozen=True)
class ReminderRound:
    """A reminder ``offset_days`` after the invitation or before (negative) the deadline."""

    number: int
    anchor: str
    offset_days: int


@dataclass(frozen=True)
class Manager:
    email: str
    name: str = ""


@dataclass(frozen=True)
class FieldworkPolicy:
    """Everything that steers tracking and reminders for one cycle."""

    rounds: tuple[ReminderRound, ...]
    min_gap_days: int = 2
    max_reminders: int = 4
    escalate_head_after: int = 2
    escalate_parent_after: int = 3
    timezone: str = BANGKOK.key
    office_start: dt.time = dt.time(8, 30)
    office_end: dt.time = dt.time(16, 30)
    special_days_off: frozenset[dt.date] = frozenset()
    targets: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    expected_curve: tuple[tuple[float, float], ...] = ((0.0, 0.0), (1.0, 1.0))
    behind_tolerance: float = 5.0
    call_after_reminders: int = 2
    call_days_before_deadline: int = 3
    managers: tuple[Manager, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], file: str = "policy.yaml") -> FieldworkPolicy:
        """Build and check a policy from its YAML mapping (errors name ``file`` and the key)."""
        spec = validate(_PolicyFile, dict(data), file, error=PolicyError)
        rounds = tuple(
            ReminderRound(i + 1, r.anchor, r.offset_days) for i, r in enumerate(spec.rounds)
        )
        return cls(
            rounds=rounds,
            min_gap_days=spec.min_gap_days,
            max_reminders=len(rounds) if spec.max_reminders is None else spec.max_reminders,
            escalate_head_after=spec.escalation.head_after,
            escalate_parent_after=spec.escalation.parent_after,
            timezone=spec.timezone,
            office_start=spec.office_hours.start,
            office_end=spec.office_hours.end,
            special_days_off=frozenset(spec.special_days_off),
            targets={f: dict(vals) for f, vals in spec.targets.items()},
            expected_curve=tuple(spec.expected_curve) or ((0.0, 0.0), (1.0, 1.0)),
            behind_tolerance=spec.behind_tolerance,
            call_after_reminders=spec.call_list.after_reminders,
            call_days_before_deadline=spec.call_list.days_before_deadline,
            managers=tuple(Manager(m.email, m.name) for m in spec.managers),
        )

    def target(self, group_field: str, group_value: str) -> float | None:
        """The target rate (%) of a group, or None."""
        value = self.targets.get(group_field, {}).get(group_value)
        return None if value is None else float(value)


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = read_yaml(path, error=PolicyError)
    return data


def policy_dir(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).templates_dir / "fieldwork"


def load_policy(
    year_be: int, *, settings: Settings | None = None, directory: Path | None = None
) -> FieldworkPolicy:
    """The policy of cycle ``year_be``: ``policy.yaml`` merged with ``policy-<year_be>.yaml``."""
    folder = directory or policy_dir(settings)
    data = _read(folder / "policy.yaml")
    name = "policy.yaml"
    override = folder / f"policy-{year_be}.yaml"
    if override.is_file():
        data = _merge(data, _read(override))
        name = f"policy.yaml + {override.name}"
    return FieldworkPolicy.from_dict(data, name)
