"""An agency sees and touches only its own response and files, on every route.

``ISOLATION`` names, for every route of the app, the test below that tries another agency's
ids (or says why the route carries no agency data). ``test_should_cover_every_route`` fails when a
route is added without one.
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import select
from starlette.routing import Mount

from dgops.responses import EvidenceFile, answers_of, get_response
from dgops.web.models import WebSession
from tests.web.conftest import (
    PASSWORD,
    PDF,
    FakeResetTokens,
    TestClient,
    World,
    activate,
    csrf_of,
    survey_csrf,
)
from tests.web.results_data import FakeDocuments, add_run, issue_letter, results_app

ISOLATION: dict[tuple[str, str], str] = {
    ("GET", "/"): "test_should_redirect_home_without_touching_any_response",
    ("GET", "/healthz"): "test_should_redirect_home_without_touching_any_response",
    ("GET", "/login"): "test_should_not_sign_in_to_another_agency_with_own_password",
    ("POST", "/login"): "test_should_not_sign_in_to_another_agency_with_own_password",
    ("GET", "/activate"): "test_should_not_activate_another_agency_with_own_code",
    ("POST", "/activate"): "test_should_not_activate_another_agency_with_own_code",
    ("POST", "/logout"): "test_should_end_only_own_session_on_logout",
    ("GET", "/password/reset"): "test_should_reset_only_the_account_of_the_link",
    ("POST", "/password/reset"): "test_should_reset_only_the_account_of_the_link",
    ("GET", "/survey"): "test_should_show_only_own_answers_on_every_page",
    ("GET", "/survey/pillar/{code}"): "test_should_show_only_own_answers_on_every_page",
    ("POST", "/survey/pillar/{code}"): "test_should_not_delete_or_change_another_agencys_data",
    ("POST", "/survey/autosave"): "test_should_autosave_only_into_own_response",
    ("GET", "/survey/evidence/{evidence_id}"): "test_should_not_serve_another_agencys_file",
    ("GET", "/survey/review"): "test_should_show_only_own_answers_on_every_page",
    ("POST", "/survey/submit"): "test_should_submit_only_own_response",
    ("GET", "/results"): "test_should_show_only_own_results",
    ("GET", "/results/letter.pdf"): "test_should_download_only_own_result_documents",
    ("GET", "/results/action-plan.xlsx"): "test_should_download_only_own_result_documents",
    ("GET", "/dashboard/"): "test_should_keep_agencies_out_of_the_dashboard",
    ("GET", "/dashboard/results"): "test_should_keep_agencies_out_of_the_dashboard",
    ("GET", "/dashboard/results/letter.pdf"): "test_should_keep_agencies_out_of_the_dashboard",
    ("GET", "/dashboard/results/action-plan.xlsx"): (
        "test_should_keep_agencies_out_of_the_dashboard"
    ),
    ("GET", "/dashboard/export/{table}.xlsx"): "test_should_keep_agencies_out_of_the_dashboard",
    ("GET", "/dashboard/assets/{name}"): "test_should_keep_agencies_out_of_the_dashboard",
    ("GET", "/dashboard/login"): "test_should_not_sign_in_a_manager_with_an_agency_password",
    ("POST", "/dashboard/login"): "test_should_not_sign_in_a_manager_with_an_agency_password",
    ("POST", "/dashboard/logout"): "test_should_keep_agencies_out_of_the_dashboard",
    ("MOUNT", "/static"): "test_should_serve_only_public_assets_from_mounts",
    ("MOUNT", "/fonts"): "test_should_serve_only_public_assets_from_mounts",
}


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, APIRoute):
            for method in route.methods - {"HEAD"}:
                found.add((method, route.path))
        elif isinstance(route, Mount):
            found.add(("MOUNT", route.path))
        else:
            found.add(("OTHER", getattr(route, "path", repr(route))))
    return found


def test_should_cover_every_route(app: FastAPI) -> None:
    routes = _routes(app)
    missing = routes - set(ISOLATION)
    assert not missing, f"routes without an isolation test: {sorted(missing)}"
    stale = set(ISOLATION) - routes
    assert not stale, f"isolation entries for routes that no longer exist: {sorted(stale)}"
    for name in set(ISOLATION.values()):
        assert callable(globals().get(name)), f"{name} is not a test in this module"


def _seed_a(c: TestClient) -> int:
    """Agency A answers, uploads a file; returns the file's id."""
    token = survey_csrf(c, "/survey/pillar/P1")
    c.post(
        "/survey/pillar/P1",
        data={"csrf_token": token, "_q": ["PLAN", "BUDGET"], "PLAN": "approved", "BUDGET": "yes"},
        files={"file:PLAN_FILE": ("a-secret-plan.pdf", PDF, "application/pdf")},
    )
    c.post(
        "/survey/autosave",
        data={
            "csrf_token": token,
            "_q": ["NOTE", "STAFF"],
            "NOTE": "ข้อความลับของกรมหนึ่ง",
            "STAFF": "41",
        },
    )
    page = c.get("/survey/pillar/P1").text
    found = re.search(r'href="/survey/evidence/(\d+)"', page)
    assert found
    return int(found.group(1))


