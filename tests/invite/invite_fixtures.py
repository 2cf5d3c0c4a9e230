"""Helpers of the invitation tests: a cycle with agencies, a fake clock, a crash hook."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from dgops.credentials import CredentialPolicy, HashProfile
from dgops.cycles import create_cycle
from dgops.db import Database
from dgops.letters import pdf_text
from dgops.registry.models import Agency, AgencyLevel, Contact, ContactRole, CycleAgency

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "SG.invite-test"
CHEAP = CredentialPolicy(activation_profile=HashProfile(time_cost=1, memory_cost=64, parallelism=1))
CODE = re.compile(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}")
USERNAME = re.compile(r"DG\d\d-[A-Z0-9]+")


class FakeClock:
    """Wall-clock time that only moves when told (or when someone sleeps)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


class Crash(Exception):
    """The process dies here."""


class CrashAt:
    """Raise :class:`Crash` the ``nth`` time (1-based) ``step`` is reached."""

    def __init__(self, step: str, nth: int = 1) -> None:
        self.step, self.nth, self.seen = step, nth, 0

    def __call__(self, step: str, _id: int) -> None:
        if step == self.step:
            self.seen += 1
            if self.seen == self.nth:
                raise Crash(step)


@dataclass
class World:
    cycle_id: int
    codes: list[str]
    ids: list[int]


def make_world(engine: Engine, n: int = 4, *, year: int = 2566) -> World:
    """Cycle ``year`` with ``n`` enrolled departments (head, CIO, coordinator)."""
    with Database(engine).begin() as session:
        cycle = create_cycle(
            session,
            year=year,
            open_date=dt.date(year - 543, 7, 3),
            deadline=dt.date(year - 543, 8, 31),
            actor="test",
        )
        agencies = []
        for i in range(1, n + 1):
            a = Agency(code=f"D{i:04d}", name_th=f"กรมทดสอบที่ {i}", level=AgencyLevel.DEPARTMENT)
            a.contacts = [
                Contact(
                    role=ContactRole.HEAD,
                    name=f"นายหัวหน้า {i}",
                    title=f"อธิบดีกรมทดสอบที่ {i}",
                    email=f"saraban{i}@dept{i}.example.org",
                ),
                Contact(role=ContactRole.CIO, name=f"CIO {i}", email=f"cio{i}@dept{i}.example.org"),
                Contact(
                    role=ContactRole.COORDINATOR,
                    name=f"ผู้ประสานงาน {i}",
                    email=f"it{i}@dept{i}.example.org",
                ),
            ]
            agencies.append(a)
        session.add_all(agencies)
        session.flush()
        session.add_all([CycleAgency(cycle_id=cycle.id, agency_id=a.id) for a in agencies])
        return World(cycle.id, [a.code for a in agencies], [a.id for a in agencies])


def delivered_letters(outbox: Path) -> dict[str, list[bytes]]:
    """The PDF attachments of every mail in the sink's outbox, by agency code."""
    out: dict[str, list[bytes]] = {}
    for f in sorted(outbox.glob("*.json")):
        record = json.loads(f.read_text(encoding="utf-8"))
        payload = record["payload"]
        code = record["custom_args"]["dgops_agency"]
        for a in payload.get("attachments") or []:
            out.setdefault(code, []).append(base64.b64decode(a["content"]))
    return out


def login_in(pdf: bytes) -> tuple[str, str]:
    """(username, activation code) printed in a delivered letter."""
    text = pdf_text(pdf)
    user, code = USERNAME.search(text), CODE.search(text)
    assert user is not None, "no username in the letter"
    assert code is not None, "no activation code in the letter"
    return user.group(0), code.group(0)
