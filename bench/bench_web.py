"""50 agencies autosaving drafts against ``dgops web`` (uvicorn in a subprocess) on loopback.

Phases (each bounded): sign-in of every agency through /activate (its own code → own password,
the real argon2 costs), then *paced* autosaves (each agency posts 1–3 changed answers every
~1 s, like the page script's debounce) and *saturated* autosaves (no pause). Prints p50/p95/max
latency, requests/s and errors per phase. SQLite (WAL) by default; ``--postgres URL`` (an admin
URL such as DGOPS_TEST_POSTGRES_URL) measures on a throw-away PostgreSQL database too.

    uv run python -m bench.bench_web [--agencies 50] [--seconds 20] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dgops.credentials import issue_credentials
from dgops.cycles.models import SurveyCycle
from dgops.db import Database, make_engine, upgrade
from dgops.framework import Question, load_framework
from dgops.registry.models import Agency, AgencyLevel

PASSWORD = "รหัสผ่านทดสอบประสิทธิภาพ-2566"


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        lat = sorted(self.latencies)
        if not lat:
            return f"{self.name}: no requests, errors {self.errors}"
        p = statistics.quantiles(lat, n=100) if len(lat) > 1 else [lat[0]] * 99
        return (
            f"{self.name}: {len(lat)} requests in {self.seconds:.1f} s "
            f"({len(lat) / self.seconds:.0f}/s), p50 {p[49] * 1000:.0f} ms, "
            f"p95 {p[94] * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms, errors {self.errors}"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(url: str, n: int) -> list[tuple[str, str]]:
    engine = make_engine(url)
    upgrade(engine)
    with Database(engine).begin() as s:
        cycle = SurveyCycle(
            year_be=2566,
            year_ce=2023,
            framework_version="2566",
            title_th="การสำรวจระดับความพร้อมรัฐบาลดิจิทัล ประจำปี พ.ศ. 2566",
            open_date=dt.date(2023, 7, 1),
            deadline=dt.date(2099, 9, 30),
        )
        agencies = [
            Agency(code=f"B{i:04d}", name_th=f"กรมทดสอบ {i}", level=AgencyLevel.DEPARTMENT)
            for i in range(1, n + 1)
        ]
        s.add_all([cycle, *agencies])
        s.flush()
        report = issue_credentials(s, cycle, agencies, actor="bench")
        logins = [(c.username, c.code.reveal()) for c in report.issued]
    engine.dispose()
    return logins


def _value(q: Question, rng: random.Random) -> list[str] | str:
    if q.type in ("yes_no", "single_choice"):
        return rng.choice(q.option_ids())
    if q.type == "multiple_choice":
        return rng.sample(q.option_ids(), k=rng.randint(1, len(q.option_ids())))
    if q.type == "number":
        return f"{rng.randint(0, 5000):,}"
    if q.type == "percentage":
        return str(round(rng.uniform(0, 100), 1))
    return "บันทึกจากการทดสอบ " + "ก" * rng.randint(5, 200)


async def _sign_in(base: str, username: str, code: str) -> tuple[httpx.AsyncClient, str]:
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
    page = await client.get("/survey/pillar/P1")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    return client, csrf.group(1)


async def _agency(
    client: httpx.AsyncClient,
    csrf: str,
    questions: list[Question],
    phase: Phase,
    until: float,
    pace: float,
    seed: int,
) -> None:
    rng = random.Random(seed)
    while time.perf_counter() < until:
        picked = rng.sample(questions, k=rng.randint(1, 3))
        data: dict[str, str | list[str]] = {"csrf_token": csrf, "_q": [q.id for q in picked]}
        for q in picked:
            data[q.id] = _value(q, rng)
        start = time.perf_counter()
        try:
            r = await client.post("/survey/autosave", data=data)
            ok = r.status_code == 200 and r.json().get("ok")
        except httpx.HTTPError:
            ok = False
        phase.latencies.append(time.perf_counter() - start)
        if not ok:
            phase.errors += 1
        if pace:
            await asyncio.sleep(rng.uniform(0.5 * pace, 1.5 * pace))


async def _run(base: str, logins: list[tuple[str, str]], seconds: float) -> list[Phase]:
    fw = load_framework("2566")
    questions = [q for q in fw.questions if q.type != "evidence" and q.show_if is None]
    sign_in = Phase("sign-in (activation + own password, 4 at a time)")
    start = time.perf_counter()
    gate = asyncio.Semaphore(4)

    async def one(username: str, code: str) -> tuple[httpx.AsyncClient, str]:
        async with gate:
            t = time.perf_counter()
            out = await _sign_in(base, username, code)
            sign_in.latencies.append(time.perf_counter() - t)
            return out

    sessions = await asyncio.gather(*(one(u, c) for u, c in logins))
    sign_in.seconds = time.perf_counter() - start
    phases = [sign_in]
    for name, pace in (("paced autosave (~1 s apart)", 1.0), ("saturated autosave", 0.0)):
        phase = Phase(f"{name}, {len(sessions)} agencies")
        start = time.perf_counter()
        until = start + seconds
        await asyncio.gather(
            *(
                _agency(c, csrf, questions, phase, until, pace, i)
                for i, (c, csrf) in enumerate(sessions)
            )
        )
        phase.seconds = time.perf_counter() - start
        phases.append(phase)
    for c, _ in sessions:
        await c.aclose()
    return phases


def measure(url: str, agencies: int, seconds: float, var_dir: Path) -> list[Phase]:
    """Seed ``url``, serve it with ``dgops web`` in a subprocess and run the phases."""
    logins = _seed(url, agencies)
    port = _free_port()
    exe = shutil.which("dgops") or str(Path(sys.executable).parent / "dgops")
    env = {**os.environ, "DGOPS_DATABASE_URL": url, "DGOPS_VAR_DIR": str(var_dir)}
    server = subprocess.Popen(
        [exe, "web", "--host", "127.0.0.1", "--port", str(port)],
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
        return asyncio.run(_run(base, logins, seconds))
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def _postgres_db(admin_url: str) -> tuple[str, Any]:
    name = f"dgops_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    """Print latency percentiles and errors of 50 agencies autosaving drafts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--agencies", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("DGOPS_TEST_POSTGRES_URL", ""),
        help="Admin URL of a PostgreSQL server to measure too (default $DGOPS_TEST_POSTGRES_URL).",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        print(f"SQLite (WAL), {os.cpu_count()} cores:")
        for phase in measure(url, args.agencies, args.seconds, Path(tmp)):
            print("  " + phase.line(), flush=True)
        if args.postgres:
            pg_url, drop = _postgres_db(args.postgres)
            try:
                print("PostgreSQL:")
                for phase in measure(pg_url, args.agencies, args.seconds, Path(tmp)):
                    print("  " + phase.line(), flush=True)
            finally:
                drop()


if __name__ == "__main__":
    main()
