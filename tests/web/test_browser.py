"""The portal in a real browser (Debian's Chromium through Playwright) against uvicorn.

Never runs ``playwright install``: it launches /usr/bin/chromium. Skipped with a reason when
that is absent, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from dgops.responses import get_response, return_response
from tests.web.conftest import PASSWORD, PDF, PNG, World

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


def _need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing: .ci/system-deps installs chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); browser tests skipped")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(world: World) -> Iterator[str]:
    """The portal served by uvicorn on a free loopback port, in a background thread."""
    _need_chromium()
    port = _free_port()
    config = uvicorn.Config(world.app(), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[object]:
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _first_login(page: object, base: str, username: str, code: str) -> None:
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    page.click("text=เข้าใช้งานครั้งแรก / ตั้งรหัสผ่าน")  # type: ignore[attr-defined]
    page.fill("#username", username)  # type: ignore[attr-defined]
    page.fill("#code", code)  # type: ignore[attr-defined]
    page.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    page.fill("#password2", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit].primary")  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r".*/survey\?msg=welcome"))  # type: ignore[attr-defined]


def _autosaved(page: object) -> None:
    from playwright.sync_api import expect

    status = page.locator("#autosave-status")  # type: ignore[attr-defined]
    expect(status).to_contain_text("บันทึกร่างอัตโนมัติแล้ว")
    status.evaluate("el => { el.textContent = ''; }")


def test_should_answer_upload_save_return_submit_and_resubmit(
    server: str, browser: object, world: World, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    a = world.agencies["A"]
    ctx = browser.new_context(viewport=PHONE, locale="th-TH")  # type: ignore[attr-defined]
    page = ctx.new_page()
    _first_login(page, server, a.username, a.activation)
    expect(page.locator("text=ตั้งรหัสผ่านเรียบร้อยแล้ว")).to_be_visible()

    page.click("text=นโยบายและแนวปฏิบัติ")
    expect(page.locator("#q-PLAN_FILE")).to_be_hidden()
    page.check("input[name=PLAN][value=approved]")
    expect(page.locator("#q-PLAN_FILE")).to_be_visible()  # show-if in the page, at once
    _autosaved(page)
    page.check("input[name=BUDGET][value=yes]")
    expect(page.locator("#q-BUDGET_PCT")).to_be_visible()
    page.fill("input[name=BUDGET_PCT]", "12.5")
    page.locator("input[name=BUDGET_PCT]").blur()
    _autosaved(page)

    plan, budget = tmp_path / "แผนดิจิทัล.pdf", tmp_path / "budget.png"
    plan.write_bytes(PDF)
    budget.write_bytes(PNG)
    page.set_input_files("input[name='file:PLAN_FILE']", str(plan))
    page.wait_for_url(re.compile(r".*msg=saved"))
    expect(page.locator("#q-PLAN_FILE .files a")).to_have_text("แผนดิจิทัล.pdf")
    page.set_input_files("input[name='file:BUDGET']", str(budget))
    page.wait_for_url(re.compile(r".*msg=saved"))
    expect(page.locator("#q-BUDGET .files a")).to_have_text("budget.png")

    page.click("button[name=go][value=next]")
    page.wait_for_url(re.compile(r".*/survey/pillar/P2.*"))
    page.fill("input[name=STAFF]", "๔")
    page.check("input[name=SKILLS][value=data]")
    page.check("input[name=SKILLS][value=cyber]")
    page.fill("textarea[name=NOTE]", "ข้อเสนอแนะจากหน่วยงาน")
    page.locator("textarea[name=NOTE]").blur()
    _autosaved(page)

    # Come back later: a new browser context signs in with the password, answers are there.
    ctx.close()
    ctx = browser.new_context(viewport=PHONE, locale="th-TH")  # type: ignore[attr-defined]
    page = ctx.new_page()
    page.goto(f"{server}/login")
    page.fill("#username", a.username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.goto(f"{server}/survey/pillar/P2")
    expect(page.locator("input[name=STAFF]")).to_have_value("4")
    expect(page.locator("input[name=SKILLS][value=cyber]")).to_be_checked()
    expect(page.locator("textarea[name=NOTE]")).to_have_value("ข้อเสนอแนะจากหน่วยงาน")

    page.goto(f"{server}/survey/pillar/P1")
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shots = Path(os.environ.get("DGOPS_SCREENSHOT_DIR", tmp_path))
    page.screenshot(path=str(shots / "portal-phone-top.png"))
    page.locator("#q-BUDGET_PCT").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "portal-phone-budget.png"))
    assert (shots / "portal-phone-top.png").stat().st_size > 10_000

    page.goto(f"{server}/survey/review")
    page.click("text=ส่งแบบสำรวจ")
    page.wait_for_url(re.compile(r".*msg=submitted"))
    expect(page.locator(".badge")).to_have_text("ส่งแล้ว รอตรวจสอบ")

    with world.db.begin() as s:
        resp = get_response(s, world.cycle_id, a.agency_id)
        return_response(
            s,
            resp,
            comments=[("STAFF", "จำนวนบุคลากรไม่ตรงกับรายงานประจำปี"), (None, "โปรดทบทวนมิติที่ 2")],
            actor="operator1",
        )
    page.goto(f"{server}/survey")
    expect(page.locator(".comments")).to_contain_text("โปรดทบทวนมิติที่ 2")
    page.goto(f"{server}/survey/pillar/P2")
    expect(page.locator("#q-STAFF .comment")).to_contain_text("ไม่ตรงกับรายงานประจำปี")
    page.fill("input[name=STAFF]", "6")
    page.locator("input[name=STAFF]").blur()
    _autosaved(page)
    page.goto(f"{server}/survey/review")
    page.click("text=ส่งแบบสำรวจอีกครั้ง")
    page.wait_for_url(re.compile(r".*msg=submitted"))
    expect(page.locator(".badge")).to_have_text("ส่งแล้ว รอตรวจสอบ")
    ctx.close()
    with world.db.begin() as s:
        resp = get_response(s, world.cycle_id, a.agency_id)
        assert str(resp.status.value) == "submitted"
        assert resp.submitted_by == a.username


def test_should_save_a_draft_without_javascript(server: str, browser: object, world: World) -> None:
    from playwright.sync_api import expect

    b = world.agencies["B"]
    ctx = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = ctx.new_page()
    _first_login(page, server, b.username, b.activation)
    page.goto(f"{server}/survey/pillar/P1")
    page.check("input[name=BUDGET][value=yes]")
    expect(page.locator("#q-BUDGET_PCT")).to_be_hidden()  # no script: shown after saving
    page.click("text=บันทึกร่าง")
    page.wait_for_url(re.compile(r".*msg=saved"))
    expect(page.locator("#q-BUDGET_PCT")).to_be_visible()
    expect(page.locator("input[name=BUDGET][value=yes]")).to_be_checked()
    ctx.close()


def test_should_refuse_another_agencys_file_and_data_in_the_browser(
    server: str, browser: object, world: World, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    a, b = world.agencies["A"], world.agencies["B"]
    ctx_a = browser.new_context()  # type: ignore[attr-defined]
    page_a = ctx_a.new_page()
    _first_login(page_a, server, a.username, a.activation)
    page_a.goto(f"{server}/survey/pillar/P1")
    page_a.check("input[name=PLAN][value=approved]")
    _autosaved(page_a)
    plan = tmp_path / "a-secret-plan.pdf"
    plan.write_bytes(PDF)
    page_a.set_input_files("input[name='file:PLAN_FILE']", str(plan))
    page_a.wait_for_url(re.compile(r".*msg=saved"))
    href = page_a.locator("#q-PLAN_FILE .files a").get_attribute("href")
    assert href

    ctx_b = browser.new_context()  # type: ignore[attr-defined]
    page_b = ctx_b.new_page()
    _first_login(page_b, server, b.username, b.activation)
    response = page_b.goto(f"{server}{href}")
    assert response is not None
    assert response.status == 404
    page_b.goto(f"{server}/survey/pillar/P1")
    expect(page_b.locator("input[name=PLAN][value=approved]")).not_to_be_checked()
    assert "a-secret-plan" not in page_b.content()
    # B's own session cannot reach A's response through the autosave endpoint either.
    status = page_b.evaluate(
        """async () => {
            const body = new URLSearchParams({csrf_token: document.querySelector(
                "input[name=csrf_token]").value, _q: "PLAN", PLAN: "none", agency_id: "1"});
            const r = await fetch('/survey/autosave', {method: 'POST', body});
            return r.status;
        }"""
    )
    assert status == 200
    page_a.goto(f"{server}/survey/pillar/P1")
    expect(page_a.locator("input[name=PLAN][value=approved]")).to_be_checked()
    ctx_a.close()
    ctx_b.close()
    assert shutil.which("chromium") or Path(CHROMIUM).exists()
