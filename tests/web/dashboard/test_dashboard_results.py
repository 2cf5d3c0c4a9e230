"""The managers' per-agency results view: choose an agency, see what it sees (released results
only), download its letter and action plan."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dgops.results import AgencyResult
from tests.web.conftest import TestClient, World
from tests.web.dashboard.conftest import (
    CHEAP_HASHER,
    MANAGER,
    MANAGER_PASSWORD,
    FakeTracking,
    sign_in_manager,
)
from tests.web.results_data import (
    ADVICE_P1,
    LETTER_NUMBER,
    FakeDocuments,
    add_run,
    issue_letter,
    results_app,
)


@pytest.fixture
def documents() -> FakeDocuments:
    return FakeDocuments()


@pytest.fixture
def boss(world: World, documents: FakeDocuments) -> Iterator[TestClient]:
    app = results_app(
        world,
        documents,
        tracking=FakeTracking(),
        managers={MANAGER: CHEAP_HASHER.hash(MANAGER_PASSWORD)},
    )
    with TestClient(app) as c:
        assert sign_in_manager(c).status_code == 303
        yield c


def test_should_find_agencies_by_code_or_name(boss: TestClient, world: World) -> None:
    add_run(world)
    r = boss.get("/dashboard/results?q=ทดสอบ")
    assert r.status_code == 200
    assert 'href="results?agency=D0001"' in r.text
    assert 'href="results?agency=D0002"' in r.text
    assert "D0003" not in r.text  # not a match
    assert "ไม่พบหน่วยงานที่ตรงกับคำค้น" in boss.get("/dashboard/results?q=ไม่มีชื่อนี้").text
    assert 'href="results"' in boss.get("/dashboard/").text  # linked from the dashboard


def test_should_show_an_agencys_released_result_as_it_sees_it(
    boss: TestClient, world: World
) -> None:
    add_run(world, release=False)
    draft = boss.get("/dashboard/results?agency=D0001").text
    assert "ยังไม่ได้ประกาศผลการสำรวจประจำปีนี้" in draft
    assert "62.50" not in draft
    add_run(world)
    html = boss.get("/dashboard/results?agency=d0001").text
    assert "D0001 กรมทดสอบหนึ่ง" in html
    assert 'id="overall-score">62.50<' in html
    assert "ค่าเฉลี่ย 51.25 คะแนน" in html
    assert ADVICE_P1 in html
    assert html.count('<svg class="results-chart"') == 1
    assert "script" not in html.lower()
    none = boss.get("/dashboard/results?agency=D0002").text
    assert "กรมทดสอบสอง ไม่มีผลคะแนนในปีนี้" in none
    missing = boss.get("/dashboard/results?agency=X9999")
    assert missing.status_code == 404
    assert "ไม่พบหน่วยงานรหัส X9999" in missing.text


def test_should_download_the_letter_once_issued_and_the_plan(
    boss: TestClient, world: World, documents: FakeDocuments
) -> None:
    run_id = add_run(world)
    html = boss.get("/dashboard/results?agency=D0001").text
    assert "หนังสือแจ้งผลจะดาวน์โหลดได้หลังจากสำนักงานฯ ส่งหนังสือถึงหน่วยงานแล้ว" in html
    assert boss.get("/dashboard/results/letter.pdf?agency=D0001").status_code == 404
    issue_letter(world, run_id)
    html = boss.get("/dashboard/results?agency=D0001").text
    assert 'href="results/letter.pdf?agency=D0001"' in html
    assert LETTER_NUMBER in html
    r = boss.get("/dashboard/results/letter.pdf?agency=D0001")
    assert r.status_code == 200
    assert r.content.endswith(b"D0001")
    r = boss.get("/dashboard/results/action-plan.xlsx?agency=D0001")
    assert r.content.endswith(b"D0001")
    assert 'filename="action-plan-D0001-2566.xlsx"' in r.headers["content-disposition"]
    assert boss.get("/dashboard/results/action-plan.xlsx?agency=D0002").status_code == 404
    assert documents.plans == ["D0001"]


def test_should_answer_plainly_when_a_document_cannot_be_produced(world: World) -> None:
    class Broken(FakeDocuments):
        def action_plan_xlsx(self, result: AgencyResult) -> bytes:
            raise RuntimeError("disk full")

    add_run(world)
    app = results_app(
        world,
        Broken(),
        tracking=FakeTracking(),
        managers={MANAGER: CHEAP_HASHER.hash(MANAGER_PASSWORD)},
    )
    with TestClient(app) as c:
        assert sign_in_manager(c).status_code == 303
        r = c.get("/dashboard/results/action-plan.xlsx?agency=D0001")
        assert r.status_code == 503
        assert "ยังจัดเตรียมเอกสารนี้ไม่ได้ในขณะนี้" in r.text
        assert "disk full" not in r.text
