"""The results page against a static file of the same ``dgops web`` (uvicorn in a subprocess)
at 50 concurrent signed-in agencies on loopback.

Seeds a cycle of ``--agencies`` agencies (the 2566 framework) with a released run (every
agency scored, recommendations for every sub-indicator, result letters issued unless
``--no-letters``), signs ``--clients`` distinct agencies
in through /activate, opens each one's results page once (the first request reads the run),
then for ``--seconds`` each phase has every agency fetch, in turn, its own ``/results`` or
``/static/portal.css`` — paced (~1 s apart, like people reading) and saturated (no pause).
Prints p50/p95/max per phase and the ratio of the p95s (target: results ≤ 3 × static).

    uv run python -m bench.bench_results_page [--agencies 376] [--clients 50] [--seconds 15]
        [--no-letters]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from bench.bench_web import PASSWORD, Phase
from dgops.credentials import issue_credentials
from dgops.cycles.models import SurveyCycle
from dgops.db import Database, make_engine, upgrade
from dgops.framework import load_framework
from dgops.registry.models import Agency, AgencyLevel, CycleAgency
from dgops.results.models import (
    AgencyRecommendation,
    RecommendationClass,
    ResultLetter,
    ResultLetterKind,
    ScoreKind,
    ScoreRun,
    ScoreValue,
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(url: str, n: int, clients: int, letters: bool) -> list[tuple[str, str]]:
    """A cycle of ``n`` agencies with a released run (and their result letters issued);
    credentials for the first ``clients``."""
    fw = load_framework("2566")
    rng = random.Random(13)
    engine = make_engine(url)
    upgrade(engine)
    levels = [AgencyLevel.DEPARTMENT, AgencyLevel.PROVINCIAL_OFFICE]
    with Database(engine).begin() as s:
        cycle = SurveyCycle(
            year_be=2566,
            year_ce=2023,
            framework_version="2566",
            title_th="การสำรวจระดับความพร้อมรัฐบาลดิจิทัล ประจำปี พ.ศ. 2566",
            open_date=dt.date(2023, 7, 1),
            deadline=dt.date(2023, 9, 30),
        )
        agencies = [
            Agency(code=f"R{i:05d}", name_th=f"หน่วยงานทดสอบ {i}", level=levels[i % 2])
            for i in range(1, n + 1)
        ]
        s.add_all([cycle, *agencies])
        s.flush()
        s.execute(
            insert(CycleAgency), [{"cycle_id": cycle.id, "agency_id": a.id} for a in agencies]
        )
        run = ScoreRun(
            cycle_id=cycle.id,
            framework_version="2566",
            actor="bench",
            n_agencies=n,
            params={"peer_by": ["level"]},
            released_at=dt.datetime.now(dt.UTC),
            released_by="bench",
        )
        s.add(run)
        s.flush()
        scores: list[dict[str, Any]] = []
        recs: list[dict[str, Any]] = []
        classes = list(RecommendationClass)
        for a in agencies:
            pillar_scores = []
            for pillar in fw.pillars:
                subs = [rng.uniform(0, 100) for _ in pillar.sub_indicators]
                for sub, value in zip(pillar.sub_indicators, subs, strict=True):
                    scores.append(_row(run.id, a.id, ScoreKind.SUB_INDICATOR, sub.code, value))
                    recs.append(
                        {
                            "run_id": run.id,
                            "agency_id": a.id,
                            "sub_indicator": sub.code,
                            "pillar": pillar.code,
                            "rec_class": classes[min(2, int(value // 34))],
                            "score": value,
                            "peer_mean": 50.0,
                            "advice_th": "ควรจัดทำแผนพัฒนาและติดตามผลอย่างสม่ำเสมอ " * 3,
                            "lead_unit": "ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร",
                            "support_units": ["กองยุทธศาสตร์และแผนงาน"],
                        }
                    )
                value = sum(subs) / len(subs)
                pillar_scores.append(value)
                scores.append(_row(run.id, a.id, ScoreKind.PILLAR, pillar.code, value))
            overall = sum(pillar_scores) / len(pillar_scores)
            scores.append(_row(run.id, a.id, ScoreKind.OVERALL, "overall", overall))
        s.execute(insert(ScoreValue), scores)
        s.execute(insert(AgencyRecommendation), recs)
        if letters:  # the state after ``dgops results send``: every agency has its letter
            s.execute(
                insert(ResultLetter),
                [
                    {
                        "cycle_id": cycle.id,
                        "agency_id": a.id,
                        "run_id": run.id,
                        "kind": ResultLetterKind.RESULT,
                        "number": f"สพร 0105/ว {i}",
                        "issued_on": dt.date(2024, 1, 15),
                    }
                    for i, a in enumerate(agencies, start=1)
                ],
            )
        report = issue_credentials(s, cycle, agencies[:clients], actor="bench")
        logins = [(c.username, c.code.reveal()) for c in report.issued]
    engine.dispose()
    return logins


def _row(run_id: int, agency_id: int, kind: ScoreKind, code: str, value: float) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "agency_id": agency_id,
        "kind": kind,
        "code": code,
        "score": value,
        "level": 1 + min(4, int(value // 20)),
    }


async def _sign_in(base: str, username: str, code: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    page = await client.get("/activate")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    r = await client.post(
        "/activate",
        data={
            "csrf_token": token.group(1),
            "username": username,
            "code": code,
            "password": PASSWORD,
            "password2": PASSWORD,
        },
    )
    if r.status_code != 303:
        raise RuntimeError(f"sign-in failed with HTTP {r.status_code}")
    return client


async def _fetch(
    client: httpx.AsyncClient, path: str, phase: Phase, until: float, pace: float, seed: int
) -> None:
    rng = random.Random(seed)
    if pace:  # people do not all click at the same instant: spread the first requests
        await asyncio.sleep(rng.uniform(0, pace))
    while time.perf_counter() < until:
        start = time.perf_counter()
        try:
            r = await client.get(path)
            ok = r.status_code == 200 and (path != "/results" or "overall-score" in r.text)
        except httpx.HTTPError:
            ok = False
        phase.latencies.append(time.perf_counter() - start)
        if not ok:
            phase.errors += 1
        if pace:
            await asyncio.sleep(rng.uniform(0.5 * pace, 1.5 * pace))


async def _once(client: httpx.AsyncClient, path: str, phase: Phase) -> None:
    start = time.perf_counter()
    r = await client.get(path)
    phase.latencies.append(time.perf_counter() - start)
    phase.errors += r.status_code != 200 or "overall-score" not in r.text


async def _run(base: str, logins: list[tuple[str, str]], seconds: float) -> list[Phase]:
    gate = asyncio.Semaphore(4)

    async def one(username: str, code: str) -> httpx.AsyncClient:
        async with gate:
            return await _sign_in(base, username, code)

    clients = await asyncio.gather(*(one(u, c) for u, c in logins))
    first = Phase("first results page of every agency at once (the run is read once)")
    start = time.perf_counter()
    await asyncio.gather(*(_once(c, "/results", first) for c in clients))
    first.seconds = time.perf_counter() - start
    phases = [first]
    for mode, pace in (("paced ~1 s", 1.0), ("saturated", 0.0)):
        for path in ("/static/portal.css", "/results"):
            phase = Phase(f"{mode}: GET {path}, {len(clients)} agencies")
            start = time.perf_counter()
            until = start + seconds
            await asyncio.gather(
                *(_fetch(c, path, phase, until, pace, i) for i, c in enumerate(clients))
            )
            phase.seconds = time.perf_counter() - start
            phases.append(phase)
    for c in clients:
        await c.aclose()
    return phases


def _p95(phase: Phase) -> float:
    lat = sorted(phase.latencies)
    return lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else float("nan")


def measure(
    url: str, agencies: int, clients: int, seconds: float, var_dir: Path, letters: bool
) -> None:
    """Seed ``url``, serve it with ``dgops web`` and print the phases and the p95 ratios."""
    t = time.perf_counter()
    logins = _seed(url, agencies, clients, letters)
    print(f"  seeded {agencies} agencies with a released run in {time.perf_counter() - t:.1f} s")
    port = _free_port()
    # This checkout's dgops (not whichever the ``dgops`` script was installed from).
    root = str(Path(__file__).resolve().parents[1])
    env = {
        **os.environ,
        "DGOPS_DATABASE_URL": url,
        "DGOPS_VAR_DIR": str(var_dir),
        "PYTHONPATH": root,
    }
    address = ["--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        [sys.executable, "-c", "from dgops.cli import main; main()", "web", *address],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("dgops web did not start")
        phases = asyncio.run(_run(base, logins, seconds))
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    for phase in phases:
        print("  " + phase.line(), flush=True)
    for i, mode in ((1, "paced"), (3, "saturated")):
        static, page = _p95(phases[i]), _p95(phases[i + 1])
        verdict = "ok" if page <= 3 * static else "ABOVE the 3x target"
        print(
            f"  {mode}: results p95 {page * 1000:.1f} ms / static p95 {static * 1000:.1f} ms "
            f"= {page / static:.2f}x ({verdict})"
        )


def main() -> None:
    """Print the results page's latency against a static file's at 50 agencies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--agencies", type=int, default=376)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument(
        "--no-letters", action="store_true", help="before the letters are sent (none issued)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        state = "no letters issued yet" if args.no_letters else "letters issued"
        print(f"SQLite (WAL), {os.cpu_count()} cores, {args.agencies} agencies, {state}:")
        measure(url, args.agencies, args.clients, args.seconds, Path(tmp), not args.no_letters)


if __name__ == "__main__":
    main()
