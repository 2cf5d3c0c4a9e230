"""The managers' dashboard in Debian's Chromium on a fake tracking API (issue #12): the chart
after the deadline, the non-responders on a phone, and the contrast of the focus ring and the
form borders. Screenshots go to ``$DGOPS_SCREENSHOT_DIR``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from dgops.web import WebConfig, create_app
from tests.web.conftest import World
from tests.web.dashboard.conftest import (
    CHEAP_HASHER,
    MANAGER,
    MANAGER_PASSWORD,
    FakeProjection,
    FakeTracking,
)
from tests.web.test_agency_browser import contrast, serve
from tests.web.test_browser import ARGS, CHROMIUM, PHONE, _need_chromium

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1280, "height": 900}


@dataclasses.dataclass
class AfterDeadline(FakeTracking):
    """Day 110 of a cycle whose deadline was day 92; last year's snapshots run a whole year."""

    def previous_trend(
        self, session: Session, year: int, *, by: str | None = None, value: str | None = None
    ) -> pd.DataFrame:
        days = list(range(0, 365, 1))
        return pd.DataFrame(
            {
                "day": [dt.date(2022, 7, 1) + dt.timedelta(days=d) for d in days],
                "days_from_open": days,
                "total": 9_500,
                "responded": [min(d * 100, 9_000) for d in days],
                "rate": [min(d * 1.1, 95.0) for d in days],
            }
        )

    def trend(
        self, session: Session, year: int, *, by: str | None = None, value: str | None = None
    ) -> pd.DataFrame:
        days = list(range(0, 111, 1))
        return pd.DataFrame(
            {
                "day": [dt.date(2023, 7, 1) + dt.timedelta(days=d) for d in days],
                "days_from_open": days,
                "total": 10_000,
                "responded": [min(d * 90, 9_500) for d in days],
                "rate": [min(d * 0.9, 95.0) for d in days],
            }
        )

    def project_rate(self, session: Session, year: int, **kw: Any) -> FakeProjection:
        return FakeProjection(days_to_deadline=-18)


@pytest.fixture
def dash_site(world: World) -> Iterator[str]:
    _need_chromium()
    world.clock.now = dt.datetime(2023, 10, 19, 3, 0, tzinfo=dt.UTC)  # day 110
    app = create_app(
        world.settings,
        db=world.db,
        clock=world.clock,
        policy=world.policy,
        config=WebConfig(),
        frameworks=lambda _version: world.framework,
        storage=world.storage,
        tracking=AfterDeadline(),
        managers={MANAGER: CHEAP_HASHER.hash(MANAGER_PASSWORD)},
    )
    served = dataclasses.replace(world)
    served.app = lambda config=None: app  # type: ignore[method-assign]
    with serve(served) as base:
        yield base


@pytest.fixture
def manager_page(dash_site: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def open_as(viewport: dict[str, int]) -> Any:
            page = browser.new_context(viewport=viewport, locale="th-TH").new_page()
            page.goto(f"{dash_site}/dashboard/")
            page.fill("#username", MANAGER)
            page.fill("#password", MANAGER_PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_url(re.compile(r".*/dashboard/$"))
            return page

        yield open_as
        browser.close()


def _folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DGOPS_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


BOXES = """() => Array.from(document.querySelectorAll('svg.trend text.axis')).map(t => {
    const b = t.getBBox(); return [t.textContent, b.x, b.y, b.width, b.height]; })"""


def test_should_keep_the_chart_readable_after_the_deadline(
    manager_page: Any, tmp_path: Path
) -> None:
    page = manager_page(LAPTOP)
    boxes = page.evaluate(BOXES)
    assert len(boxes) >= 6
    for i, (text_a, xa, ya, wa, ha) in enumerate(boxes):
        for text_b, xb, yb, wb, hb in boxes[i + 1 :]:
            apart = xa + wa <= xb or xb + wb <= xa or ya + ha <= yb or yb + hb <= ya
            assert apart, f"axis labels {text_a!r} and {text_b!r} overlap"
    # This year's curve (day 0 to today, day 110) spans most of the plot, not a corner of it.
    curve = page.evaluate("() => document.querySelector('svg.trend .current').getBBox().width")
    plot = page.evaluate("() => document.querySelector('svg.trend line.grid').getBBox().width")
    assert curve >= 0.9 * plot
    page.locator("#trend").screenshot(path=str(_folder(tmp_path) / "dashboard-chart-late.png"))


def test_should_show_a_non_responders_phone_without_sideways_swiping(
    manager_page: Any, tmp_path: Path
) -> None:
    page = manager_page(PHONE)
    first = page.locator("#nonresponders table tbody tr").first
    phone = first.locator("td.col-contact_phone")
    first.scroll_into_view_if_needed()
    box = phone.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    assert phone.locator("a").get_attribute("href") == "tel:021234567"
    scroller = page.locator("#nonresponders .scroll")
    widths = scroller.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] <= widths[1]  # nothing to swipe
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(_folder(tmp_path) / "dashboard-nonresponders-phone.png"))
    laptop = manager_page(LAPTOP)
    laptop.locator("#nonresponders").screenshot(
        path=str(_folder(tmp_path) / "dashboard-nonresponders-laptop.png")
    )


def test_should_draw_the_dashboards_focus_ring_and_borders_with_enough_contrast(
    manager_page: Any,
) -> None:
    page = manager_page(LAPTOP)
    ring, border = page.evaluate(
        """() => { const el = document.querySelector('select[name=by]'); el.focus();
            const s = getComputedStyle(el); return [s.outlineColor, s.borderTopColor]; }"""
    )
    white = "rgb(255, 255, 255)"
    assert contrast(border, white) >= 3.0, border
    assert contrast(ring, white) >= 3.0, ring
