"""What agencies see (issue #12), in Debian's Chromium through Playwright against uvicorn: the
sign-in messages, the agency's own deadline and the late-answer rule, drafts that survive an
expired session and the return to the page, the list of commented questions of a returned
response, the survey team's contact details, plain-Thai errors, the review page on a phone and
the contrast of the focus ring and input borders.

Screenshots (desktop and a 390 px phone) go to ``$DGOPS_SCREENSHOT_DIR`` (else the test's
temporary folder).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from dgops.fieldwork import extend_deadline
from dgops.responses import answers_of, get_response, return_response, save_answers, submit
from dgops.settings import PROJECT_ROOT, Settings
from tests.web.conftest import PASSWORD, World
from tests.web.test_browser import ARGS, CHROMIUM, PHONE, _first_login, _free_port, _need_chromium

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
TEAM_PHONE = "02 141 6000"
TEAM_EMAIL = "readiness-survey@dga.example.org"
TEAM_NAME = "ทีมงานสำรวจความพร้อมรัฐบาลดิจิทัล สพร."


@contextmanager
def serve(world: World) -> Iterator[str]:
    """The portal of ``world`` served by uvicorn on a free loopback port."""
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(world.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    limit = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > limit:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def team_world(world: World, tmp_path: Path) -> World:
    """The test world with the survey team's contact details and 3 late days configured."""
    settings = Settings(
        var_dir=tmp_path,
        home=PROJECT_ROOT,
        survey_team_name=TEAM_NAME,
        survey_team_phone=TEAM_PHONE,
        survey_team_email=TEAM_EMAIL,
        late_answer_days=3,
    )
    return dataclasses.replace(world, settings=settings)


@pytest.fixture
def site(team_world: World) -> Iterator[str]:
    _need_chromium()
    with serve(team_world) as base:
        yield base


@pytest.fixture
def browser() -> Iterator[Any]:
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DGOPS_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(page: Any, base: str, username: str) -> None:
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")


def activated(browser: Any, base: str, world: World, key: str, **ctx: Any) -> tuple[Any, Any]:
    """A new browser context whose agency ``key`` has set its password (and is signed in)."""
    login = world.agencies[key]
    context = browser.new_context(locale="th-TH", **ctx)
    page = context.new_page()
    _first_login(page, base, login.username, login.activation)
    return context, page


def autosaved(page: Any) -> None:
    from playwright.sync_api import expect

    status = page.locator("#autosave-status")
    expect(status).to_contain_text("บันทึกร่างอัตโนมัติแล้ว")
    status.evaluate("el => { el.textContent = ''; }")


# -- sign-in messages -----------------------------------------------------------------------------


def test_should_say_signed_in_not_password_set_after_a_normal_sign_in(
    site: str, browser: Any, team_world: World
) -> None:
    from playwright.sync_api import expect

    context, page = activated(browser, site, team_world, "A")
    expect(page.locator(".notice")).to_have_text(re.compile("ตั้งรหัสผ่านเรียบร้อยแล้ว"))
    context.close()

    context = browser.new_context(locale="th-TH")
    page = context.new_page()
    page.goto(f"{site}/login")
    sign_in(page, site, team_world.agencies["A"].username)
    page.wait_for_url(re.compile(r".*/survey\?msg=signedin$"))
    expect(page.locator(".notice")).to_have_text("เข้าสู่ระบบเรียบร้อยแล้ว")
    assert "ตั้งรหัสผ่าน" not in page.locator(".notice").inner_text()
    context.close()


# -- the agency's own deadline and the late-answer rule ------------------------------------------


