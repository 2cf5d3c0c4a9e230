"""The portal through HTTP: sign-in, the questionnaire, autosave, evidence, submission, return."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from dgops.credentials.models import PortalAccount
from dgops.responses import answers_of, get_response, return_response
from dgops.responses.models import Response, ResponseStatus
from dgops.web import WebConfig
from dgops.web.models import WebSession
from tests.web.conftest import (
    PASSWORD,
    PDF,
    PNG,
    TestClient,
    World,
    activate,
    csrf_of,
    survey_csrf,
)


def _login(client: TestClient, username: str, password: str) -> object:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"csrf_token": csrf_of(page.text), "username": username, "password": password},
        follow_redirects=False,
    )


def _status(world: World, key: str) -> str:
    with world.db.begin() as s:
        r = get_response(s, world.cycle_id, world.agencies[key].agency_id)
        return str(ResponseStatus(r.status).value)


def _answers(world: World, key: str) -> dict[str, object]:
    with world.db.begin() as s:
        return answers_of(s, get_response(s, world.cycle_id, world.agencies[key].agency_id))


def _strip_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


# -- sign-in -------------------------------------------------------------------------------


def test_should_set_password_on_first_visit_and_sign_in_with_it_later(
    app: FastAPI, world: World
) -> None:
    a = world.agencies["A"]
    with TestClient(app) as c:
        activate(c, a)
        page = c.get("/survey")
        assert page.status_code == 200
        assert "กรมทดสอบหนึ่ง" in page.text
        c.post("/logout", data={"csrf_token": csrf_of(page.text)})
        assert c.get("/survey", follow_redirects=False).status_code == 303
        r = _login(c, a.username.lower(), PASSWORD)
        assert r.status_code == 303  # type: ignore[attr-defined]
        assert c.get("/survey").status_code == 200


def test_should_refuse_the_activation_code_a_second_time(app: FastAPI, world: World) -> None:
    with TestClient(app) as c:
        activate(c, world.agencies["A"])
    with TestClient(app) as c:
        page = c.get("/activate")
        r = c.post(
            "/activate",
            data={
                "csrf_token": csrf_of(page.text),
                "username": world.agencies["A"].username,
                "code": world.agencies["A"].activation,
                "password": "อีกรหัสหนึ่งที่ยาวพอ",
                "password2": "อีกรหัสหนึ่งที่ยาวพอ",
            },
        )
        assert "รหัสเปิดใช้งานไม่ถูกต้อง" in r.text


def test_should_keep_the_code_usable_when_the_new_password_is_too_weak(
    app: FastAPI, world: World
) -> None:
    a = world.agencies["A"]
    with TestClient(app) as c:
        page = c.get("/activate")
        r = c.post(
            "/activate",
            data={
                "csrf_token": csrf_of(page.text),
                "username": a.username,
                "code": a.activation,
                "password": "password123",
                "password2": "password123",
            },
        )
        assert r.status_code == 200
        assert "เดาได้ง่าย" in r.text
        activate(c, a)  # the code was not consumed


def test_should_give_one_message_for_unknown_user_wrong_password_and_no_password(
    app: FastAPI, world: World
) -> None:
    with TestClient(app) as c:
        activate(c, world.agencies["A"])
    bodies = []
    for username, password in [
        ("DG66-NOBODY", "whatever-long-pass"),
        (world.agencies["A"].username, "wrong-password-123"),
        (world.agencies["B"].username, "never-set-password"),
    ]:
        with TestClient(app) as c:
            r = _login(c, username, password)
            assert r.status_code == 200  # type: ignore[attr-defined]
            text = r.text  # type: ignore[attr-defined]
            bodies.append(_strip_tokens(text).replace(username, "USER"))
    assert bodies[0] == bodies[1] == bodies[2]


def test_should_throttle_a_username_after_repeated_failures(app: FastAPI, world: World) -> None:
    a = world.agencies["A"]
    with TestClient(app) as c:
        activate(c, a)
    config = WebConfig()
    with TestClient(app) as c:
        for _ in range(config.max_failures_per_username):
            _login(c, "DG66-NOBODY", "wrong-password-123")
        r = _login(c, "DG66-NOBODY", "wrong-password-123")
        assert r.status_code == 429  # type: ignore[attr-defined]


def test_should_throttle_a_client_address_across_usernames(world: World) -> None:
    app = world.app(WebConfig(max_failures_per_address=3))
    with TestClient(app) as c:
        for i in range(3):
            _login(c, f"DG66-X{i}", "wrong-password-123")
        r = _login(c, "DG66-OTHER", "wrong-password-123")
        assert r.status_code == 429  # type: ignore[attr-defined]


def test_should_set_session_cookie_httponly_samesite_and_store_only_its_hash(
    app: FastAPI, world: World
) -> None:
    with TestClient(app) as c:
        page = c.get("/activate")
        a = world.agencies["A"]
        r = c.post(
            "/activate",
            data={
                "csrf_token": csrf_of(page.text),
                "username": a.username,
                "code": a.activation,
                "password": PASSWORD,
                "password2": PASSWORD,
            },
            follow_redirects=False,
        )
        cookie = [
            v for k, v in r.headers.multi_items() if k == "set-cookie" and "dgops_session=" in v
        ]
        assert cookie
        assert "HttpOnly" in cookie[0]
        assert "SameSite=lax" in cookie[0]
        assert "Secure" not in cookie[0]  # plain http in tests
        token = c.cookies.get("dgops_session")
        assert token
    with world.db.begin() as s:
        rows = list(s.scalars(select(WebSession)))
        assert len(rows) == 1
        assert token not in {rows[0].token_hash, rows[0].csrf_token}
        assert len(rows[0].token_hash) == 64


def test_should_mark_the_cookie_secure_behind_a_trusted_tls_proxy(world: World) -> None:
    app = world.app(WebConfig(trusted_proxies=("testclient",)))
    with TestClient(app) as c:
        r = c.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9"})
        cookie = r.headers["set-cookie"]
        assert "Secure" in cookie


def test_should_refuse_posts_without_the_csrf_token(
    clients: dict[str, TestClient], world: World
) -> None:
    c = clients["A"]
    for path, data in [
        ("/survey/autosave", {"_q": "STAFF", "STAFF": "3"}),
        ("/survey/pillar/P2", {"_q": "STAFF", "STAFF": "3"}),
        ("/survey/submit", {}),
        ("/logout", {}),
    ]:
        r = c.post(path, data={**data, "csrf_token": "forged"}, follow_redirects=False)
        assert r.status_code == 403, path
    assert _answers(world, "A") == {}
    with TestClient(c.app) as anon:
        anon.get("/login")
        r = anon.post("/login", data={"csrf_token": "forged", "username": "x", "password": "y"})
        assert r.status_code == 403


def test_should_never_echo_passwords_or_codes_in_pages_or_logs(
    app: FastAPI, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    a = world.agencies["A"]
    with TestClient(app) as c:
        page = c.get("/activate")
        r = c.post(
            "/activate",
            data={
                "csrf_token": csrf_of(page.text),
                "username": a.username,
                "code": a.activation,
                "password": PASSWORD,
                "password2": PASSWORD + "x",
            },
        )
        assert PASSWORD not in r.text
        assert a.activation not in r.text
        r = _login(c, a.username, "a-wrong-password-77")
        assert "a-wrong-password-77" not in r.text  # type: ignore[attr-defined]
        activate(c, a)
        token = c.cookies.get("dgops_session")
        body = c.get("/survey").text
        assert token
        assert token not in body
    logged = caplog.text
    for secret in (PASSWORD, a.activation, "a-wrong-password-77", token):
        assert secret not in logged


def test_should_end_the_session_after_idle_timeout(
    clients: dict[str, TestClient], world: World
) -> None:
    c = clients["A"]
    assert c.get("/survey").status_code == 200
    world.clock.advance(WebConfig().idle_timeout * 2)
    r = c.get("/survey", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")
    assert c.post("/survey/autosave", data={}).status_code == 401


# -- the questionnaire ---------------------------------------------------------------------


def test_should_render_every_question_type_with_help_and_show_if(
    clients: dict[str, TestClient],
) -> None:
    c = clients["A"]
    p1 = c.get("/survey/pillar/P1").text
    assert 'type="radio" name="PLAN" value="approved"' in p1
    assert 'type="radio" name="BUDGET" value="yes"' in p1
    assert 'name="file:PLAN_FILE"' in p1
    assert 'name="file:BUDGET"' in p1  # evidence: required on a yes/no question
    assert "แผนที่กำหนดโครงการ" in p1  # help text
    assert re.search(r'id="q-PLAN_FILE"[^>]*data-show-if="[^"]+"[^>]*hidden', p1)
    p2 = c.get("/survey/pillar/P2").text
    assert 'type="checkbox" name="SKILLS" value="cyber"' in p2
    assert 'inputmode="decimal" name="STAFF"' in p2
    assert '<textarea name="NOTE"' in p2


def test_should_autosave_valid_answers_and_report_invalid_ones(
    clients: dict[str, TestClient], world: World
) -> None:
    c = clients["A"]
    token = survey_csrf(c, "/survey/pillar/P1")
    r = c.post(
        "/survey/autosave",
        data={
            "csrf_token": token,
            "_q": ["BUDGET", "BUDGET_PCT", "STAFF", "SKILLS"],
            "BUDGET": "yes",
            "BUDGET_PCT": "150",
            "STAFF": "๑,๒๐๐",
            "SKILLS": ["data", "cloud"],
        },
    )
    assert r.status_code == 422
    body = r.json()
    assert set(body["saved"]) == {"BUDGET", "STAFF", "SKILLS"}
    assert "BUDGET_PCT" in body["errors"]
    assert body["shown"]["BUDGET_PCT"] is True
    assert body["progress"]["answered"] == 3
    assert _answers(world, "A") == {"BUDGET": "yes", "STAFF": 1200, "SKILLS": ["data", "cloud"]}
    assert _status(world, "A") == "in_progress"
    r = c.post("/survey/autosave", data={"_q": "SKILLS"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    assert r.json()["cleared"] == ["SKILLS"]


def test_should_save_a_draft_without_javascript_and_show_errors_in_place(
    clients: dict[str, TestClient], world: World
) -> None:
    c = clients["A"]
    token = survey_csrf(c, "/survey/pillar/P2")
    r = c.post(
        "/survey/pillar/P2",
        data={
            "csrf_token": token,
            "_q": ["STAFF", "SKILLS", "NOTE"],
            "STAFF": "สิบ",
            "SKILLS": "cyber",
            "NOTE": "<script>alert(1)</script>",
            "go": "stay",
        },
    )
    assert r.status_code == 422
    assert 'value="สิบ"' in r.text  # the typed value is kept for correction
    assert "<script>alert(1)</script>" not in r.text
    assert _answers(world, "A") == {"SKILLS": ["cyber"], "NOTE": "<script>alert(1)</script>"}
    r = c.post(
        "/survey/pillar/P2",
        data={"csrf_token": token, "_q": ["STAFF", "SKILLS"], "STAFF": "12", "go": "next"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/survey/review"
    assert _answers(world, "A")["STAFF"] == 12
    assert "SKILLS" not in _answers(world, "A")  # every box unticked clears it


def test_should_store_evidence_with_its_digest_and_refuse_other_types(
    clients: dict[str, TestClient], world: World
) -> None:
    c = clients["A"]
    token = survey_csrf(c, "/survey/pillar/P1")
    r = c.post(
        "/survey/pillar/P1",
        data={"csrf_token": token, "_q": ["PLAN"], "PLAN": "approved"},
        files={"file:PLAN_FILE": ("แผนดิจิทัล.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = c.get("/survey/pillar/P1").text
    link = re.search(r'href="/survey/evidence/(\d+)">แผนดิจิทัล.pdf', page)
    assert link
    got = c.get(f"/survey/evidence/{link.group(1)}")
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert str(_answers(world, "A")["PLAN_FILE"]).startswith("sha256:")
    r = c.post(
        "/survey/pillar/P1",
        data={"csrf_token": token, "_q": []},
        files={"file:BUDGET": ("run.exe", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf")},
    )
    assert r.status_code == 422
    assert "PDF" in r.text
    small = WebConfig(max_upload_bytes=1024)
    with TestClient(world.app(small)) as c2:
        c2.cookies.update(c.cookies)
        r = c2.post(
            "/survey/pillar/P1",
            data={"csrf_token": token},
            files={"file:BUDGET": ("big.png", PNG + b"\x00" * 2048, "image/png")},
        )
        assert r.status_code == 422
        assert "ไฟล์ใหญ่เกิน" in r.text


def test_should_delete_own_evidence_while_editable(
    clients: dict[str, TestClient], world: World
) -> None:
    c = clients["A"]
    token = survey_csrf(c, "/survey/pillar/P1")
    c.post(
        "/survey/pillar/P1",
        data={"csrf_token": token, "_q": ["BUDGET"], "BUDGET": "yes"},
        files={"file:BUDGET": ("budget.png", PNG, "image/png")},
    )
    page = c.get("/survey/pillar/P1").text
    eid = re.search(r'name="delete_evidence" value="(\d+)"', page)
    assert eid
    c.post("/survey/pillar/P1", data={"csrf_token": token, "delete_evidence": eid.group(1)})
    assert c.get(f"/survey/evidence/{eid.group(1)}").status_code == 404


def _fill_everything(c: TestClient, token: str) -> None:
    c.post(
        "/survey/pillar/P1",
        data={
            "csrf_token": token,
            "_q": ["PLAN", "BUDGET", "BUDGET_PCT"],
            "PLAN": "approved",
            "BUDGET": "yes",
            "BUDGET_PCT": "12.5",
        },
        files=[
            ("file:PLAN_FILE", ("plan.pdf", PDF, "application/pdf")),
            ("file:BUDGET", ("budget.png", PNG, "image/png")),
        ],
    )
    c.post(
        "/survey/autosave",
        data={"csrf_token": token, "_q": ["STAFF", "SKILLS"], "STAFF": "4", "SKILLS": "data"},
    )


def test_should_refuse_an_incomplete_submission_and_list_what_is_missing(
    clients: dict[str, TestClient], world: World
) -> None:
    c = clients["A"]
    token = survey_csrf(c)
    c.post("/survey/autosave", data={"csrf_token": token, "_q": "BUDGET", "BUDGET": "yes"})
    review = c.get("/survey/review").text
    assert "ยังไม่ได้แนบหลักฐาน" in review
    assert "#q-STAFF" in review
    r = c.post("/survey/submit", data={"csrf_token": token})
    assert r.status_code == 422
    assert _status(world, "A") == "in_progress"


def test_should_submit_lock_and_then_accept_a_resubmission_after_return(
    clients: dict[str, TestClient], world: World
) -> None:
    c = clients["A"]
    token = survey_csrf(c)
    _fill_everything(c, token)
    r = c.post("/survey/submit", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    with world.db.begin() as s:
        resp = s.scalar(select(Response).where(Response.agency_id == world.agencies["A"].agency_id))
        assert resp is not None
        assert resp.status == ResponseStatus.SUBMITTED
        assert resp.submitted_by == world.agencies["A"].username
        assert resp.submitted_at is not None
    locked = c.post("/survey/autosave", data={"csrf_token": token, "_q": "STAFF", "STAFF": "9"})
    assert locked.status_code == 409
    assert "disabled" in c.get("/survey/pillar/P2").text
    with world.db.begin() as s:
        resp = get_response(s, world.cycle_id, world.agencies["A"].agency_id)
        return_response(
            s,
            resp,
            comments=[("STAFF", "จำนวนบุคลากรไม่ตรงกับรายงานประจำปี"), (None, "โปรดทบทวนมิติที่ 2")],
            actor="operator1",
        )
    overview = c.get("/survey").text
    assert "โปรดทบทวนมิติที่ 2" in overview
    page = c.get("/survey/pillar/P2").text
    assert "จำนวนบุคลากรไม่ตรงกับรายงานประจำปี" in page
    assert page.index("จำนวนบุคลากรไม่ตรงกับ") > page.index('id="q-STAFF"')
    r = c.post("/survey/autosave", data={"csrf_token": token, "_q": "STAFF", "STAFF": "6"})
    assert r.status_code == 200
    assert _status(world, "A") == "returned"
    assert c.post("/survey/submit", data={"csrf_token": token}).status_code == 200
    assert _status(world, "A") == "submitted"
    assert _answers(world, "A")["STAFF"] == 6


def test_should_only_show_pillars_of_the_framework(clients: dict[str, TestClient]) -> None:
    assert clients["A"].get("/survey/pillar/P9").status_code == 404


def test_should_send_security_headers(clients: dict[str, TestClient]) -> None:
    r = clients["A"].get("/survey")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"


def test_should_revoke_the_session_on_logout_and_keep_the_password(
    app: FastAPI, world: World
) -> None:
    with TestClient(app) as c:
        activate(c, world.agencies["A"])
        token = survey_csrf(c)
        c.post("/logout", data={"csrf_token": token})
        with world.db.begin() as s:
            rows = list(s.scalars(select(WebSession)))
            assert rows
            assert all(r.revoked_at is not None for r in rows)
        with world.db.begin() as s:
            acc = s.scalar(
                select(PortalAccount).where(
                    PortalAccount.agency_id == world.agencies["A"].agency_id
                )
            )
            assert acc is not None
            assert acc.password_hash is not None
