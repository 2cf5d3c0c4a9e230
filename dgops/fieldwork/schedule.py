"""Which reminder each agency gets and when: policy rounds, working days, gaps, escalation.

A reminder's ledger key is ``(cycle, agency, "reminder", round)`` where ``round`` is the policy
round's number (1..n) — the same on every re-run of a day, so the mail ledger never sends it
twice. A manual "send now" uses ``MANUAL_ROUND_BASE + days since the cycle opened``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from dgops.cycles.models import SurveyCycle
from dgops.fieldwork.policy import FieldworkPolicy, ReminderRound, load_policy
from dgops.fieldwork.queries import (
    OPEN_STATUSES,
    agency_progress,
    cycle_of,
    effective_deadlines,
    run_sql,
    utc_series,
)
from dgops.thai import BANGKOK, ThaiCalendar, local_date

KIND = "reminder"
"""The mail ledger kind of every reminder and escalation (the wording is chosen per message)."""
MANUAL_ROUND_BASE = 1000
AUDIENCES = ("agency", "head", "parent")
QUEUE_COLUMNS = ["agency_id", "code", "name_th", "round", "due_at", "audience", "kind", "held"]


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder to send: to whom (audience) and with which wording (template)."""

    agency_id: int
    code: str
    round: int
    audience: str
    template: str
    status: str
    reminders_sent: int
    deadline: dt.date


def audience_for(policy: FieldworkPolicy, reminders_sent: int) -> str:
    """``agency`` (the coordinator), ``head`` (CIO in copy) after ``head_after`` ignored
    reminders, ``parent`` (the parent ministry's or province's coordinator) after
    ``parent_after``."""
    if reminders_sent >= policy.escalate_parent_after:
        return "parent"
    if reminders_sent >= policy.escalate_head_after:
        return "head"
    return "agency"


def template_for(audience: str, status: str) -> str:
    """The e-mail wording: ``reminder_<status>`` for the agency, ``escalation_<audience>``."""
    if audience == "agency":
        return f"reminder_{status}"
    return f"escalation_{audience}"


def due_date(
    rnd: ReminderRound, invited_on: dt.date, deadline: dt.date, calendar: ThaiCalendar
) -> dt.date:
    """When a round falls due for one agency: after the invitation it moves forward to a
    working day, before the deadline it moves back (to arrive before the deadline)."""
    if rnd.anchor == "invitation":
        return calendar.next_working_day(invited_on + dt.timedelta(days=rnd.offset_days))
    return calendar.previous_working_day(deadline + dt.timedelta(days=rnd.offset_days))


def send_moment(day: dt.date, logical: dt.datetime, now: dt.datetime) -> dt.datetime:
    """The moment a scheduled reminder run for ``day`` (a Bangkok calendar day) acts at.

    A run for today acts at the wall clock ``now``. A run for another day (a re-run, a manual
    logical date, a test) acts at its ``logical`` date-time: a scheduled run's midnight is
    outside office hours, so a retry after midnight sends nothing rather than the next day's
    reminders, and a manual run for 10:00 on a past day sends that day's round (still once).
    Naive datetimes are taken as UTC.
    """
    return now if local_date(now) == day else logical


@dataclass(frozen=True)
class _State:
    cycle: SurveyCycle
    policy: FieldworkPolicy
    calendar: ThaiCalendar
    agencies: pd.DataFrame
    """Non-responders not cancelled, with ``deadline``, ``invited_on``, ``sent`` (accepted
    reminders), ``last_sent_on``, ``last_round`` (highest accepted policy round)."""


def _state(
    session: Session,
    year: int,
    today: dt.date,
    policy: FieldworkPolicy | None,
    agency_ids: list[int] | None = None,
) -> _State:
    cycle = cycle_of(session, year)
    policy = policy or load_policy(cycle.year_be)
    calendar = ThaiCalendar(policy.special_days_off)
    df = agency_progress(session, cycle.year_be, today=today)
    df = df[df["status"].isin(OPEN_STATUSES) & df["invited_at"].notna()]
    df = df[df["hold_mode"].fillna("") != "cancel"]
    if agency_ids is not None:
        df = df[df["agency_id"].isin(agency_ids)]
    df = df.copy()
    df["deadline"] = effective_deadlines(session, cycle, df).to_numpy()
    df["invited_on"] = [s.tz_convert(BANGKOK).date() for s in df["invited_at"]]
    history = run_sql(session, "reminder_history", cycle_id=cycle.id)
    accepted = history[history["status"] == "accepted"].copy()
    accepted["on"] = [
        s.tz_convert(BANGKOK).date() if pd.notna(s) else None
        for s in utc_series(accepted["accepted_at"])
    ]
    grouped = accepted.groupby("agency_id")
    policy_rounds = accepted[accepted["round"] < MANUAL_ROUND_BASE].groupby("agency_id")["round"]
    df["sent"] = df["agency_id"].map(grouped.size()).fillna(0).astype(int)
    df["last_sent_on"] = df["agency_id"].map(grouped["on"].max())
    df["last_round"] = df["agency_id"].map(policy_rounds.max()).fillna(0).astype(int)
    return _State(cycle, policy, calendar, df.reset_index(drop=True))


