"""The dashboard in Debian's Chromium (Playwright) against uvicorn, on 10,000 agencies.

The database (demo registry "10k", statuses, e-mails and snapshots set in bulk) is built once
per session by ``bench.bench_dashboard.build_database``; the clock is on day 42 of 2566.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from openpyxl import load_workbook

from bench.bench_dashboard import build_database, today
from dgops.db import Database, make_engine
from dgops.settings import PROJECT_ROOT, Settings
from dgops.web import WebConfig, create_app
from tests.web.dashboard.conftest import CHEAP_HASHER, MANAGER, MANAGER_PASSWORD
from tests.web.test_browser import ARGS, CHROMIUM, PHONE, _free_port, _need_chromium

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def server_10k(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``dgops web`` on a 10,000-agency database, served by uvicorn in a thread."""
    _need_chromium()
    var_dir = tmp_path_factory.mktemp("dash10k")
    engine = make_engine(f"sqlite:///{var_dir / 'dgops.sqlite'}")
    build_database(engine)
    moment = dt.datetime.combine(today(), dt.time(3, 0), tzinfo=dt.UTC)
    app = create_app(
        Settings(var_dir=var_dir, home=PROJECT_ROOT),
        db=Database(engine),
        clock=lambda: moment,
        config=WebConfig(),
        managers={MANAGER: CHEAP_HASHER.hash(MANAGER_PASSWORD)},
    )
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
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
    engine.dispose()


@pytest.fixture
def page_factory(server_10k: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def signed_in(viewport: dict[str, int]) -> object:
            ctx = browser.new_context(viewport=viewport, locale="th-TH", accept_downloads=True)
            page = ctx.new_page()
            page.goto(f"{server_10k}/dashboard/")
            assert page.url.endswith("/dashboard/login")
            page.fill("#username", MANAGER)
            page.fill("#password", MANAGER_PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_url(re.compile(r".*/dashboard/$"))
            return page

        yield signed_in
        browser.close()


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("DGOPS_SCREENSHOT_DIR", tmp_path))


def test_should_render_figures_chart_and_tables_for_10k_agencies(
    page_factory: object, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = page_factory(LAPTOP)  # type: ignore[operator]
    expect(page.locator("#kpi-days")).to_contain_text("17 วัน")  # 14 Aug → 31 Aug
    expect(page.locator("#kpi-rate")).to_contain_text("จาก 10,000 หน่วยงาน")
    expect(page.locator("svg.trend polyline.current")).to_have_count(1)
    expect(page.locator("svg.trend polyline.previous")).to_have_count(1)
    expect(page.locator("svg.trend polygon.band")).to_have_count(1)
    expect(page.locator("#nonresponders tbody tr")).to_have_count(100)
    expect(page.locator("#nonresponders .pager")).to_contain_text("หน้า 1 /")
    expect(page.locator("#bounced tbody tr")).to_have_count(60)
    expect(page.locator("#groups tbody tr")).to_have_count(3)  # the levels in "10k"
    shots = _shots(tmp_path)
    page.screenshot(path=str(shots / "dashboard-laptop.png"), full_page=False)
    page.locator("#nonresponders").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "dashboard-laptop-nonresponders.png"))
    assert (shots / "dashboard-laptop.png").stat().st_size > 20_000
    page.click("#nonresponders a[rel=next]")
    expect(page.locator("#nonresponders .pager")).to_contain_text("หน้า 2 /")


def test_should_filter_and_group_with_the_form(page_factory: object) -> None:
    from playwright.sync_api import expect

    page = page_factory(LAPTOP)  # type: ignore[operator]
    page.select_option("select[name=by]", "province")
    page.select_option("select[name=level]", "provincial_office")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r".*by=province.*level=provincial_office.*"))
    expect(page.locator("#groups h2")).to_contain_text("จังหวัด")
    expect(page.locator("#trend h2")).to_contain_text("ส่วนราชการระดับจังหวัด")
    rows = page.locator("#groups tbody tr").count()
    assert rows >= 70  # provincial offices in every province
    expect(page.locator("#kpi-rate")).to_contain_text("(ตามตัวกรอง)")
    # Drill down: a province name in the table filters on it.
    page.locator("#groups tbody tr td a").first.click()
    page.wait_for_url(re.compile(r".*province=.*"))
    expect(page.locator("#groups tbody tr")).to_have_count(1)


def test_should_download_a_valid_xlsx_of_every_nonresponder(page_factory: object) -> None:
    page = page_factory(LAPTOP)  # type: ignore[operator]
    count = int(
        re.sub(r"\D", "", page.locator("#nonresponders h2 .count").inner_text().split("รายการ")[0])
    )
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.click("#nonresponders a.xlsx")
    path = info.value.path()
    wb = load_workbook(io.BytesIO(Path(path).read_bytes()))
    ws = wb.active
    assert ws is not None
    assert ws["A1"].value == "รหัส"
    assert ws.max_row == count + 1
    assert ws.freeze_panes == "A2"


def test_should_fit_a_phone_without_sideways_scrolling(
    page_factory: object, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = page_factory(PHONE)  # type: ignore[operator]
    expect(page.locator("svg.trend")).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    page.screenshot(path=str(_shots(tmp_path) / "dashboard-phone.png"))