def _answers(world: World, key: str) -> dict[str, object]:
    with world.db.begin() as s:
        return answers_of(s, get_response(s, world.cycle_id, world.agencies[key].agency_id))


def test_should_show_only_own_answers_on_every_page(
    clients: dict[str, TestClient], world: World
) -> None:
    _seed_a(clients["A"])
    b = clients["B"]
    for path in ["/survey", "/survey/pillar/P1", "/survey/pillar/P2", "/survey/review"]:
        text = b.get(path).text
        assert "กรมทดสอบสอง" in text, path
        for leak in ("กรมทดสอบหนึ่ง", "ข้อความลับของกรมหนึ่ง", "a-secret-plan.pdf", 'value="41"'):
            assert leak not in text, (path, leak)
    assert b.get("/survey/pillar/P1?agency_id=1").text.count("a-secret-plan") == 0


def test_should_not_serve_another_agencys_file(
    clients: dict[str, TestClient], world: World
) -> None:
    eid = _seed_a(clients["A"])
    assert clients["A"].get(f"/survey/evidence/{eid}").content == PDF
    r = clients["B"].get(f"/survey/evidence/{eid}")
    assert r.status_code == 404
    assert PDF not in r.content
    assert "a-secret-plan" not in r.text
    with TestClient(clients["A"].app) as anon:
        assert anon.get(f"/survey/evidence/{eid}", follow_redirects=False).status_code == 303


def test_should_not_delete_or_change_another_agencys_data(
    clients: dict[str, TestClient], world: World
) -> None:
    eid = _seed_a(clients["A"])
    b = clients["B"]
    token = survey_csrf(b, "/survey/pillar/P1")
    r = b.post("/survey/pillar/P1", data={"csrf_token": token, "delete_evidence": str(eid)})
    assert r.status_code == 404
    r = b.post(
        "/survey/pillar/P1",
        data={"csrf_token": token, "_q": ["PLAN"], "PLAN": "none", "agency_id": "1"},
        files={"file:PLAN_FILE": ("b.pdf", PDF, "application/pdf")},
    )
    with world.db.begin() as s:
        file = s.get(EvidenceFile, eid)
        assert file is not None
        assert file.deleted_at is None
    assert _answers(world, "A")["PLAN"] == "approved"
    assert _answers(world, "B")["PLAN"] == "none"
    # A's csrf token does not work in B's session either.
    a_token = survey_csrf(clients["A"], "/survey")
    r = b.post(
        "/survey/pillar/P1", data={"csrf_token": a_token, "_q": ["PLAN"], "PLAN": "drafting"}
    )
    assert r.status_code == 403


def test_should_autosave_only_into_own_response(
    clients: dict[str, TestClient], world: World
) -> None:
    _seed_a(clients["A"])
    b = clients["B"]
    token = survey_csrf(b)
    r = b.post(
        "/survey/autosave",
        data={"csrf_token": token, "_q": ["STAFF"], "STAFF": "3", "response_id": "1"},
    )
    assert r.status_code == 200
    assert _answers(world, "A")["STAFF"] == 41
    assert _answers(world, "B") == {"STAFF": 3}
    assert "41" not in r.text


