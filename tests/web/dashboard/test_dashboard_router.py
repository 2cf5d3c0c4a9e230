"""The dashboard page and its exports, on a fake tracking API (HTTP, no browser)."""

from __future__ import annotations

import io
import re

from fastapi import FastAPI
from openpyxl import load_workbook

from dgops.responses import get_response
from dgops.responses.models import ResponseStatus
from tests.web.conftest import TestClient, World
from tests.web.dashboard.conftest import FakeTracking


def test_should_show_deadline_rates_targets_chart_and_tables(manager: TestClient) -> None:
    r = manager.get("/dashboard/")
    assert r.status_code == 200
    html = r.text
    assert "เหลือเวลาถึงกำหนดส่ง" in html
    assert "17 วัน" in html
    assert "42.0%" in html  # 4,200 of 10,000
    assert "ต่ำกว่าเป้า 38.0 จุด" in html  # target 80
    assert "81.5%" in html
    assert "74.0–88.0%" in html
    assert html.count('<svg class="trend"') == 1
    for cls in ("current", "previous", "projection", "band", "target", "today"):
        assert f'class="{cls}"' in html, cls
    assert "หน่วยงานระดับกรมหรือเทียบเท่า" in html  # level values in Thai
    assert "องค์การบริหารส่วนตำบลทดสอบ" in html
    assert "old@example.go.th" in html
    assert r.headers["cache-control"] == "no-store"
    assert "script" not in html.lower()  # works without JavaScript; CSP allows no inline code
    for table in ("groups", "behind", "nonresponders", "bounced"):
        assert f'href="export/{table}.xlsx?by=level"' in html, table


def test_should_pass_filters_and_grouping_to_the_tracking_api(
    manager: TestClient, tracking: FakeTracking
) -> None:
    r = manager.get("/dashboard/?by=province&province=เชียงใหม่&junk=1&level=")
    assert r.status_code == 200
    calls = dict(tracking.calls)
    assert calls["response_rates"]["by"] == "province"
    assert calls["response_rates"]["filters"] == {"province": "เชียงใหม่"}
    assert calls["agency_progress"]["filters"] == {"province": "เชียงใหม่"}
    # One filter: the chart and projection follow that group.
    assert calls["trend"] == {"by": "province", "value": "เชียงใหม่"}
    assert "จังหวัด: เชียงใหม่" in r.text
    # The bounced list is restricted to agencies in the filter (none of the two test ones).
    assert "old@example.go.th" not in r.text


def test_should_page_the_nonresponders_with_a_count(manager: TestClient) -> None:
    first = manager.get("/dashboard/").text
    assert "(250 รายการ)" in first
    assert "หน้า 1 / 3" in first
    rows = re.findall(r"องค์การบริหารส่วนตำบลทดสอบ \d+", first)
    assert len(rows) == 100
    last = manager.get("/dashboard/?page=3").text
    assert "หน้า 3 / 3" in last
    assert len(re.findall(r"องค์การบริหารส่วนตำบลทดสอบ \d+", last)) == 50
    beyond = manager.get("/dashboard/?page=99").text
    assert "หน้า 3 / 3" in beyond


def test_should_export_every_row_as_xlsx_with_thai_headers_and_no_formulas(
    manager: TestClient,
) -> None:
    r = manager.get("/dashboard/export/nonresponders.xlsx?by=level")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert r.headers["content-disposition"].startswith("attachment;")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    assert header[:3] == ["รหัส", "หน่วยงาน", "สถานะ"]
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 251  # every non-responder, not one page
    assert ws["A2"].font.name == "TH Sarabun New"
    contacts = [c.value for c in ws["H"]]
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for v in contacts)
    assert not any(
        isinstance(v, str) and v.startswith("=")
        for row in ws.iter_rows()
        for v in [c.value for c in row]
    )

    bounced = load_workbook(
        io.BytesIO(manager.get("/dashboard/export/bounced.xlsx").content)
    ).active
    assert bounced is not None
    values = [c.value for row in bounced.iter_rows(min_row=2) for c in row]
    assert "'-cmd@example.go.th" in values
    assert "'+SUM(A1)" in values
    for table in ("groups", "behind"):
        wb = load_workbook(io.BytesIO(manager.get(f"/dashboard/export/{table}.xlsx").content))
        assert wb.active is not None
        assert wb.active.max_row >= 2


def test_should_answer_not_found_for_an_unknown_table_or_asset(manager: TestClient) -> None:
    assert manager.get("/dashboard/export/secrets.xlsx").status_code == 404
    assert manager.get("/dashboard/assets/..%2F..%2Fsettings.py").status_code == 404
    assert manager.get("/dashboard/assets/portal.js").status_code == 404
    css = manager.get("/dashboard/assets/dashboard.css")
    assert css.status_code == 200
    assert "svg.trend" in css.text
    assert manager.get("/dashboard/assets/Sarabun-Regular.ttf").status_code == 200


def test_should_say_when_there_is_no_cycle(manager: TestClient) -> None:
    r = manager.get("/dashboard/?year=2599")
    assert r.status_code == 404
    assert "ยังไม่มีรอบการสำรวจ" in r.text


def test_should_serve_the_dashboard_without_calling_tracking_before_sign_in(
    dash_app: FastAPI, tracking: FakeTracking
) -> None:
    with TestClient(dash_app) as anon:
        r = anon.get("/dashboard/", follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == "/dashboard/login"
        assert anon.get("/dashboard/export/groups.xlsx", follow_redirects=False).status_code == 303
    assert tracking.calls == []


def test_should_reuse_figures_until_the_database_changes(
    manager: TestClient, tracking: FakeTracking, world: World
) -> None:
    def computed() -> int:
        return sum(1 for name, _ in tracking.calls if name == "agency_progress")

    manager.get("/dashboard/")
    manager.get("/dashboard/?page=2")  # same figures, another page of them
    assert computed() == 1
    with world.db.begin() as s:
        response = get_response(s, world.cycle_id, world.agencies["A"].agency_id)
        response.status = ResponseStatus.SUBMITTED
    manager.get("/dashboard/")
    assert computed() == 2  # a committed change is seen at once
    manager.get("/dashboard/?by=province")
    assert computed() == 3  # another grouping is another entry
