"""A cycle with two agencies (A and B) holding activation codes, and the portal built on it."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dgops.credentials import (
    CredentialError,
    CredentialPolicy,
    HashProfile,
    PasswordPolicyError,
    issue_credentials,
    password_problems,
    set_password,
)
from dgops.credentials.models import PortalAccount
from dgops.cycles.models import SurveyCycle
from dgops.db import Database
from dgops.framework import Framework, load_framework
from dgops.registry.models import Agency, AgencyLevel
from dgops.responses import EvidenceStorage
from dgops.settings import PROJECT_ROOT, Settings
from dgops.web import ResetTokens, WebConfig, create_app

with warnings.catch_warnings():
    # Starlette 1.x asks for the `httpx2` package; its TestClient still works on httpx.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

CHEAP = HashProfile(time_cost=1, memory_cost=64, parallelism=1)
FRAMEWORK_FILE = Path(__file__).parent / "fixtures" / "framework.yaml"
PASSWORD = "ต้นไม้ใหญ่ริมน้ำ-2566"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
START = dt.datetime(2023, 8, 1, 3, 0, tzinfo=dt.UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


@dataclass
class AgencyLogin:
    key: str
    agency_id: int
    code: str
    username: str
    activation: str = field(repr=False)


@dataclass
class World:
    engine: Engine
    db: Database
    cycle_id: int
    agencies: dict[str, AgencyLogin]
    clock: FakeClock
    policy: CredentialPolicy
    framework: Framework
    storage: EvidenceStorage
    settings: Settings

    def app(
        self, config: WebConfig | None = None, reset_tokens: ResetTokens | None = None
    ) -> FastAPI:
        return create_app(
            self.settings,
            db=self.db,
            clock=self.clock,
            policy=self.policy,
            config=config or WebConfig(),
            frameworks=lambda _version: self.framework,
            storage=self.storage,
            reset_tokens=reset_tokens,
        )


@pytest.fixture(scope="session")
def framework() -> Framework:
    return load_framework(FRAMEWORK_FILE)


def make_world(engine: Engine, tmp_path: Path, framework: Framework) -> World:
    policy = CredentialPolicy(activation_profile=CHEAP, password_profile=CHEAP, hash_workers=1)
    db = Database(engine)
    with db.begin() as s:
        cycle = SurveyCycle(
            year_be=2566,
            year_ce=2023,
            framework_version="webtest",
            title_th="การสำรวจระดับความพร้อมรัฐบาลดิจิทัล ประจำปี พ.ศ. 2566",
            open_date=dt.date(2023, 7, 1),
            deadline=dt.date(2023, 9, 30),
        )
        a = Agency(code="D0001", name_th="กรมทดสอบหนึ่ง", level=AgencyLevel.DEPARTMENT)
        b = Agency(code="D0002", name_th="กรมทดสอบสอง", level=AgencyLevel.DEPARTMENT)
        s.add_all([cycle, a, b])
        s.flush()
        report = issue_credentials(s, cycle, [a, b], actor="test", policy=policy, now=START)
        logins = {
            key: AgencyLogin(
                key=key,
                agency_id=issued.agency_id,
                code=issued.agency_code,
                username=issued.username,
                activation=issued.code.reveal(),
            )
            for key, issued in zip("AB", report.issued, strict=True)
        }
        cycle_id = cycle.id
    return World(
        engine=engine,
        db=db,
        cycle_id=cycle_id,
        agencies=logins,
        clock=FakeClock(),
        policy=policy,
        framework=framework,
        storage=EvidenceStorage(tmp_path / "evidence"),
        settings=Settings(var_dir=tmp_path, home=PROJECT_ROOT, portal_url="http://testserver"),
    )


@pytest.fixture
def world(sqlite_engine: Engine, tmp_path: Path, framework: Framework) -> World:
    return make_world(sqlite_engine, tmp_path, framework)


@pytest.fixture
def app(world: World) -> FastAPI:
    return world.app()


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def activate(client: TestClient, login: AgencyLogin, password: str = PASSWORD) -> None:
    """First visit: username + activation code → own password, signed in."""
    page = client.get("/activate")
    r = client.post(
        "/activate",
        data={
            "csrf_token": csrf_of(page.text),
            "username": login.username,
            "code": login.activation,
            "password": password,
            "password2": password,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/survey")


def survey_csrf(client: TestClient, path: str = "/survey") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


@pytest.fixture
def clients(app: FastAPI, world: World) -> Iterator[dict[str, TestClient]]:
    """Signed-in clients of agency A and agency B."""
    out: dict[str, TestClient] = {}
    for key, login in world.agencies.items():
        c = TestClient(app)
        c.__enter__()
        activate(c, login)
        out[key] = c
    yield out
    for c in out.values():
        c.__exit__(None, None, None)


class FakeResetTokens:
    """The password-reset links of ``dgops.credentials`` as the portal uses them
    (``dgops.web.ResetTokens``): tokens issued by the test, checked and spent here."""

    def __init__(self, clock: FakeClock, ttl: dt.timedelta = dt.timedelta(hours=1)) -> None:
        self.clock = clock
        self.ttl = ttl
        self.links: dict[str, tuple[str, dt.datetime]] = {}
        self.spent: set[str] = set()

    def issue(self, username: str) -> str:
        token = f"tok-{len(self.links)}-{username}-0123456789abcdef0123456789"
        self.links[token] = (username, self.clock() + self.ttl)
        return token

    def check_reset_token(
        self, session: Session, token: str, *, now: dt.datetime | None = None
    ) -> PortalAccount:
        found = self.links.get(token)
        if found is None or token in self.spent or found[1] <= (now or self.clock()):
            raise CredentialError("reset link unusable")
        account = session.scalar(select(PortalAccount).where(PortalAccount.username == found[0]))
        assert account is not None
        return account

    def redeem_reset_token(
        self,
        session: Session,
        token: str,
        new_password: str,
        *,
        policy: CredentialPolicy | None = None,
        now: dt.datetime | None = None,
    ) -> PortalAccount:
        account = self.check_reset_token(session, token, now=now)
        problems = password_problems(new_password, account.username, policy or CredentialPolicy())
        if problems:
            raise PasswordPolicyError(problems)
        set_password(session, account.username, new_password, policy=policy, now=now)
        self.spent.add(token)
        return account
