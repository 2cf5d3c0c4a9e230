"""The demo's fieldwork: agencies answer over simulated days, mostly after reminders.

Each simulated day (the cycle's opening day to its deadline): agencies start and submit with a
small daily chance that jumps the day after a reminder and after a phone call, and rises near
the deadline; about 2% never answer. On working days the day's reminders are sent through the
mail ledger to a local sink with the ledger's clock set to that day; a few addresses bounce
(synthetic bounce events through ``dgops.mail.ingest_events``); the call list is "phoned" in
the last ten days. A snapshot is taken every day, and the managers' digest of the last day is
sent and its chart written to ``<var_dir>/demo/``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select, update

from dgops.db import Database
from dgops.fieldwork import (
    Manager,
    build_digest,
    call_list,
    cycle_of,
    load_policy,
    run_reminders,
    send_digest,
    take_snapshot,
    write_call_list,
)
from dgops.mail import MailConfig, MailMessage, ingest_events
from dgops.registry.models import CycleAgency
from dgops.responses.models import Response, ResponseEvent
from dgops.thai import BANGKOK, ThaiCalendar

DEMO_MANAGER = Manager("fieldwork-manager@dga.example.org", "ผู้จัดการโครงการสำรวจ")


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BANGKOK).astimezone(dt.UTC)


def _fixed(epoch: float) -> Callable[[], float]:
    """A clock that stays at the simulated moment."""
    return lambda: epoch


def simulate_fieldwork(
    db: Database,
    year_be: int,
    mail_config: MailConfig,
    *,
    seed: int,
    out_dir: Path,
    actor: str = "demo",
) -> dict[str, Any]:
    """Simulate the fieldwork of a cycle whose agencies were invited; returns counts and
    ``respondents`` (agency id → submission time) for the responses step."""
    rng = np.random.default_rng([seed, year_be, 11])
    with db.begin() as session:
        cycle = cycle_of(session, year_be)
        cid, open_date, deadline = cycle.id, cycle.open_date, cycle.deadline
        policy = load_policy(year_be)
        ids = np.array(
            sorted(
                session.scalars(select(CycleAgency.agency_id).where(CycleAgency.cycle_id == cid))
            )
        )
        # The demo replays a past year: its invitations count as sent on the opening morning.
        session.execute(
            update(MailMessage)
            .where(MailMessage.cycle_id == cid, MailMessage.kind == "invitation")
            .values(accepted_at=_at(open_date, 9))
        )
        session.execute(
            update(Response).where(Response.cycle_id == cid).values(status="not_started")
        )
    n = len(ids)
    calendar = ThaiCalendar(policy.special_days_off)
    never = rng.random(n) < 0.02
    eager = rng.lognormal(0.0, 0.6, n)
    bounce = rng.random(n) < 0.03
    state = np.zeros(n, dtype=np.int8)  # 0 not started, 1 in progress, 2 submitted
    started_on = np.full(n, -1)
    submitted_at: dict[int, dt.datetime] = {}
    response_id: dict[int, int] = {}
    reminded_on: dict[int, dt.date] = {}
    reminders: dict[int, int] = {}
    bounced: set[int] = set()
    called = 0
    sent_total = 0
    index = {int(a): i for i, a in enumerate(ids)}
    day = open_date
    span = (deadline - open_date).days
    while day <= deadline:
        k = (day - open_date).days
        working = calendar.is_working_day(day)
        if working:
            report = run_reminders(
                db,
                year_be,
                now=_at(day, 10),
                mail_config=mail_config,
                actor=actor,
                clock=_fixed(_at(day, 10).timestamp()),
            )
            sent_total += report.outcomes.get("accepted", 0)
            with db.begin() as session:
                rows = session.execute(
                    select(MailMessage.id, MailMessage.agency_id, MailMessage.recipients).where(
                        MailMessage.cycle_id == cid,
                        MailMessage.kind == "reminder",
                        MailMessage.status == "accepted",
                        MailMessage.accepted_at >= _at(day, 0),
                        MailMessage.accepted_at < _at(day + dt.timedelta(days=1), 0),
                    )
                ).all()
                events = []
                for mid, aid, recipients in rows:
                    reminded_on[int(aid)] = day
                    reminders[int(aid)] = reminders.get(int(aid), 0) + 1
                    ts = int(_at(day, 11).timestamp())
                    for r in (recipients or {}).get("to", []):
                        kind = "delivered"
                        if bounce[index[int(aid)]] and int(aid) not in bounced:
                            kind = "bounce"
                            bounced.add(int(aid))
                        events.append(
                            {
                                "sg_event_id": uuid.uuid4().hex,
                                "event": kind,
                                "email": r["email"],
                                "timestamp": ts,
                                "dgops_message_id": str(mid),
                                "reason": "550 demo",
                            }
                        )
                if events:
                    ingest_events(session, events)
        boost = np.array(
            [
                1.0 if reminded_on.get(int(a)) in (day, day - dt.timedelta(days=1)) else 0.0
                for a in ids
            ]
        )
        call = np.zeros(n)
        if working and span - k <= 10:
            want = np.array(
                [
                    reminders.get(int(a), 0) >= policy.call_after_reminders or int(a) in bounced
                    for a in ids
                ]
            )
            call = (want & (state < 2) & (rng.random(n) < 0.35)).astype(float)
            called += int(call.sum())
        near = 1.0 if span - k <= 3 else 0.0
        weekend = 0.2 if not working else 1.0
        p_start = weekend * (0.015 * eager + 0.25 * eager * boost + 0.6 * call + 0.3 * near)
        p_submit = weekend * (0.06 + 0.3 * boost + 0.7 * call + 0.45 * near)
        draw = rng.random(n)
        start = (state == 0) & ~never & (draw < np.clip(p_start, 0, 0.95))
        ready = (state == 1) & (started_on <= k - (1 if near else 2))
        submit = ready & ~never & (rng.random(n) < np.clip(p_submit, 0, 0.95))
        with db.begin() as session:
            new = [int(a) for a in ids[start]]
            if new:
                found = session.execute(
                    select(Response.agency_id, Response.id).where(
                        Response.cycle_id == cid, Response.agency_id.in_(new)
                    )
                ).all()
                existing = {int(a): int(r) for a, r in found}
                fresh = [a for a in new if a not in existing]
                if fresh:
                    result = session.execute(
                        insert(Response).returning(Response.id, Response.agency_id),
                        [{"cycle_id": cid, "agency_id": a, "status": "in_progress"} for a in fresh],
                    )
                    existing.update({int(a): int(r) for r, a in result.all()})
                response_id.update(existing)
                session.execute(
                    update(Response)
                    .where(Response.id.in_(list(existing.values())))
                    .values(status="in_progress")
                )
            done = [int(a) for a in ids[submit]]
            at = {a: _at(day, int(rng.integers(9, 17))) for a in done}
            if done:
                session.execute(
                    update(Response)
                    .where(Response.cycle_id == cid, Response.agency_id.in_(done))
                    .values(status="submitted", submitted_by=actor)
                )
                for a in done:
                    session.execute(
                        update(Response)
                        .where(Response.id == response_id[a])
                        .values(submitted_at=at[a])
                    )
                submitted_at.update(at)
            events_rows = [
                {
                    "response_id": response_id[a],
                    "at": _at(day, 9),
                    "actor": actor,
                    "from_status": "not_started",
                    "to_status": "in_progress",
                    "channel": "online",
                    "reason": "demo fieldwork",
                }
                for a in new
            ] + [
                {
                    "response_id": response_id[a],
                    "at": at[a],
                    "actor": actor,
                    "from_status": "in_progress",
                    "to_status": "submitted",
                    "channel": "online",
                    "reason": "demo fieldwork",
                }
                for a in done
            ]
            if events_rows:
                session.execute(insert(ResponseEvent), events_rows)
            take_snapshot(session, year_be, day)
        state[start] = 1
        started_on[start] = k
        state[submit] = 2
        if day == deadline - dt.timedelta(days=3):
            with db.begin() as session:
                calls = call_list(session, year_be, today=day, policy=policy)
            write_call_list(calls, out_dir / f"call-list-{year_be}-{day}.xlsx")
        day += dt.timedelta(days=1)
    digest = send_digest(
        db,
        year_be,
        deadline,
        mail_config,
        managers=[DEMO_MANAGER],
        reminders_today=0,
        calls=called,
        actor=actor,
    )
    with db.begin() as session:
        chart = build_digest(session, year_be, deadline).chart_png
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"fieldwork-{year_be}.png").write_bytes(chart)
    after = {a for a, d in reminded_on.items() if a in submitted_at}
    return {
        "agencies": n,
        "responded": len(submitted_at),
        "rate": round(100.0 * len(submitted_at) / max(n, 1), 2),
        "reminders": sent_total,
        "answered_after_reminder": len(after),
        "bounced": len(bounced),
        "calls": called,
        "digest": digest.get("sent", 0),
        "respondents": submitted_at,
    }