def test_should_show_the_agencys_extended_deadline_and_close_after_the_late_days(
    site: str, browser: Any, team_world: World, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    a, b = team_world.agencies["A"], team_world.agencies["B"]
    with team_world.db.begin() as s:
        extend_deadline(
            s, 2566, dt.date(2023, 10, 20), agency_code=a.code, reason="ขอขยาย", actor="op"
        )
    ctx_a, page_a = activated(browser, site, team_world, "A", viewport=PHONE)
    ctx_b, page_b = activated(browser, site, team_world, "B", viewport=PHONE)
    # 2 October: past the cycle's deadline (30 September), within B's 3 late days.
    team_world.clock.now = dt.datetime(2023, 10, 2, 3, 0, tzinfo=dt.UTC)
    for page, login in ((page_a, a), (page_b, b)):
        page.goto(f"{site}/survey")
        sign_in(page, site, login.username)
        page.wait_for_url(re.compile(r".*/survey\?msg=signedin$"))
    expect(page_a.locator("#deadline")).to_contain_text("20 ตุลาคม 2566")
    expect(page_a.locator("#deadline")).to_contain_text("ขยายเวลาให้แล้ว จากเดิม 30 กันยายน 2566")
    expect(page_a.locator("#late")).to_have_count(0)
    page_a.screenshot(path=str(shots(tmp_path) / "agency-deadline-extended-phone.png"))
    page_b.goto(f"{site}/survey/pillar/P2")
    expect(page_b.locator("#deadline")).to_contain_text("30 กันยายน 2566")
    expect(page_b.locator("#late")).to_contain_text("ยังบันทึกและส่งได้ถึงวันที่ 3 ตุลาคม 2566")
    page_b.fill("input[name=STAFF]", "3")
    page_b.locator("input[name=STAFF]").blur()
    autosaved(page_b)

    # 4 October: B's window has closed (the page is read-only, saving is refused); A's has not.
    team_world.clock.now = dt.datetime(2023, 10, 4, 3, 0, tzinfo=dt.UTC)
    page_b.goto(f"{site}/survey/pillar/P2")
    sign_in(page_b, site, b.username)  # the session of 2 October has expired
    page_b.wait_for_url(re.compile(r".*/survey/pillar/P2\?msg=signedin$"))
    expect(page_b.locator("#closed")).to_contain_text("พ้นกำหนดส่งแบบสำรวจแล้ว")
    expect(page_b.locator("#closed")).to_contain_text("3 ตุลาคม 2566")
    expect(page_b.locator("input[name=STAFF]")).to_be_disabled()
    page_b.screenshot(path=str(shots(tmp_path) / "agency-closed-phone.png"), full_page=True)
    status = page_b.evaluate(
        """async () => {
            const body = new URLSearchParams({csrf_token: document.querySelector(
                "input[name=csrf_token]").value, _q: "STAFF", STAFF: "9"});
            const r = await fetch('/survey/autosave', {method: 'POST', body,
                headers: {Accept: 'application/json'}});
            return [r.status, (await r.json()).error];
        }"""
    )
    assert status == [409, "closed"]
    page_a.goto(f"{site}/survey/pillar/P2")
    sign_in(page_a, site, a.username)
    page_a.wait_for_url(re.compile(r".*/survey/pillar/P2\?msg=signedin$"))
    page_a.fill("input[name=STAFF]", "5")
    page_a.locator("input[name=STAFF]").blur()
    autosaved(page_a)
    with team_world.db.begin() as s:
        assert answers_of(s, get_response(s, team_world.cycle_id, b.agency_id))["STAFF"] == 3
        assert answers_of(s, get_response(s, team_world.cycle_id, a.agency_id))["STAFF"] == 5
    ctx_a.close()
    ctx_b.close()


# -- an expired session: drafts kept, back to the page -----------------------------------------


def test_should_keep_unsaved_answers_and_return_to_the_page_after_signing_in_again(
    site: str, browser: Any, team_world: World, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    a = team_world.agencies["A"]
    context, page = activated(browser, site, team_world, "A", viewport=PHONE)
    page.goto(f"{site}/survey/pillar/P2")
    # The session expires (idle timeout) while the agency is typing.
    team_world.clock.advance(dt.timedelta(hours=2))
    page.fill("input[name=STAFF]", "12")
    page.check("input[name=SKILLS][value=cloud]")
    page.fill("textarea[name=NOTE]", "ร่างที่ยังไม่ได้บันทึก")
    page.locator("textarea[name=NOTE]").blur()
    relogin = page.locator("#relogin")
    expect(relogin).to_be_visible()
    expect(page.locator("#autosave-status")).to_contain_text("เก็บไว้ในเครื่องนี้แล้ว")
    page.screenshot(path=str(shots(tmp_path) / "agency-expired-phone.png"))
    # Even a reload (what a tired user does) keeps what was typed.
    relogin.click()
    page.wait_for_url(re.compile(r".*/login\?next=.*"))
    sign_in(page, site, a.username)
    page.wait_for_url(re.compile(r".*/survey/pillar/P2\?msg=signedin$"))
    expect(page.locator("input[name=STAFF]")).to_have_value("12")
    expect(page.locator("input[name=SKILLS][value=cloud]")).to_be_checked()
    expect(page.locator("textarea[name=NOTE]")).to_have_value("ร่างที่ยังไม่ได้บันทึก")
    autosaved(page)
    with team_world.db.begin() as s:
        saved = answers_of(s, get_response(s, team_world.cycle_id, a.agency_id))
    assert saved["STAFF"] == 12
    assert saved["SKILLS"] == ["cloud"]
    assert saved["NOTE"] == "ร่างที่ยังไม่ได้บันทึก"
    assert page.evaluate("() => Object.keys(localStorage).length") == 0  # drafts forgotten

    # A page opened after the session ended (no script involved) also comes back after sign-in.
    team_world.clock.advance(dt.timedelta(hours=2))
    page.goto(f"{site}/survey/review")
    page.wait_for_url(re.compile(r".*/login\?.*next=%2Fsurvey%2Freview.*"))
    sign_in(page, site, a.username)
    page.wait_for_url(re.compile(r".*/survey/review\?msg=signedin$"))
    context.close()


# -- a returned response -------------------------------------------------------------------------


def _returned(world: World, key: str) -> None:
    """Agency ``key`` answered everything, submitted, and the officers returned it."""
    login = world.agencies[key]
    with world.db.begin() as s:
        resp = get_response(s, world.cycle_id, login.agency_id)
        answers = {"PLAN": "none", "BUDGET": "no", "STAFF": "3", "SKILLS": ["data", "cyber"]}
        kw = {"framework": world.framework, "actor": "t", "channel": "online"}
        save_answers(s, resp, answers, **kw)  # type: ignore[arg-type]
        submit(s, resp, **kw)  # type: ignore[arg-type]
        return_response(
            s,
            resp,
            comments=[
                ("STAFF", "จำนวนบุคลากรไม่ตรงกับรายงานประจำปี"),
                ("SKILLS", "โปรดระบุหลักสูตรให้ครบ"),
                (None, "โปรดทบทวนมิติที่ 2"),
            ],
            actor="operator1",
        )


def test_should_list_the_commented_questions_of_a_returned_response_and_mark_their_pillars(
    site: str, browser: Any, team_world: World, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    context, page = activated(browser, site, team_world, "A", viewport=PHONE)
    _returned(team_world, "A")
    page.goto(f"{site}/survey")
    items = page.locator("#to-fix li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("2.1.1")
    expect(items.nth(0)).to_contain_text("จำนวนบุคลากรไม่ตรงกับรายงานประจำปี")
    expect(page.locator("li[data-pillar=P2]")).to_have_class(re.compile("needs-work"))
    expect(page.locator("li[data-pillar=P2] .flag")).to_have_text("ต้องแก้ไข 2 ข้อ")
    expect(page.locator("li[data-pillar=P1] .flag")).to_have_count(0)
    page.screenshot(path=str(shots(tmp_path) / "agency-returned-phone.png"), full_page=True)
    items.nth(1).locator("a").click()
    page.wait_for_url(re.compile(r".*/survey/pillar/P2#q-SKILLS$"))
    expect(page.locator("#q-SKILLS .comment")).to_contain_text("โปรดระบุหลักสูตรให้ครบ")
    expect(page.locator("#to-fix a")).to_have_count(2)
    page.goto(f"{site}/survey/review")
    expect(page.locator("#review-P2 .flag")).to_have_text("ต้องแก้ไข 2 ข้อ")
    expect(page.locator("#review-P2")).to_have_attribute("open", "")
    context.close()


# -- contact details, plain Thai, the review page on a phone ------------------------------------


def test_should_show_the_survey_team_on_every_page_and_speak_plain_thai(
    site: str, browser: Any, team_world: World, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="th-TH", viewport=PHONE)
    page = context.new_page()
    for path in ("/login", "/activate"):
        page.goto(f"{site}{path}")
        expect(page.locator("#contact")).to_contain_text(TEAM_NAME)
        expect(page.locator("#contact a.team-phone")).to_have_attribute("href", "tel:021416000")
        expect(page.locator("#contact a.team-email")).to_have_text(TEAM_EMAIL)
    context.close()
    context, page = activated(browser, site, team_world, "A", viewport=PHONE)
    for path in ("/survey", "/survey/pillar/P1", "/survey/review", "/survey/pillar/NOPE"):
        page.goto(f"{site}{path}")
        expect(page.locator("#contact")).to_contain_text(TEAM_PHONE)
    assert "(not found)" not in page.content()

    page.goto(f"{site}/survey/pillar/P1")
    page.check("input[name=BUDGET][value=yes]")
    page.fill("input[name=BUDGET_PCT]", "150")
    page.locator("input[name=BUDGET_PCT]").blur()
    error = page.locator("#q-BUDGET_PCT .error")
    expect(error).to_have_text("กรุณากรอกร้อยละเป็นตัวเลขตั้งแต่ 0 ถึง 100 เช่น 12.5")
    expect(page.locator("#autosave-status")).to_contain_text("มีข้อที่ต้องแก้ไข")
    page.fill("input[name=BUDGET_PCT]", "สิบ")
    page.click("button[name=go][value=stay]")  # the page's own save gives the same words
    expect(page.locator("#q-BUDGET_PCT .error")).to_have_text("กรุณากรอกเป็นตัวเลข เช่น 25 หรือ 1,200")
    body = page.locator("main").inner_text()
    for jargon in ("0..100", "external", "value_weight", "out of range", "not a number"):
        assert jargon not in body
    page.screenshot(path=str(shots(tmp_path) / "agency-error-phone.png"))
    context.close()


def test_should_number_shown_questions_and_make_the_review_page_usable_on_a_phone(
    site: str, browser: Any, team_world: World, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    context, page = activated(browser, site, team_world, "A", viewport=PHONE)
    page.goto(f"{site}/survey/pillar/P1")
    # PLAN_FILE (1.1.2) is hidden until the plan is approved: BUDGET follows PLAN without a gap.
    expect(page.locator("#q-BUDGET .qnum")).to_have_text("1.1.2")
    page.check("input[name=PLAN][value=approved]")
    expect(page.locator("#q-PLAN_FILE .qnum")).to_have_text("1.1.2")
    expect(page.locator("#q-BUDGET .qnum")).to_have_text("1.1.3")
    page.check("input[name=PLAN][value=none]")
    expect(page.locator("#q-BUDGET .qnum")).to_have_text("1.1.2")
    page.check("input[name=BUDGET][value=no]")
    autosaved(page)
    page.goto(f"{site}/survey/pillar/P2")
    page.check("input[name=SKILLS][value=data]")
    page.check("input[name=SKILLS][value=cloud]")
    autosaved(page)

    page.goto(f"{site}/survey/review")
    expect(page.locator("#r-BUDGET .qnum")).to_have_text("1.1.2")
    skills = page.locator("#r-SKILLS + dd ul.choices li")
    expect(skills).to_have_text(["การวิเคราะห์ข้อมูล", "คลาวด์"])
    p1 = page.locator("#review-P1")
    summary = p1.locator("summary")
    box = summary.bounding_box()
    assert box is not None
    assert box["height"] >= 44  # a finger-sized target
    was_open = p1.get_attribute("open") is not None
    summary.click()
    assert (p1.get_attribute("open") is not None) is not was_open
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    folder = shots(tmp_path)
    page.screenshot(path=str(folder / "agency-review-phone.png"), full_page=True)
    desktop = context.new_page()
    desktop.set_viewport_size(DESKTOP)
    for name, path in (("overview", "/survey"), ("pillar", "/survey/pillar/P1")):
        desktop.goto(f"{site}{path}")
        desktop.screenshot(path=str(folder / f"agency-{name}-desktop.png"), full_page=True)
        page.goto(f"{site}{path}")
        page.screenshot(path=str(folder / f"agency-{name}-phone.png"), full_page=True)
    desktop.goto(f"{site}/survey/review")
    desktop.screenshot(path=str(folder / "agency-review-desktop.png"), full_page=True)
    context.close()


# -- contrast ------------------------------------------------------------------------------------


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        x = c / 255
        return x / 12.92 if x <= 0.03928 else float(((x + 0.055) / 1.055) ** 2.4)

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS ``rgb(...)`` colours."""

    def parse(css: str) -> tuple[int, int, int]:
        found = re.findall(r"\d+", css)
        return int(found[0]), int(found[1]), int(found[2])

    la, lb = sorted((_luminance(parse(a)), _luminance(parse(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


STYLE_OF = """(sel) => { const el = document.querySelector(sel); el.focus();
    const s = getComputedStyle(el); return [s.outlineColor, s.borderTopColor,
    getComputedStyle(document.body).backgroundColor]; }"""


def test_should_draw_the_focus_ring_and_input_borders_with_enough_contrast(
    site: str, browser: Any, team_world: World
) -> None:
    context = browser.new_context(locale="th-TH")
    page = context.new_page()
    page.goto(f"{site}/login")
    page.keyboard.press("Tab")
    ring, border, page_bg = page.evaluate(STYLE_OF, "#username")
    white = "rgb(255, 255, 255)"
    assert contrast(border, white) >= 3.0, border  # WCAG 1.4.11 non-text contrast
    assert contrast(ring, white) >= 3.0, ring
    assert contrast(ring, page_bg) >= 3.0, ring
    context.close()