def _rounds_ahead(st: _State, row: Mapping[str, Any]) -> list[tuple[ReminderRound, dt.date]]:
    """The agency's policy rounds not yet sent and not overtaken, with their due dates."""
    deadline: dt.date = row["deadline"]
    out = []
    for rnd in st.policy.rounds:
        if rnd.number <= row["last_round"]:
            continue
        due = due_date(rnd, row["invited_on"], deadline, st.calendar)
        if due > deadline:
            continue
        out.append((rnd, due))
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in rec.items()} for rec in frame.to_dict("records")]


def select_due(
    session: Session,
    year: int,
    *,
    today: dt.date,
    policy: FieldworkPolicy | None = None,
    agency_ids: list[int] | None = None,
) -> list[PlannedReminder]:
    """The reminders to send on ``today``: for each agency not started or in progress, invited,
    neither held nor cancelled, under the maximum count and past the minimum gap, the latest
    policy round due by today (earlier missed rounds are skipped, never sent late). Nothing on
    a day off."""
    st = _state(session, year, today, policy, agency_ids)
    if not st.calendar.is_working_day(today):
        return []
    out: list[PlannedReminder] = []
    gap = dt.timedelta(days=st.policy.min_gap_days)
    for r in _records(st.agencies):
        if r["hold_mode"] == "hold" or r["sent"] >= st.policy.max_reminders:
            continue
        if today > r["deadline"]:
            continue
        last = r["last_sent_on"]
        if isinstance(last, dt.date) and today - last < gap:
            continue
        due = [rnd for rnd, on in _rounds_ahead(st, r) if on <= today]
        if not due:
            continue
        audience = audience_for(st.policy, r["sent"])
        out.append(
            PlannedReminder(
                agency_id=int(r["agency_id"]),
                code=str(r["code"]),
                round=due[-1].number,
                audience=audience,
                template=template_for(audience, str(r["status"])),
                status=str(r["status"]),
                reminders_sent=int(r["sent"]),
                deadline=r["deadline"],
            )
        )
    return out


def reminder_queue(
    session: Session,
    year: int,
    *,
    today: dt.date,
    horizon_days: int = 14,
    policy: FieldworkPolicy | None = None,
) -> pd.DataFrame:
    """Upcoming reminders from ``today`` to ``today + horizon_days``: agency_id, code, name_th,
    round, due_at (a round already due shows today), audience (agency/head/parent), kind (the
    wording's template), held (the agency's reminders are on hold)."""
    st = _state(session, year, today, policy)
    end = today + dt.timedelta(days=horizon_days)
    rows = []
    for r in _records(st.agencies):
        sent = int(r["sent"])
        last = r["last_sent_on"] if isinstance(r["last_sent_on"], dt.date) else None
        ahead = _rounds_ahead(st, r)
        overdue = [x for x in ahead if x[1] <= today]
        # Of the rounds already due only the latest is sent (see select_due).
        for rnd, on in overdue[-1:] + [x for x in ahead if x[1] > today]:
            if sent >= st.policy.max_reminders:
                break
            on = max(on, today)
            if last is not None:
                on = max(on, last + dt.timedelta(days=st.policy.min_gap_days))
            on = st.calendar.next_working_day(on)
            if on > r["deadline"] or on > end:
                continue
            audience = audience_for(st.policy, sent)
            rows.append(
                {
                    "agency_id": int(r["agency_id"]),
                    "code": r["code"],
                    "name_th": r["name_th"],
                    "round": rnd.number,
                    "due_at": on,
                    "audience": audience,
                    "kind": template_for(audience, str(r["status"])),
                    "held": r["hold_mode"] == "hold",
                }
            )
            sent += 1
            last = on
    out = pd.DataFrame(rows, columns=QUEUE_COLUMNS)
    return out.sort_values(["due_at", "code", "round"], kind="stable").reset_index(drop=True)
