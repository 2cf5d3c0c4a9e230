"""Sign-in throttling: waits that grow and expire, never a lock anyone else can trigger.

Think of the attacker who knows an agency's username (``DG66-<code>`` is printed on letters):
whatever they send, the agency's live session goes on, its usual browser still signs in, a new
browser waits at most ``throttle_max_delay``, and its first visit (activation code) is not
delayed at all.
"""

from __future__ import annotations

import datetime as dt
import re

from fastapi import FastAPI
from sqlalchemy import select

from dgops.credentials.models import PortalAccount
from dgops.web import LoginThrottler, WebConfig
from dgops.web.models import LoginThrottle
from dgops.web.security import clear_throttle, throttled
from tests.web.conftest import PASSWORD, TestClient, World, activate, csrf_of

ATTACKER = {"X-Forwarded-For": "203.0.113.9"}
AGENCY_OFFICE = {"X-Forwarded-For": "198.51.100.20"}
# Every client of the TestClient comes from "testclient": a trusted proxy ("*") lets each
# test client say which address it is.
PROXIED = WebConfig(trusted_proxies=("*",))


def _login(c: TestClient, username: str, password: str) -> object:
    page = c.get("/login")
    return c.post(
        "/login",
        data={"csrf_token": csrf_of(page.text), "username": username, "password": password},
        follow_redirects=False,
    )


def _attack(app: FastAPI, username: str, times: int) -> None:
    with TestClient(app, headers=ATTACKER) as evil:
        for _ in range(times):
            _login(evil, username, "guess-the-password-1")


def test_should_keep_the_agency_signed_in_and_its_browser_usable_under_attack(
    world: World,
) -> None:
    app = world.app(PROXIED)
    a = world.agencies["A"]
    with TestClient(app, headers=AGENCY_OFFICE) as agency:
        activate(agency, a)
        _attack(app, a.username, 40)
        assert agency.get("/survey", follow_redirects=False).status_code == 200
        with world.db.begin() as s:
            account = s.scalar(select(PortalAccount).where(PortalAccount.username == a.username))
            assert account is not None
            assert account.locked_at is None
        # Signing out and in again from the same browser: its own record is clean.
        token = csrf_of(agency.get("/survey").text)
        agency.post("/logout", data={"csrf_token": token})
        r = _login(agency, a.username, PASSWORD)
        assert r.status_code == 303  # type: ignore[attr-defined]


def test_should_make_a_new_browser_wait_a_while_and_then_let_it_in(world: World) -> None:
    app = world.app(PROXIED)
    a = world.agencies["A"]
    with TestClient(app, headers=AGENCY_OFFICE) as first:
        activate(first, a)
    _attack(app, a.username, 40)
    with TestClient(app, headers=AGENCY_OFFICE) as laptop:  # never signed in here
        r = _login(laptop, a.username, PASSWORD)
        assert r.status_code == 429  # type: ignore[attr-defined]
        text = r.text  # type: ignore[attr-defined]
        assert re.search(r"กรุณารออีกประมาณ \d+ นาที", text)
        assert "เครื่องที่เคยเข้าสู่ระบบสำเร็จ" in text
        world.clock.advance(PROXIED.throttle_max_delay + dt.timedelta(seconds=1))
        r = _login(laptop, a.username, PASSWORD)
        assert r.status_code == 303  # type: ignore[attr-defined]


def test_should_not_let_a_forged_device_cookie_skip_the_wait(world: World) -> None:
    app = world.app(PROXIED)
    a, b = world.agencies["A"], world.agencies["B"]
    with TestClient(app, headers=AGENCY_OFFICE) as b_browser:
        activate(b_browser, b)  # a real mark, but of agency B's account
        b_mark = b_browser.cookies.get(PROXIED.device_cookie_name)
    assert b_mark
    with TestClient(app, headers=AGENCY_OFFICE) as first:
        activate(first, a)
    for mark in ("forged.0123456789abcdef", b_mark):
        with TestClient(app, headers=ATTACKER) as evil:
            evil.cookies.set(PROXIED.device_cookie_name, mark)
            for _ in range(PROXIED.max_failures_per_username):
                _login(evil, a.username, "guess-the-password-1")
            r = _login(evil, a.username, "guess-the-password-1")
            assert r.status_code == 429, mark  # type: ignore[attr-defined]
        world.clock.advance(dt.timedelta(hours=2))


