"""The fieldwork policy of a cycle: targets, expected curve, reminder rounds, escalation, managers.

The default is ``templates/fieldwork/policy.yaml``; ``policy-<year BE>.yaml`` beside it
overrides any key for one cycle (mappings are merged, lists replaced).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dgops.settings import Settings, get_settings
from dgops.thai import BANGKOK

ANCHORS = ("invitation", "deadline")


class PolicyError(ValueError):
    """The policy file is malformed."""


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
    def from_dict(cls, data: Mapping[str, Any]) -> FieldworkPolicy:
        """Build and check a policy from its YAML mapping."""
        try:
            rounds = tuple(
                ReminderRound(i + 1, str(r["anchor"]), int(r["offset_days"]))
                for i, r in enumerate(data.get("rounds") or [])
            )
            for r in rounds:
                if r.anchor not in ANCHORS:
                    raise PolicyError(f"round {r.number}: anchor must be one of {ANCHORS}")
            hours = data.get("office_hours") or {}
            esc = data.get("escalation") or {}
            calls = data.get("call_list") or {}
            curve = tuple((float(x), float(y)) for x, y in data.get("expected_curve") or [])
            policy = cls(
                rounds=rounds,
                min_gap_days=int(data.get("min_gap_days", 2)),
                max_reminders=int(data.get("max_reminders", len(rounds))),
                escalate_head_after=int(esc.get("head_after", 2)),
                escalate_parent_after=int(esc.get("parent_after", 3)),
                timezone=str(data.get("timezone", BANGKOK.key)),
                office_start=dt.time.fromisoformat(str(hours.get("start", "08:30"))),
                office_end=dt.time.fromisoformat(str(hours.get("end", "16:30"))),
                special_days_off=frozenset(
                    d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))
                    for d in data.get("special_days_off") or []
                ),
                targets={
                    str(f): {str(k): float(v) for k, v in (vals or {}).items()}
                    for f, vals in (data.get("targets") or {}).items()
                },
                expected_curve=curve or ((0.0, 0.0), (1.0, 1.0)),
                behind_tolerance=float(data.get("behind_tolerance", 5)),
                call_after_reminders=int(calls.get("after_reminders", 2)),
                call_days_before_deadline=int(calls.get("days_before_deadline", 3)),
                managers=tuple(
                    Manager(str(m["email"]), str(m.get("name", "")))
                    for m in data.get("managers") or []
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, PolicyError):
                raise
            raise PolicyError(f"fieldwork policy: {exc}") from exc
        if policy.escalate_parent_after < policy.escalate_head_after:
            raise PolicyError("escalation.parent_after must not be below head_after")
        return policy

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
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: a mapping is expected")
    return data


def policy_dir(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).templates_dir / "fieldwork"


def load_policy(
    year_be: int, *, settings: Settings | None = None, directory: Path | None = None
) -> FieldworkPolicy:
    """The policy of cycle ``year_be``: ``policy.yaml`` merged with ``policy-<year_be>.yaml``."""
    folder = directory or policy_dir(settings)
    data = _read(folder / "policy.yaml")
    override = folder / f"policy-{year_be}.yaml"
    if override.is_file():
        data = _merge(data, _read(override))
    return FieldworkPolicy.from_dict(data)