def test_should_submit_only_own_response(clients: dict[str, TestClient], world: World) -> None:
    _seed_a(clients["A"])
    token = survey_csrf(clients["B"])
    r = clients["B"].post("/survey/submit", data={"csrf_token": token, "agency_id": "1"})
    assert r.status_code == 422  # B's own response is incomplete
    with world.db.begin() as s:
        statuses = {
            key: str(get_response(s, world.cycle_id, world.agencies[key].agency_id).status.value)
            for key in "AB"
        }
    assert statuses == {"A": "in_progress", "B": "not_started"}


def test_should_end_only_own_session_on_logout(
    clients: dict[str, TestClient], world: World
) -> None:
    token = survey_csrf(clients["B"])
    clients["B"].post("/logout", data={"csrf_token": token})
    assert clients["A"].get("/survey").status_code == 200
    with world.db.begin() as s:
        live = [w for w in s.scalars(select(WebSession)) if w.revoked_at is None]
        assert len(live) == 1


def test_should_not_sign_in_to_another_agency_with_own_password(
    clients: dict[str, TestClient], world: World
) -> None:
    with TestClient(clients["A"].app) as c:
        page = c.get("/login")
        r = c.post(
            "/login",
            data={
                "csrf_token": csrf_of(page.text),
                "username": world.agencies["A"].username,
                "password": "ต้นไม้ใหญ่ริมน้ำ-2566-B",  # not A's
            },
            follow_redirects=False,
        )
        assert r.status_code == 200
        assert c.get("/survey", follow_redirects=False).status_code == 303


def test_should_not_activate_another_agency_with_own_code(app: FastAPI, world: World) -> None:
    with TestClient(app) as c:
        page = c.get("/activate")
        r = c.post(
            "/activate",
            data={
                "csrf_token": csrf_of(page.text),
                "username": world.agencies["A"].username,
                "code": world.agencies["B"].activation,
                "password": "รหัสผ่านใหม่ที่ยาวพอ",
                "password2": "รหัสผ่านใหม่ที่ยาวพอ",
            },
            follow_redirects=False,
        )
        assert r.status_code == 200
        assert "รหัสเปิดใช้งานไม่ถูกต้อง" in r.text


def test_should_redirect_home_without_touching_any_response(app: FastAPI, world: World) -> None:
    with TestClient(app) as c:
        assert c.get("/", follow_redirects=False).headers["location"] == "/login"
        assert c.get("/healthz").json() == {"status": "ok"}
    with world.db.begin() as s:
        assert s.scalars(select(EvidenceFile)).first() is None


def test_should_serve_only_public_assets_from_mounts(clients: dict[str, TestClient]) -> None:
    _seed_a(clients["A"])
    with TestClient(clients["A"].app) as anon:
        assert anon.get("/static/portal.css").status_code == 200
        assert anon.get("/fonts/Sarabun-Regular.ttf").status_code == 200
        assert anon.get("/static/../evidence").status_code == 404
        assert anon.get("/fonts/..%2F..%2Fsettings.py").status_code == 404


