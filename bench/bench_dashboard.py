"""The managers' dashboard for 10,000 agencies against ``dgops web`` (uvicorn in a subprocess).

Builds a database once: the demo registry "10k" imported for cycle 2566 (and enrolled in 2565),
statuses set in bulk as on day 42 of 59 (2565: the whole year), invitations, reminders and some
bounced addresses, and daily snapshots for both years. Then 20 concurrent viewers (each signed
in as a manager) load the dashboard with varied filters for a bounded time: *paced* (a page every
~1–2 s each, like people reading) and *saturated* (no pause). Prints p50/p95/max, pages/s and
errors. Aim: p95 ≤ 150 ms at 20 viewers on loopback.

    uv run python -m bench.bench_dashboard [--viewers 20] [--seconds 20] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert, select

from dgops.cycles import create_cycle
from dgops.cycles.models import SurveyCycle
from dgops.db import Database, make_engine, upgrade
from dgops.demo import generate_registry
from dgops.demo.run import cycle_dates
from dgops.fieldwork import FieldworkSnapshot, snapshot_rows
from dgops.mail.models import MailCorrection, MailMessage
from dgops.registry import import_registry
from dgops.registry.models import Agency, CycleAgency
from dgops.responses.models import Response

YEAR = 2566
TODAY_DAY = 42
"""The dashboard is looked at on day 42 of the 2566 fieldwork (14 Aug 2023, deadline 31 Aug)."""
MANAGER = "bench"
MANAGER_PASSWORD = "bench-dashboard-password"
_FINAL = {"department": 0.95, "provincial_office": 0.9, "provincial_cio": 0.97}
_GROUP_COLUMNS = ["level", "agency_type", "mission", "ministry", "province"]


def today() -> dt.date:
    """The day the benchmark and the browser tests look at the dashboard."""
    return cycle_dates(YEAR)[0] + dt.timedelta(days=TODAY_DAY)


def _statuses(rng: np.random.Generator, agencies: pd.DataFrame, span: int) -> pd.DataFrame:
    """A submission day per agency (NaN: never answers) drawn like a fieldwork curve."""
    final = agencies["level"].map(_FINAL).fillna(0.8).to_numpy()
    day = rng.gamma(2.2, span / 4.2, len(agencies))
    answers = (rng.random(len(agencies)) < final / 0.93) & (day <= span)
    out = agencies.copy()
    out["submit_day"] = np.where(answers, day.round(), np.nan)
    out["u"] = rng.random(len(agencies))
    return out


def _status_on(frame: pd.DataFrame, day: int) -> pd.Series:
    done = frame["submit_day"] <= day
    status = np.where(frame["u"] < 0.3, "in_progress", "not_started")
    status = np.where(done, np.where(frame["u"] < 0.25, "verified", "submitted"), status)
    status = np.where(done & (frame["u"] > 0.97), "returned", status)
    return pd.Series(status, index=frame.index)


def _snapshots(cycle: SurveyCycle, frame: pd.DataFrame, last_day: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    now = dt.datetime.now(dt.UTC)
    groups = frame[_GROUP_COLUMNS].astype(object).where(frame[_GROUP_COLUMNS].notna(), None)
    for day in range(last_day + 1):
        counts = (
            groups.assign(status=_status_on(frame, day), n=1)
            .groupby([*_GROUP_COLUMNS, "status"], dropna=False)["n"]
            .sum()
            .reset_index()
        )
        for r in snapshot_rows(counts):
            rows.append(
                {
                    "cycle_id": cycle.id,
                    "day": cycle.open_date + dt.timedelta(days=day),
                    "taken_at": now,
                    **r,
                }
            )
    return rows


def build_database(engine: Engine, *, scale: str = "10k", seed: int = 2566) -> dict[str, Any]:
    """Fill an empty database with a 10,000-agency survey year (and the year before); returns
    counts. About 15 s on one core."""
    upgrade(engine)
    rng = np.random.default_rng(seed)
    records = generate_registry(scale, seed)
    with Database(engine).begin() as s:
        cycles = {}
        for year in (YEAR - 1, YEAR):
            open_date, deadline = cycle_dates(year)
            cycles[year] = create_cycle(
                s,
                year=year,
                open_date=open_date,
                deadline=deadline,
                framework_version=str(year),
                actor="bench",
            )
        import_registry(s, records, cycle_year=YEAR, actor="bench")
        rows = s.execute(
            select(Agency.id, Agency.level, Agency.agency_type, Agency.mission)
            .add_columns(Agency.ministry, Agency.province)
            .where(Agency.active.is_(True))
            .order_by(Agency.id)
        ).all()
        agencies = pd.DataFrame(
            [
                (
                    r[0],
                    r[1].value,
                    r[2].value if r[2] else None,
                    r[3].value if r[3] else None,
                    r[4],
                    r[5],
                )
                for r in rows
            ],
            columns=["agency_id", *_GROUP_COLUMNS],
        )
        prev, cur = cycles[YEAR - 1], cycles[YEAR]
        s.execute(
            insert(CycleAgency),
            [{"cycle_id": prev.id, "agency_id": int(a)} for a in agencies["agency_id"]],
        )
        span = (cur.deadline - cur.open_date).days
        for cycle, last_day in ((prev, span), (cur, TODAY_DAY)):
            frame = _statuses(rng, agencies, span)
            status = _status_on(frame, last_day)
            opened = dt.datetime.combine(cycle.open_date, dt.time(2, 0), tzinfo=dt.UTC)
            s.execute(
                insert(Response),
                [
                    {
                        "cycle_id": cycle.id,
                        "agency_id": int(a),
                        "status": st,
                        "channel": "online",
                        "submitted_at": None
                        if st in ("not_started", "in_progress")
                        else opened + dt.timedelta(days=float(d), hours=float(u) * 8),
                        "updated_at": opened,
                    }
                    for a, st, d, u in zip(
                        frame["agency_id"], status, frame["submit_day"], frame["u"], strict=True
                    )
                ],
            )
            s.execute(insert(FieldworkSnapshot), _snapshots(cycle, frame, last_day))
            if cycle is cur:
                _mail(s, cycle, frame, status, opened, rng)
    return {"agencies": len(agencies), "records": len(records)}


def _mail(
    s: Any,
    cycle: SurveyCycle,
    frame: pd.DataFrame,
    status: pd.Series,
    opened: dt.datetime,
    rng: np.random.Generator,
) -> None:
    """Invitations for all, 1–3 reminders for those who have not answered, 60 bounces."""
    messages = []
    waiting = frame.loc[status.isin(["not_started", "in_progress"]), "agency_id"].tolist()
    for a in frame["agency_id"]:
        messages.append(_message(cycle, int(a), "invitation", 1, opened, "delivered"))
    for a in waiting:
        for rnd in range(1, int(rng.integers(1, 4)) + 1):
            at = opened + dt.timedelta(days=14 * rnd)
            messages.append(_message(cycle, int(a), "reminder", rnd, at, "opened"))
    s.execute(insert(MailMessage), messages)
    now = opened + dt.timedelta(days=TODAY_DAY)
    s.execute(
        insert(MailCorrection),
        [
            {
                "email": f"bounce{i}@example.go.th",
                "agency_id": int(a),
                "event": "bounce",
                "reason": "550 5.1.1 user unknown",
                "status": "open",
                "occurrences": 1 + i % 3,
                "first_seen": now - dt.timedelta(days=3),
                "last_seen": now - dt.timedelta(hours=i),
            }
            for i, a in enumerate(waiting[:60])
        ],
    )


def _message(
    cycle: SurveyCycle, agency_id: int, kind: str, rnd: int, at: dt.datetime, event: str
) -> dict[str, Any]:
    return {
        "cycle_id": cycle.id,
        "agency_id": agency_id,
        "kind": kind,
        "round": rnd,
        "message_key": str(uuid.uuid4()),
        "status": "accepted",
        "attempts": 1,
        "subject": kind,
        "recipients": {},
        "error": "",
        "delivery_status": event,
        "sending_at": at,
        "accepted_at": at,
        "last_event_at": at + dt.timedelta(hours=1),
        "created_at": at,
        "updated_at": at,
    }


# -- the benchmark ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


QUERIES = [
    "",
    "?by=province",
    "?by=ministry",
    "?by=agency_type&level=department",
    "?by=province&level=local_government",
    "?by=level&province=เชียงใหม่",
    "?page=5",
    "?by=mission&level=department&page=2",
]


async def _sign_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/dashboard/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text[:200]
    r = await client.post(
        "/dashboard/login",
        data={"csrf_token": token.group(1), "username": MANAGER, "password": MANAGER_PASSWORD},
    )
    if r.status_code != 303:
        raise RuntimeError(f"manager sign-in failed: {r.status_code}")


async def _viewers(
    base: str, n: int, seconds: float, pace: tuple[float, float] | None
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    clients = [httpx.AsyncClient(base_url=base, timeout=30) for _ in range(n)]
    for client in clients:  # sign-ins (argon2) before the clock starts: only pages are timed
        await _sign_in(client)
    stop = time.monotonic() + seconds

    async def viewer(i: int) -> None:
        nonlocal errors
        rnd = random.Random(i)
        client = clients[i]
        if pace:
            await asyncio.sleep(rnd.uniform(0, pace[1]))  # viewers do not arrive in lockstep
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            r = await client.get("/dashboard/" + rnd.choice(QUERIES))
            latencies.append(time.perf_counter() - t0)
            if r.status_code != 200 or "เหลือเวลาถึงกำหนดส่ง" not in r.text:
                errors += 1
            if pace:
                await asyncio.sleep(rnd.uniform(*pace))
        await client.aclose()

    t0 = time.monotonic()
    await asyncio.gather(*(viewer(i) for i in range(n)))
    wall = time.monotonic() - t0
    ms = sorted(x * 1000 for x in latencies)
    return {
        "pages": len(ms),
        "per_s": round(len(ms) / wall, 1),
        "p50_ms": round(statistics.median(ms), 1) if ms else None,
        "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1) if ms else None,
        "max_ms": round(ms[-1], 1) if ms else None,
        "errors": errors,
    }


async def _cold(base: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await _sign_in(client)
        ms = []
        for query in QUERIES:
            t0 = time.perf_counter()
            (await client.get("/dashboard/" + query)).raise_for_status()
            ms.append(round((time.perf_counter() - t0) * 1000, 1))
    return {"views": len(ms), "median_ms": statistics.median(ms), "max_ms": max(ms)}


def main(argv: list[str] | None = None) -> int:
    """Build the 10k database, start ``dgops web``, measure; prints JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    from argon2 import PasswordHasher

    with tempfile.TemporaryDirectory(prefix="dgops-bench-dash-") as tmp:
        var_dir = Path(tmp)
        url = f"sqlite:///{var_dir / 'dgops.sqlite'}"
        t0 = time.perf_counter()
        engine = make_engine(url)
        counts = build_database(engine)
        engine.dispose()
        print(json.dumps({"setup_s": round(time.perf_counter() - t0, 1), **counts}), flush=True)
        port = _free_port()
        env = {
            **os.environ,
            "DGOPS_DATABASE_URL": url,
            "DGOPS_VAR_DIR": str(var_dir),
            "DGOPS_WEB_MANAGERS": json.dumps({MANAGER: PasswordHasher().hash(MANAGER_PASSWORD)}),
            "DGOPS_WEB_MAX_FAILURES_PER_ADDRESS": "1000",
            "DGOPS_BENCH_TODAY": today().isoformat(),
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.bench_dashboard:app_for_bench",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("dgops web did not start")
                time.sleep(0.2)
            # Cold: every distinct view computed once (what the first viewer of a changed
            # database waits for); then the steady state, where the fingerprint is unchanged.
            cold = asyncio.run(_cold(base))
            print(json.dumps({"phase": "cold (one per view)", **cold}), flush=True)
            for phase, pace in (("paced", (1.0, 2.0)), ("saturated", None)):
                result = asyncio.run(_viewers(base, args.viewers, args.seconds, pace))
                print(json.dumps({"phase": phase, "viewers": args.viewers, **result}), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=20)
    return 0


def app_for_bench() -> Any:
    """``dgops web``'s app with the clock on the benchmark's day (the data is of 2566)."""
    from dgops.settings import get_settings
    from dgops.web import create_app

    day = dt.date.fromisoformat(os.environ["DGOPS_BENCH_TODAY"])
    moment = dt.datetime.combine(day, dt.time(3, 0), tzinfo=dt.UTC)
    return create_app(get_settings(), clock=lambda: moment)


if __name__ == "__main__":
    raise SystemExit(main())
