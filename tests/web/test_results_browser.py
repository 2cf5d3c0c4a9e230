"""The results page in Debian's Chromium through Playwright against uvicorn: sign in, see the
notice before the release, the results after it, download the letter; screenshots (desktop and
a 390 px phone) go to ``$DGOPS_SCREENSHOT_DIR`` (else the test's temporary folder)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.web.conftest import World
from tests.web.results_data import (
    LETTER_NUMBER,
    FakeDocuments,
    add_previous,
    add_run,
    issue_letter,
    results_app,
)
from tests.web.test_browser import ARGS, CHROMIUM, PHONE, _first_login, _free_port, _need_chromium

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def documents() -> FakeDocuments:
    return FakeDocuments()


@pytest.fixture
def site(world: World, documents: FakeDocuments) -> Iterator[str]:
    _need_chromium()
    port = _free_port()
    app = results_app(world, documents)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    limit = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > limit:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


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


def test_should_sign_in_see_the_results_and_download_the_letter(
    site: str, browser: Any, world: World, documents: FakeDocuments, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    a = world.agencies["A"]
    ctx = browser.new_context(viewport=PHONE, locale="th-TH", accept_downloads=True)
    page = ctx.new_page()
    _first_login(page, site, a.username, a.activation)
    page.click("nav.top-nav >> text=ผลการสำรวจ")
    expect(page.locator("#results-pending")).to_contain_text("ยังไม่ได้ประกาศผลการสำรวจ")
    page.screenshot(path=str(shots(tmp_path) / "results-pending-phone.png"), full_page=True)

    add_previous(world)
    run_id = add_run(world)
    page.reload()
    expect(page.locator("#overall-score")).to_have_text("62.50")
    expect(page.locator("#yoy")).to_contain_text("+7.50")
    expect(page.locator("#letter-pending")).to_be_visible()
    expect(page.locator("svg.results-chart")).to_be_visible()
    # The chart fits the phone's width (no sideways scrolling of the page).
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    page.screenshot(path=str(shots(tmp_path) / "results-phone.png"), full_page=True)

    issue_letter(world, run_id)
    page.reload()
    expect(page.locator("#downloads")).to_contain_text(LETTER_NUMBER)
    with page.expect_download() as info:
        page.click("#letter-link")
    download = info.value
    assert download.suggested_filename == "หนังสือแจ้งผลการสำรวจ 2566 D0001.pdf"
    saved = tmp_path / "letter.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == b"%PDF-1.7 letter of D0001"
    with page.expect_download() as info:
        page.click("#plan-link")
    assert info.value.suggested_filename == "แผนปฏิบัติการ 2566 D0001.xlsx"

    desk = browser.new_context(viewport=DESKTOP, locale="th-TH")
    dpage = desk.new_page()
    dpage.context.add_cookies(ctx.cookies())
    dpage.goto(f"{site}/results")
    expect(dpage.locator("#overall-score")).to_have_text("62.50")
    dpage.screenshot(path=str(shots(tmp_path) / "results-desktop.png"), full_page=True)
    ctx.close()
    desk.close()