def test_should_keep_agencies_out_of_the_dashboard(clients: dict[str, TestClient]) -> None:
    a = clients["A"]
    token = survey_csrf(a)
    for path in (
        "/dashboard/",
        "/dashboard/export/nonresponders.xlsx",
        "/dashboard/assets/dashboard.css",
        "/dashboard/results?agency=D0001",
        "/dashboard/results/letter.pdf?agency=D0001",
        "/dashboard/results/action-plan.xlsx?agency=D0001",
    ):
        r = a.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"] == "/dashboard/login"
    r = a.post("/dashboard/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.headers["location"] == "/dashboard/login"
    assert a.get("/survey").status_code == 200  # the agency's own session is untouched


def test_should_not_sign_in_a_manager_with_an_agency_password(
    clients: dict[str, TestClient], world: World
) -> None:
    with TestClient(clients["A"].app) as c:
        page = c.get("/dashboard/login")
        assert page.status_code == 200
        r = c.post(
            "/dashboard/login",
            data={
                "csrf_token": csrf_of(page.text),
                "username": world.agencies["A"].username,
                "password": "ต้นไม้ใหญ่ริมน้ำ-2566",  # the agency's real password
            },
            follow_redirects=False,
        )
        assert r.status_code == 200
        assert "ไม่ถูกต้อง" in r.text
        assert c.get("/dashboard/", follow_redirects=False).status_code == 303


def test_should_reset_only_the_account_of_the_link(world: World) -> None:
    links = FakeResetTokens(world.clock)
    app = world.app(reset_tokens=links)
    a, b = world.agencies["A"], world.agencies["B"]
    with TestClient(app) as b_browser, TestClient(app) as a_browser:
        activate(b_browser, b)
        activate(a_browser, a)
        token = links.issue(a.username)
        page = a_browser.get(f"/password/reset?token={token}")
        assert a.username in page.text
        assert b.username not in page.text
        new = "รหัสใหม่ของกรมหนึ่ง-2566"
        r = a_browser.post(
            "/password/reset",
            data={
                "csrf_token": csrf_of(page.text),
                "token": token,
                "username": b.username,  # ignored: the link says whose password
                "agency_id": str(b.agency_id),
                "password": new,
                "password2": new,
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert "กรมทดสอบหนึ่ง" in a_browser.get("/survey").text
        assert b_browser.get("/survey").status_code == 200  # B's session goes on
    with TestClient(app) as c:
        page = c.get("/login")
        r = c.post(
            "/login",
            data={"csrf_token": csrf_of(page.text), "username": b.username, "password": PASSWORD},
            follow_redirects=False,
        )
        assert r.status_code == 303  # B's password unchanged


def _results_clients(world: World, docs: FakeDocuments) -> tuple[TestClient, TestClient]:
    app = results_app(world, docs)
    a, b = TestClient(app), TestClient(app)
    activate(a, world.agencies["A"])
    activate(b, world.agencies["B"])
    return a, b


def test_should_show_only_own_results(world: World) -> None:
    run_id = add_run(world, score_b=True)
    issue_letter(world, run_id, "A")
    a, b = _results_clients(world, FakeDocuments())
    with a, b:
        assert 'id="overall-score">62.50<' in a.get("/results").text
        for path in (
            "/results",
            f"/results?agency_id={world.agencies['A'].agency_id}",
            "/results?agency=D0001&code=D0001",
        ):
            text = b.get(path).text
            assert 'id="overall-score">33.33<' in text, path
            for leak in ("กรมทดสอบหนึ่ง", "62.50", "75.00", "D0001", "สพร 0105"):
                assert leak not in text, (path, leak)


def test_should_download_only_own_result_documents(world: World) -> None:
    run_id = add_run(world, score_b=True)
    issue_letter(world, run_id, "A")
    docs = FakeDocuments()
    a, b = _results_clients(world, docs)
    with a, b:
        assert a.get("/results/letter.pdf").content.endswith(b"D0001")
        a_id = world.agencies["A"].agency_id
        # B has no letter of its own: A's is not served whatever the URL says.
        for path in ("/results/letter.pdf", f"/results/letter.pdf?agency_id={a_id}"):
            r = b.get(path)
            assert r.status_code == 404, path
            assert b"D0001" not in r.content
        r = b.get(f"/results/action-plan.xlsx?agency_id={a_id}&agency=D0001")
        assert r.content.endswith(b"D0002")
        assert "D0002" in r.headers["content-disposition"]
        assert [code for code, _ in docs.letters] == ["D0001"]
        assert docs.plans == ["D0002"]
    with TestClient(results_app(world, docs)) as anon:
        for path in ("/results", "/results/letter.pdf", "/results/action-plan.xlsx"):
            r = anon.get(path, follow_redirects=False)
            assert r.status_code == 303, path
            assert r.headers["location"].startswith("/login")