def test_should_not_delay_a_first_visit_when_someone_else_tries_codes(world: World) -> None:
    app = world.app(PROXIED)
    b = world.agencies["B"]
    with TestClient(app, headers=ATTACKER) as evil:
        for _ in range(10):
            page = evil.get("/activate")
            evil.post(
                "/activate",
                data={
                    "csrf_token": csrf_of(page.text),
                    "username": b.username,
                    "code": "AAAA-BBBB-CCCC",
                    "password": "รหัสผ่านของผู้บุกรุก-1",
                    "password2": "รหัสผ่านของผู้บุกรุก-1",
                },
            )
    with TestClient(app, headers=AGENCY_OFFICE) as agency:
        activate(agency, b)  # at once, with the code from the letter
        assert agency.get("/survey").status_code == 200


def test_should_slow_many_guesses_from_one_address(world: World) -> None:
    app = world.app(PROXIED)
    with TestClient(app, headers=ATTACKER) as evil:
        for i in range(PROXIED.max_failures_per_address):
            _login(evil, f"DG66-X{i:04d}", "guess-the-password-1")
        r = _login(evil, "DG66-ANOTHER", "guess-the-password-1")
        assert r.status_code == 429  # type: ignore[attr-defined]
    with TestClient(app, headers=AGENCY_OFFICE) as other:  # another address is not slowed
        r = _login(other, "DG66-ANOTHER", "guess-the-password-1")
        assert r.status_code == 200  # type: ignore[attr-defined]


def test_should_grow_the_wait_up_to_the_cap_and_then_forget(world: World) -> None:
    config = WebConfig(max_failures_per_username=3, max_failures_per_address=100)
    throttler = LoginThrottler(config)
    keys = throttler.keys("dg66-d0001", "203.0.113.9")
    now = world.clock.now
    waits = []
    with world.db.begin() as s:
        for _ in range(10):
            throttler.fail(s, keys, now=now)
            waits.append(throttler.wait(s, keys, now=now))
    second = dt.timedelta(seconds=1)
    assert waits[:2] == [dt.timedelta(0), dt.timedelta(0)]
    assert waits[2:7] == [30 * second, 60 * second, 120 * second, 240 * second, 480 * second]
    assert waits[7:] == [config.throttle_max_delay] * 3
    later = now + config.throttle_forget_after + second
    with world.db.begin() as s:
        assert throttler.wait(s, keys, now=later) == dt.timedelta(0)
        throttler.fail(s, keys, now=later)  # a fresh start: one failure, no wait
        assert throttler.wait(s, keys, now=later) == dt.timedelta(0)
        row = s.get(LoginThrottle, "user:DG66-D0001")
        assert row is not None
        assert row.failures == 1


def test_should_show_operators_what_is_throttled_and_clear_it(world: World) -> None:
    app = world.app(PROXIED)
    a = world.agencies["A"]
    _attack(app, a.username, 6)
    with world.db.begin() as s:
        # An account locked by the old rule (before waits replaced locks) is listed too.
        account = s.scalar(select(PortalAccount).where(PortalAccount.username == a.username))
        assert account is not None
        account.locked_at = world.clock.now
    with world.db.begin() as s:
        entries = {(e.kind, e.who): e for e in throttled(s, now=world.clock.now, config=PROXIED)}
    assert entries[("username", a.username)].wait_until is not None
    assert entries[("username", a.username)].failures == 5  # the 6th was refused unchecked
    assert entries[("address", "203.0.113.9")].wait_until is None  # 5 < 20
    assert ("locked account", a.username) in entries
    with world.db.begin() as s:
        assert clear_throttle(s, a.username.lower(), actor="operator") == 2
    with world.db.begin() as s:
        left = {(e.kind, e.who) for e in throttled(s, now=world.clock.now, config=PROXIED)}
    assert left == {("address", "203.0.113.9")}
    with TestClient(app, headers=AGENCY_OFFICE) as agency:
        activate(agency, a)
