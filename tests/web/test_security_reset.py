"""The page a password-reset e-mail links to: ``/password/reset?token=...``.

GET shows the form (without spending the link: mail scanners open links), POST sets the new
password, ends the account's other sessions and signs this browser in. Plain HTML form, the
sign-in pages' CSRF cookie, Thai messages.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import select

from dgops.web import WebConfig
from dgops.web.models import WebSession
from tests.web.conftest import (
    PASSWORD,
    FakeResetTokens,
    TestClient,
    World,
    activate,
    csrf_of,
)

CHROMIUM = "/usr/bin/chromium"
NEW = "ฝนตกที่เชียงใหม่-ใหม่-2566"
INVALID = "ลิงก์ตั้งรหัสผ่านใหม่นี้ใช้ไม่ได้"


def _reset(c: TestClient, token: str, password: str = NEW, again: str | None = None) -> object:
    page = c.get(f"/password/reset?token={token}")
    return c.post(
        "/password/reset",
        data={
            "csrf_token": csrf_of(page.text),
            "token": token,
            "password": password,
            "password2": password if again is None else again,
        },
        follow_redirects=False,
    )


def _login(c: TestClient, username: str, password: str) -> int:
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"csrf_token": csrf_of(page.text), "username": username, "password": password},
        follow_redirects=False,
    )
    return r.status_code


def test_should_show_the_form_without_spending_the_link(world: World) -> None:
    links = FakeResetTokens(world.clock)
    app = world.app(reset_tokens=links)
    a = world.agencies["A"]
    token = links.issue(a.username)
    with TestClient(app) as c:
        for _ in range(2):  # a mail scanner opened it first
            page = c.get(f"/password/reset?token={token}")
            assert page.status_code == 200
            assert "ตั้งรหัสผ่านใหม่" in page.text
            assert a.username in page.text
            assert 'action="/password/reset"' in page.text
            assert "<script" not in page.text.split("</head>", 1)[1]
        assert token not in links.spent


def test_should_set_the_password_sign_in_and_end_other_sessions(world: World) -> None:
    links = FakeResetTokens(world.clock)
    app = world.app(reset_tokens=links)
    a = world.agencies["A"]
    with TestClient(app) as old:
        activate(old, a)
        token = links.issue(a.username)
        with TestClient(app) as c:
            r = _reset(c, token)
            assert r.status_code == 303  # type: ignore[attr-defined]
            assert r.headers["location"].startswith("/survey")  # type: ignore[attr-defined]
            assert c.get("/survey").status_code == 200
            assert c.cookies.get(WebConfig().device_cookie_name)
        assert old.get("/survey", follow_redirects=False).status_code == 303  # ended
    with world.db.begin() as s:
        live = [w for w in s.scalars(select(WebSession)) if w.revoked_at is None]
        assert len(live) == 1
    with TestClient(app) as c:
        assert _login(c, a.username, NEW) == 303
        assert _login(c, a.username, PASSWORD) == 200
        r = c.get(f"/password/reset?token={token}")  # used once already
        assert r.status_code == 400
        assert INVALID in r.text


def test_should_refuse_expired_unknown_or_missing_links_in_thai(world: World) -> None:
    links = FakeResetTokens(world.clock)
    app = world.app(reset_tokens=links)
    token = links.issue(world.agencies["A"].username)
    world.clock.advance(dt.timedelta(hours=2))
    with TestClient(app) as c:
        for url in (
            f"/password/reset?token={token}",
            "/password/reset?token=nope",
            "/password/reset",
        ):
            r = c.get(url)
            assert r.status_code == 400, url
            assert INVALID in r.text, url
            assert 'name="password"' not in r.text, url
    with TestClient(world.app()) as c:  # no reset service wired: every link is refused
        assert c.get(f"/password/reset?token={token}").status_code == 400


def test_should_keep_the_link_after_a_weak_or_mistyped_password(world: World) -> None:
    links = FakeResetTokens(world.clock)
    app = world.app(reset_tokens=links)
    a = world.agencies["A"]
    token = links.issue(a.username)
    with TestClient(app) as c:
        r = _reset(c, token, "short")
        assert r.status_code == 200  # type: ignore[attr-defined]
        assert "อย่างน้อย 10 ตัวอักษร" in r.text  # type: ignore[attr-defined]
        assert "short" not in r.text.split("<form", 1)[1]  # type: ignore[attr-defined]
        r = _reset(c, token, NEW, again=NEW + "x")
        assert "ไม่ตรงกัน" in r.text  # type: ignore[attr-defined]
        assert _reset(c, token).status_code == 303  # type: ignore[attr-defined]


def test_should_refuse_a_post_without_the_forms_csrf_token(world: World) -> None:
    links = FakeResetTokens(world.clock)
    app = world.app(reset_tokens=links)
    token = links.issue(world.agencies["A"].username)
    with TestClient(app) as c:
        c.get(f"/password/reset?token={token}")
        r = c.post(
            "/password/reset",
            data={"csrf_token": "forged", "token": token, "password": NEW, "password2": NEW},
        )
        assert r.status_code == 403
    assert token not in links.spent


def test_should_slow_guessed_links_per_address_only(world: World) -> None:
    links = FakeResetTokens(world.clock)
    config = WebConfig(trusted_proxies=("*",))
    app = world.app(config, reset_tokens=links)
    with TestClient(app, headers={"X-Forwarded-For": "203.0.113.9"}) as evil:
        page = evil.get("/login")  # the sign-in pages share one CSRF cookie
        for i in range(config.max_failures_per_address):
            evil.post(
                "/password/reset",
                data={
                    "csrf_token": csrf_of(page.text),
                    "token": f"guess-{i}",
                    "password": NEW,
                    "password2": NEW,
                },
            )
        r = evil.post(
            "/password/reset",
            data={
                "csrf_token": csrf_of(page.text),
                "token": "guess-x",
                "password": NEW,
                "password2": NEW,
            },
        )
        assert r.status_code == 429
    token = links.issue(world.agencies["A"].username)
    with TestClient(app, headers={"X-Forwarded-For": "198.51.100.20"}) as agency:
        assert _reset(agency, token).status_code == 303  # type: ignore[attr-defined]


@pytest.mark.browser
def test_should_reset_the_password_in_a_browser_without_javascript(
    world: World, tmp_path: Path
) -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} not installed; browser tests skipped")
    from playwright.sync_api import sync_playwright

    links = FakeResetTokens(world.clock)
    token = links.issue(world.agencies["A"].username)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(
            world.app(reset_tokens=links), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
            )
            page = browser.new_context(
                java_script_enabled=False, viewport={"width": 390, "height": 844}
            ).new_page()
            page.goto(f"{base}/password/reset?token={token}")
            page.screenshot(path=str(tmp_path / "reset.png"), full_page=True)
            page.fill("#password", NEW)
            page.fill("#password2", NEW + "x")
            page.click("button[type=submit].primary")
            assert "ไม่ตรงกัน" in page.inner_text("[role=alert]")
            page.fill("#password", NEW)
            page.fill("#password2", NEW)
            page.click("button[type=submit].primary")
            assert page.url.startswith(f"{base}/survey")
            assert "กรมทดสอบหนึ่ง" in page.content()
            page.goto(f"{base}/password/reset?token={token}")
            assert INVALID in page.inner_text("[role=alert]")
            page.screenshot(path=str(tmp_path / "reset-used.png"), full_page=True)
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_should_redeem_a_link_issued_by_dgops_credentials_by_default(world: World) -> None:
    """The portal is wired to the real links: the one an operator's reset e-mails works once."""
    from dgops.credentials import issue_reset_token
    from dgops.credentials.models import PortalAccount

    a = world.agencies["A"]
    with world.db.begin() as s:
        account = s.scalars(select(PortalAccount).where(PortalAccount.username == a.username)).one()
        token = issue_reset_token(s, account, actor="test", now=world.clock())
    with TestClient(world.app()) as c:
        assert _reset(c, token).status_code == 303
        assert _login(c, a.username, NEW) == 303
    with TestClient(world.app()) as c:
        again = c.get(f"/password/reset?token={token}")
        assert INVALID in again.text  # used up
