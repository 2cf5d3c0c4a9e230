"""Managers sign in to the dashboard; their session opens nothing of the agency portal."""

from __future__ import annotations

import re

from fastapi import FastAPI
from sqlalchemy import select

from dgops.web.models import WebSession
from tests.web.conftest import TestClient, World, activate
from tests.web.dashboard.conftest import sign_in_manager


def test_should_sign_in_a_manager_with_a_scoped_session_cookie(
    dash_app: FastAPI, world: World
) -> None:
    with TestClient(dash_app) as c:
        r = sign_in_manager(c)
        assert r.status_code == 303
        assert r.headers["location"] == "/dashboard/"
        cookie = r.headers["set-cookie"]
        assert "dgops_manager=" in cookie
        assert "Path=/dashboard" in cookie
        assert "HttpOnly" in cookie
        assert c.get("/dashboard/").status_code == 200
    with world.db.begin() as s:
        rows = list(s.scalars(select(WebSession)))
        assert [(w.role, w.account_id) for w in rows] == [("manager", None)]
        token = cookie.split("dgops_manager=", 1)[1].split(";", 1)[0]
        assert token not in {w.token_hash for w in rows}  # only the hash is stored


def test_should_refuse_a_wrong_password_without_saying_which_part(dash_app: FastAPI) -> None:
    with TestClient(dash_app) as c:
        wrong = sign_in_manager(c, password="ไม่ใช่รหัสนี้-1234")
        assert wrong.status_code == 200
        assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in wrong.text
        assert "ไม่ใช่รหัสนี้" not in wrong.text
        assert c.get("/dashboard/", follow_redirects=False).status_code == 303


def test_should_lock_out_after_repeated_failures(dash_app: FastAPI) -> None:
    with TestClient(dash_app) as c:
        for _ in range(5):
            sign_in_manager(c, password="ผิด-ผิด-ผิด-ผิด")
        locked = sign_in_manager(c)  # even the right password
        assert locked.status_code == 429


def test_should_not_open_agency_pages_with_a_manager_session(
    manager: TestClient, world: World
) -> None:
    r = manager.get("/survey", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")
    assert manager.get("/survey/review", follow_redirects=False).status_code == 303


def test_should_not_open_the_dashboard_with_an_agency_session_even_as_the_cookie(
    dash_app: FastAPI, world: World
) -> None:
    with TestClient(dash_app) as c:
        activate(c, world.agencies["A"])
        token = c.cookies.get("dgops_session")
        assert token
        c.cookies.set("dgops_manager", token, path="/dashboard")
        r = c.get("/dashboard/", follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == "/dashboard/login"


def test_should_sign_out_with_the_csrf_token_only(manager: TestClient) -> None:
    page = manager.get("/dashboard/").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    refused = manager.post("/dashboard/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert manager.get("/dashboard/").status_code == 200
    r = manager.post(
        "/dashboard/logout", data={"csrf_token": token.group(1)}, follow_redirects=False
    )
    assert r.headers["location"] == "/dashboard/login?msg=bye"
    assert manager.get("/dashboard/", follow_redirects=False).status_code == 303
