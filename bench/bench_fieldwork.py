"""Benchmark: the daily fieldwork steps for 10,000 agencies — snapshot and reminder selection.

Setup (not timed): the demo's ``10k`` registry imported into a fresh SQLite database, every
agency invited (ledger rows in bulk), responses set in bulk (≈45% submitted/verified, 25% in
progress, the rest not started), one round of reminders already accepted for a third.
Timed: ``take_snapshot`` and ``select_due`` on a working day a week before the deadline, plus
``agency_progress``, ``response_rates`` by province, ``reminder_queue`` and ``call_list``.
Target: snapshot + selection ≤ 5 s. Run: ``uv run python -m bench.bench_fieldwork``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

TARGET_SECONDS = 5.0


def _setup(db: Path, scale: str) -> int:
    from dgops.cycles import create_cycle
    from dgops.db import Database, upgrade
    from dgops.demo import generate_registry
    from dgops.mail import MailMessage
    from dgops.registry import import_registry
    from dgops.registry.models import CycleAgency
    from dgops.responses.models import Response

    database = Database.connect(f"sqlite:///{db}")
    upgrade(database.engine)
    records = generate_registry(scale)
    with database, database.begin() as s:
        cycle = create_cycle(
            s,
            year=2566,
            open_date=dt.date(2023, 7, 3),
            deadline=dt.date(2023, 8, 31),
            actor="bench",
        )
        import_registry(s, records, cycle_year=2566, actor="bench")
        ids = list(s.scalars(select(CycleAgency.agency_id).where(CycleAgency.cycle_id == cycle.id)))
        rng = np.random.default_rng(7)
        draw = rng.random(len(ids))
        invited = dt.datetime(2023, 7, 3, 3, tzinfo=dt.UTC)
        s.execute(
            insert(MailMessage),
            [
                {
                    "cycle_id": cycle.id,
                    "agency_id": a,
                    "kind": "invitation",
                    "round": 1,
                    "message_key": str(uuid.uuid4()),
                    "status": "accepted",
                    "accepted_at": invited,
                }
                for a in ids
            ],
        )
        statuses = np.select(
            [draw < 0.35, draw < 0.45, draw < 0.7],
            ["submitted", "verified", "in_progress"],
            "not_started",
        )
        s.execute(
            insert(Response),
            [
                {
                    "cycle_id": cycle.id,
                    "agency_id": a,
                    "status": str(st),
                    "submitted_at": invited + dt.timedelta(days=10)
                    if st in ("submitted", "verified")
                    else None,
                }
                for a, st in zip(ids, statuses, strict=True)
                if st != "not_started"
            ],
        )
        reminded = dt.datetime(2023, 7, 11, 3, tzinfo=dt.UTC)
        s.execute(
            insert(MailMessage),
            [
                {
                    "cycle_id": cycle.id,
                    "agency_id": a,
                    "kind": "reminder",
                    "round": 1,
                    "message_key": str(uuid.uuid4()),
                    "status": "accepted",
                    "accepted_at": reminded,
                }
                for a, d in zip(ids, draw, strict=True)
                if d > 0.66
            ],
        )
    return len(ids)


def _timed(label: str, fn, results: dict[str, float]):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    results[label] = time.perf_counter() - start
    return out


def main(argv: list[str] | None = None) -> None:
    """Print the timings; exit 1 if snapshot + selection exceed the target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="10k")
    args = parser.parse_args(argv)

    from dgops.db import Database
    from dgops.fieldwork import (
        agency_progress,
        call_list,
        reminder_queue,
        response_rates,
        select_due,
        take_snapshot,
    )

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite"
        t0 = time.perf_counter()
        n = _setup(db, args.scale)
        print(f"setup: {n:,} agencies in {time.perf_counter() - t0:.1f} s (not timed)")
        database = Database.connect(f"sqlite:///{db}")
        day = dt.date(2023, 8, 24)  # Thursday, deadline minus 7
        t: dict[str, float] = {}
        with database, database.begin() as s:
            rows = _timed("snapshot", lambda: take_snapshot(s, 2566, day), t)
            due = _timed("select_due", lambda: select_due(s, 2566, today=day), t)
            _timed("agency_progress", lambda: agency_progress(s, 2566, today=day), t)
            _timed("rates_by_province", lambda: response_rates(s, 2566, by="province"), t)
            queue = _timed("reminder_queue", lambda: reminder_queue(s, 2566, today=day), t)
            calls = _timed("call_list", lambda: call_list(s, 2566, today=day), t)
    for k, v in t.items():
        print(f"  {k:<18} {v:6.2f} s")
    total = t["snapshot"] + t["select_due"]
    print(
        f"snapshot ({rows} rows) + selection ({len(due):,} reminders due) = {total:.2f} s "
        f"(target ≤ {TARGET_SECONDS:.0f} s); queue {len(queue):,} rows, call list {len(calls):,}"
    )
    if total > TARGET_SECONDS:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
