"""Untrusted parts of a request: ids in URLs and forms, the Host header, uploaded file names."""

from __future__ import annotations

import re

from fastapi import FastAPI

from dgops.web import WebConfig
from tests.web.conftest import PDF, TestClient, World, survey_csrf

TOO_BIG = "9223372036854775808"


def test_should_answer_not_found_for_ids_no_row_can_have(clients: dict[str, TestClient]) -> None:
    c = clients["A"]
    for raw in (TOO_BIG, "2147483648", "99999999999999999999999", "abc", "๑", "-1", "0"):
        r = c.get(f"/survey/evidence/{raw}")
        assert r.status_code == 404, raw
        assert "ไม่พบ" in r.text, raw
    token = survey_csrf(c, "/survey/pillar/P1")
    r = c.post("/survey/pillar/P1", data={"csrf_token": token, "delete_evidence": TOO_BIG})
    assert r.status_code == 404


def test_should_refuse_a_forged_host_instead_of_redirecting_to_it(app: FastAPI) -> None:
    with TestClient(app) as c:
        for path in ("/survey/", "/login/", "/dashboard"):
            r = c.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
            assert r.status_code == 400, path
            assert "evil.example" not in r.headers.get("location", ""), path
        r = c.get("/survey/", follow_redirects=False)  # the portal's own name still works
        assert r.status_code in (303, 307)
        assert r.headers["location"].startswith(("/", "http://testserver/"))


def test_should_answer_only_the_configured_hosts(world: World) -> None:
    app = world.app(WebConfig(trusted_hosts=("survey.dga.or.th",)))
    with TestClient(app, base_url="https://survey.dga.or.th") as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/healthz", headers={"Host": "testserver"}).status_code == 400


def test_should_serve_a_file_under_an_extension_that_matches_its_type(
    clients: dict[str, TestClient],
) -> None:
    c = clients["A"]
    token = survey_csrf(c, "/survey/pillar/P1")
    uploads = {
        "PLAN_FILE": ("หน้าเว็บ.html", b"<script>alert(1)</script> plain text", "text/html"),
        "BUDGET": ("budget.PDF", PDF, "application/pdf"),
    }
    for qid, (name, content, kind) in uploads.items():
        r = c.post(
            "/survey/pillar/P1",
            data={
                "csrf_token": token,
                "_q": ["PLAN", "BUDGET"],
                "PLAN": "approved",
                "BUDGET": "yes",
            },
            files={f"file:{qid}": (name, content, kind)},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
    page = c.get("/survey/pillar/P1").text
    served = {}
    for eid in re.findall(r'href="/survey/evidence/(\d+)"', page):
        got = c.get(f"/survey/evidence/{eid}")
        served[got.headers["content-type"].split(";")[0]] = got.headers["content-disposition"]
    assert re.search(r'filename="_+\.html\.txt"', served["text/plain"])
    assert served["text/plain"].endswith(".html.txt")  # the UTF-8 name too
    assert 'filename="budget.PDF"' in served["application/pdf"]
