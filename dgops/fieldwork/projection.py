"""Where the response rate will be at the deadline, and which groups are behind their curve."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from dgops.cycles.models import SurveyCycle
from dgops.fieldwork.policy import FieldworkPolicy, load_policy
from dgops.fieldwork.queries import (
    ALL_FIELD,
    ALL_VALUE,
    GROUP_FIELDS,
    apply_filters,
    cycle_of,
    rates_from_counts,
    status_counts,
)
from dgops.fieldwork.snapshot import previous_trend, trend

Z95 = 1.96
PACE_WINDOW = 7
"""Days of recent snapshots the pace method looks at."""


@dataclass(frozen=True)
class Projection:
    """The projected response rate (%) at the deadline with a 95% band."""

    rate_now: float
    expected_at_deadline: float
    low: float
    high: float
    days_to_deadline: int
    method: str
    """``previous_cycle`` (the share of the remaining agencies that answered by the deadline
    last year, from the same day on), ``recent_pace`` (the mean daily gain of the last days),
    ``insufficient_data`` or ``closed``."""


def _interp(curve: pd.DataFrame, day: float) -> float:
    xs = curve["days_from_open"].astype(float).to_numpy()
    ys = curve["rate"].astype(float).to_numpy()
    return float(np.interp(day, xs, ys))


def _clip(x: float, lo: float = 0.0, hi: float = 100.0) -> float:
    return round(min(hi, max(lo, x)), 2)


def _live_rate(
    session: Session, cycle: SurveyCycle, by: str | None, value: str | None
) -> tuple[float, int]:
    counts = status_counts(session, cycle.id)
    if by is not None and value is not None:
        counts = apply_filters(counts, {by: value})
    table = rates_from_counts(counts, None)
    if table.empty or not table["total"].iloc[0]:
        return 0.0, 0
    return float(table["rate"].iloc[0]), int(table["total"].iloc[0])


def projection_from_curves(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    *,
    rate_now: float,
    total: int,
    day_now: int,
    day_deadline: int,
) -> Projection:
    """The projection from this cycle's curve so far and the previous cycle's whole curve."""
    d = day_deadline - day_now
    if d <= 0:
        return Projection(rate_now, rate_now, rate_now, rate_now, d, "closed")
    if len(previous) >= 2 and rate_now < 100:
        prev_now = _interp(previous, day_now)
        prev_final = _interp(previous, day_deadline)
        if prev_now < 100:
            p = max(0.0, min(1.0, (prev_final - prev_now) / (100.0 - prev_now)))
            open_share = 100.0 - rate_now
            expected = rate_now + open_share * p
            remaining = max(1.0, total * open_share / 100.0)
            # Binomial spread over the agencies still out, plus a floor for a different year.
            se = math.sqrt(p * (1 - p) / remaining + 0.05**2)
            half = Z95 * se * open_share
            return Projection(
                rate_now,
                _clip(expected),
                _clip(expected - half, rate_now),
                _clip(expected + half, rate_now),
                d,
                "previous_cycle",
            )
    recent = current[current["days_from_open"] <= day_now].tail(PACE_WINDOW + 1)
    if len(recent) >= 3:
        rates = recent["rate"].astype(float).to_numpy()
        steps = np.diff(recent["days_from_open"].astype(float).to_numpy())
        gains = np.diff(rates) / np.where(steps > 0, steps, 1.0)
        pace = float(np.mean(gains))
        spread = float(np.std(gains, ddof=1)) if len(gains) > 1 else abs(pace)
        expected = rate_now + max(pace, 0.0) * d
        half = Z95 * spread * math.sqrt(d)
        return Projection(
            rate_now,
            _clip(expected, rate_now),
            _clip(expected - half, rate_now),
            _clip(expected + half, rate_now),
            d,
            "recent_pace",
        )
    return Projection(rate_now, rate_now, rate_now, 100.0, d, "insufficient_data")


def project_rate(
    session: Session,
    year: int,
    *,
    by: str | None = None,
    value: str | None = None,
    today: dt.date,
) -> Projection:
    """Project a group's (default: the whole cycle's) response rate at the cycle's deadline."""
    cycle = cycle_of(session, year)
    current = trend(session, year, by=by, value=value)
    that_day = current[current["day"] == today]
    if len(that_day) and today < dt.date.today():
        # A past day replayed: the figures of its snapshot, not today's live counts.
        rate_now, total = float(that_day["rate"].iloc[0]), int(that_day["total"].iloc[0])
    else:
        rate_now, total = _live_rate(session, cycle, by, value)
    previous = previous_trend(session, year, by=by, value=value)
    return projection_from_curves(
        current,
        previous,
        rate_now=rate_now,
        total=total,
        day_now=(today - cycle.open_date).days,
        day_deadline=(cycle.deadline - cycle.open_date).days,
    )


def targets_for(cycle: SurveyCycle) -> dict[str, dict[str, float]]:
    """The cycle's targets (%): {group field: {group value: target}}; ``all`` is the cycle."""
    return {k: dict(v) for k, v in load_policy(cycle.year_be).targets.items()}


def expected_share(
    policy: FieldworkPolicy, elapsed: float, previous: pd.DataFrame | None = None
) -> float:
    """The share (0..1) of the final rate expected after ``elapsed`` (0..1) of the window:
    the previous cycle's normalised curve when there is one, else the policy's curve."""
    elapsed = min(1.0, max(0.0, elapsed))
    if previous is not None and len(previous) >= 2:
        span = float(previous["days_from_open"].max())
        final = float(previous["rate"].iloc[-1])
        if span > 0 and final > 0:
            return min(1.0, _interp(previous, elapsed * span) / final)
    xs = [x for x, _ in policy.expected_curve]
    ys = [y for _, y in policy.expected_curve]
    return float(np.interp(elapsed, xs, ys))


def behind_groups(session: Session, year: int, today: dt.date) -> pd.DataFrame:
    """Groups whose rate is more than the policy's tolerance under their expected curve
    (target × expected share of the window elapsed; the cycle's target when a group has none):
    group_field, group_value, total, responded, rate, expected_rate_today, target, shortfall."""
    cycle = cycle_of(session, year)
    policy = load_policy(cycle.year_be)
    window = max(1, (cycle.deadline - cycle.open_date).days)
    share = expected_share(
        policy, (today - cycle.open_date).days / window, previous_trend(session, year)
    )
    counts = status_counts(session, cycle.id)
    overall_target = policy.target(ALL_FIELD, ALL_VALUE)
    rows = []
    for field in (None, *GROUP_FIELDS):
        table = rates_from_counts(counts, field, policy.targets)
        for value, r in table.iterrows():
            target = r["target"] if r["target"] is not None else overall_target
            if target is None or pd.isna(r["rate"]):
                continue
            expected = round(float(target) * share, 2)
            shortfall = round(expected - float(r["rate"]), 2)
            if shortfall > policy.behind_tolerance:
                rows.append(
                    {
                        "group_field": field or ALL_FIELD,
                        "group_value": str(value),
                        "total": int(r["total"]),
                        "responded": int(r["responded"]),
                        "rate": float(r["rate"]),
                        "expected_rate_today": expected,
                        "target": float(target),
                        "shortfall": shortfall,
                    }
                )
    columns = [
        "group_field",
        "group_value",
        "total",
        "responded",
        "rate",
        "expected_rate_today",
        "target",
        "shortfall",
    ]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values("shortfall", ascending=False, kind="stable").reset_index(drop=True)
