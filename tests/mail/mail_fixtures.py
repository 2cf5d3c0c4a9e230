"""Helpers of the mail tests: a fake clock, a small registry, invitation messages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from dgops.cycles import create_cycle
from dgops.db import Database
from dgops.mail import Attachment, MailConfig, OutgoingMessage, Recipient
from dgops.mail.message import ARG_MESSAGE_KEY
from dgops.mail.transport import ActivityMessage, Uncertain
from dgops.registry.models import Agency, AgencyLevel, Contact, ContactRole

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "SG.test-key"
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


class FakeClock:
    """Wall-clock time that only moves when told (or when someone sleeps)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@dataclasses.dataclass
class World:
    cycle_id: int
    agencies: list[Agency]

    def messages(self, kind: str = "invitation", round: int = 1) -> list[OutgoingMessage]:
        return [invitation(self.cycle_id, a, kind=kind, round=round) for a in self.agencies]


def invitation(
    cycle_id: int, agency: Agency, kind: str = "invitation", round: int = 1
) -> OutgoingMessage:
    return OutgoingMessage(
        cycle_id=cycle_id,
        agency_id=agency.id,
        agency_code=agency.code,
        kind=kind,
        round=round,
        cycle_label="2566",
        recipients=tuple(
            Recipient(email=c.email or "", role=c.role, name=c.name) for c in agency.contacts
        ),
        context={
            "agency_name": agency.name_th,
            "survey_title": "การสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ ประจำปี พ.ศ. 2566",
            "year_be": 2566,
            "deadline": dt.date(2023, 8, 31),
            "portal_url": "https://survey.dga.example.org",
            "letter_number": "สพร ๒๕๖๖/ว๔๐๙๙",
        },
        attachments=(Attachment(f"letter-{agency.code}.pdf", PDF),),
    )


def make_world(engine: Engine, n: int = 6) -> World:
    with Database(engine).begin() as session:
        cycle = create_cycle(
            session,
            year=2566,
            open_date=dt.date(2023, 7, 1),
            deadline=dt.date(2023, 8, 31),
            actor="test",
        )
        agencies = []
        for i in range(n):
            a = Agency(code=f"A{i:03d}", name_th=f"กรมทดสอบที่ {i}", level=AgencyLevel.DEPARTMENT)
            a.contacts = [
                Contact(role=ContactRole.HEAD, name=f"อธิบดี {i}", email=f"head{i}@agency{i}.go.th"),
                Contact(role=ContactRole.CIO, name=f"CIO {i}", email=f"cio{i}@agency{i}.go.th"),
                Contact(
                    role=ContactRole.COORDINATOR,
                    name=f"ผู้ประสานงาน {i}",
                    email=f"coord{i}@agency{i}.go.th",
                ),
            ]
            session.add(a)
            agencies.append(a)
        session.flush()
        for a in agencies:
            _ = list(a.contacts)
        session.expunge_all()
        return World(cycle.id, agencies)


class ScriptedTransport:
    """A :class:`MailTransport` that answers from a script, shared by every worker.

    ``script`` items: an exception to raise, or a message id to return; after the script, it
    returns fresh ids. ``activity`` maps a message key to what Email Activity lists.
    """

    def __init__(self, script: list[object] | None = None) -> None:
        self.script = list(script or [])
        self.sent: list[dict[str, object]] = []
        self.activity: dict[str, list[ActivityMessage]] = {}
        self.activity_error: Exception | None = None
        self.queries: list[str] = []
        self.requests: list[list[str]] = []
        self._lock = threading.Lock()

    def __call__(self, _config: MailConfig) -> ScriptedTransport:
        return self

    def send(self, payload: dict[str, object]) -> str:
        with self._lock:
            step = self.script.pop(0) if self.script else None
            args = payload["custom_args"]
            assert isinstance(args, dict)
            key = args[ARG_MESSAGE_KEY]
            if isinstance(step, Exception) and not getattr(step, "accepted", False):
                raise step
            msg_id = f"sg{len(self.sent) + 1}"
            self.sent.append(payload)
            pers = payload["personalizations"]
            assert isinstance(pers, list)
            for i, r in enumerate([*pers[0].get("to", []), *pers[0].get("cc", [])]):
                # Like Email Activity: one row per recipient, no custom args in the row.
                self.activity.setdefault(key, []).append(
                    ActivityMessage(f"{msg_id}.filter{i}", "processed", r["email"])
                )
            if isinstance(step, Exception):  # taken by SendGrid, but the answer is lost
                raise step
            return str(step) if isinstance(step, str) else msg_id

    def find_by_custom_args(self, name: str, values: Sequence[str]) -> list[ActivityMessage]:
        assert name == ARG_MESSAGE_KEY
        with self._lock:
            self.queries.extend(values)
            self.requests.append(list(values))
            if self.activity_error is not None:
                raise self.activity_error
            return [row for v in values for row in self.activity.get(v, [])]


def accepted_uncertain(message: str = "connection dropped") -> Uncertain:
    """An Uncertain failure after which the scripted SendGrid has the message."""
    exc = Uncertain(message)
    exc.accepted = True  # type: ignore[attr-defined]
    return exc
