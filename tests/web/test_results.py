"""The results page: nothing before the release, the agency's own released result after it,
the edge cases with their defined wording, the downloads, and the cached run."""

from __future__ import annotations

import io
import re
import threading
import unicodedata
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from openpyxl import load_workbook

from dgops.cycles.models import SurveyCycle
from dgops.recommend import CLASS_LABELS_TH
from dgops.results import AgencyResult, ResultLetterInfo, letter_dir
from dgops.results.models import ScoreRun, ScoreValue
from dgops.web.results import LABEL_CHARS, ResultsCache, fit_label
from tests.web.conftest import TestClient, World, activate
from tests.web.results_data import (
    ADVICE_P1,
    ADVICE_P2,
    LETTER_DATE,
    LETTER_NUMBER,
    FakeDocuments,
    add_previous,
    add_run,
    issue_letter,
    results_app,
)


@pytest.fixture
def documents() -> FakeDocuments:
    return FakeDocuments()


@pytest.fixture
def rapp(world: World, documents: FakeDocuments) -> FastAPI:
    return results_app(world, documents)


@pytest.fixture
def signed(rapp: FastAPI, world: World) -> Iterator[dict[str, TestClient]]:
    out: dict[str, TestClient] = {}
    for key, login in world.agencies.items():
        c = TestClient(rapp)
        c.__enter__()
        activate(c, login)
        out[key] = c
    yield out
    for c in out.values():
        c.__exit__(None, None, None)


def _no_junk(html: str) -> None:
    for junk in ("None", "nan", "NaN", "inf"):
        assert not re.search(rf"\b{junk}\b", html), junk


def test_should_say_results_are_not_published_before_the_release(
    signed: dict[str, TestClient], world: World, documents: FakeDocuments
) -> None:
    add_run(world, release=False)  # a draft: never shown
    r = signed["A"].get("/results")
    assert r.status_code == 200
    assert "ยังไม่ได้ประกาศผลการสำรวจประจำปีนี้" in r.text
    for draft in ("62.50", "75.00", "51.25", ADVICE_P1, "<svg"):
        assert draft not in r.text, draft
    assert signed["A"].get("/results/action-plan.xlsx").status_code == 404
    assert signed["A"].get("/results/letter.pdf").status_code == 404
    assert documents.plans == []
    assert documents.letters == []
    _no_junk(r.text)


def test_should_show_scores_levels_peers_and_advice_after_the_release(
    signed: dict[str, TestClient], world: World
) -> None:
    add_run(world)
    html = signed["A"].get("/results").text
    assert 'id="overall-score">62.50<' in html
    assert "ระดับ 3" in html
    # Peers: A (62.5) and D0003 (40.0) → mean 51.25, A first of two.
    assert "ค่าเฉลี่ย 51.25 คะแนน" in html
    assert "อันดับที่ 1 จาก 2" in html
    assert "75.00" in html
    assert "30.00" not in html.split('id="pillar-table"')[0]
    assert ADVICE_P1 in html
    assert ADVICE_P2 in html
    for label in CLASS_LABELS_TH.values():
        assert label in html
    assert "กรมเพื่อนร่วมกลุ่ม" not in html  # the peer's name is never shown
    _no_junk(html)


def test_should_mark_a_pillar_without_score_and_explain_it(
    signed: dict[str, TestClient], world: World
) -> None:
    add_run(world)
    html = signed["A"].get("/results").text
    row = re.search(r'<tr data-code="P2">(.*?)</tr>', html, re.S)
    assert row
    assert "ไม่มีคะแนน" in row.group(1)
    assert 'id="notes"' in html
    assert "ไม่มีคะแนนศักยภาพด้านดิจิทัล" in html
    chart = html[html.index("<svg") : html.index("</svg>")]
    assert "ไม่มีคะแนน" in chart  # the chart says so instead of drawing a zero bar
    _no_junk(html)


def test_should_say_when_there_is_no_previous_year(
    signed: dict[str, TestClient], world: World
) -> None:
    add_run(world)
    html = signed["A"].get("/results").text
    assert "ไม่มีคะแนนปีที่แล้วของหน่วยงานสำหรับเปรียบเทียบ" in html
    assert "เปลี่ยนแปลง" not in html
    assert 'class="bar previous"' not in html
    _no_junk(html)


def test_should_compare_with_last_year_when_there_is_one(
    signed: dict[str, TestClient], world: World
) -> None:
    add_previous(world)
    add_run(world)
    html = signed["A"].get("/results").text
    assert "ปี 2565 (ผลที่เผยแพร่): 55.00 คะแนน" in html
    assert '<span class="delta up">+7.50</span>' in html
    assert '<td class="val delta down">−5.00</td>' in html  # P1: 75 against 80
    assert 'class="bar previous"' in html
    _no_junk(html)


def test_should_tell_an_agency_without_response_it_has_no_scores(
    signed: dict[str, TestClient], world: World
) -> None:
    add_run(world)
    r = signed["B"].get("/results")
    assert "กรมทดสอบสอง ไม่มีผลคะแนนในปีนี้" in r.text
    assert "62.50" not in r.text
    assert "<svg" not in r.text
    assert signed["B"].get("/results/action-plan.xlsx").status_code == 404
    _no_junk(r.text)


def test_should_offer_the_letter_only_once_it_was_issued(
    signed: dict[str, TestClient], world: World, documents: FakeDocuments
) -> None:
    run_id = add_run(world)
    a = signed["A"]
    html = a.get("/results").text
    assert "หนังสือแจ้งผลจะดาวน์โหลดได้หลังจากสำนักงานฯ ส่งหนังสือถึงหน่วยงานแล้ว" in html
    assert 'id="letter-link"' not in html
    assert a.get("/results/letter.pdf").status_code == 404
    issue_letter(world, run_id)
    html = a.get("/results").text
    assert f"ที่ {LETTER_NUMBER} ลงวันที่ 15 มกราคม 2567" in html
    r = a.get("/results/letter.pdf")
    assert r.status_code == 200
    assert r.content == b"%PDF-1.7 letter of D0001"
    assert r.headers["content-type"] == "application/pdf"
    assert 'filename="result-D0001.pdf"' in r.headers["content-disposition"]
    code, letter = documents.letters[-1]
    assert (code, letter.number, letter.kind) == ("D0001", LETTER_NUMBER, "result")


def test_should_download_the_action_plan(
    signed: dict[str, TestClient], world: World, documents: FakeDocuments
) -> None:
    add_run(world)
    r = signed["A"].get("/results/action-plan.xlsx")
    assert r.status_code == 200
    assert r.content.startswith(b"PK")
    assert r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert 'filename="action-plan-D0001-2566.xlsx"' in r.headers["content-disposition"]
    assert documents.plans == ["D0001"]


def test_should_draw_an_accessible_chart_with_the_table_of_its_numbers(
    signed: dict[str, TestClient], world: World
) -> None:
    add_run(world)
    html = signed["A"].get("/results").text
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="results-chart-title results-chart-desc"' in svg
    assert "<title id=" in svg, svg[:400]
    assert "<desc id=" in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S)
    assert desc
    assert "คะแนนภาพรวม" in desc.group(1)
    assert "62.50" in desc.group(1)
    assert svg.count('class="bar agency"') == 2  # overall and P1 (P2 has no score)
    table = html[html.index('id="pillar-table"') :]
    assert "62.50" in table
    assert "51.25" in table
    assert "style=" not in svg  # the CSP allows no inline styles


def test_should_read_a_released_run_once_and_see_a_new_release(
    signed: dict[str, TestClient], world: World, rapp: FastAPI
) -> None:
    add_run(world)
    cache = rapp.state.results
    for _ in range(3):
        signed["A"].get("/results")
        signed["B"].get("/results")
    assert cache.builds == 1
    # A new release (a corrected run) replaces the cached one at the next request.
    run_id = add_run(world, reason="แก้ไขข้อมูล")
    with world.db.begin() as s:
        row = s.get(ScoreValue, (run_id, world.agencies["A"].agency_id, "overall", "overall"))
        assert row is not None
        row.score = 64.0
        assert s.get(ScoreRun, run_id) is not None
    html = signed["A"].get("/results").text
    assert 'id="overall-score">64.00<' in html
    assert cache.builds == 2


def test_should_return_to_the_results_page_after_signing_in_again(
    rapp: FastAPI, world: World
) -> None:
    with TestClient(rapp) as c:
        r = c.get("/results", follow_redirects=False)
        assert r.status_code == 303
        assert "next=%2Fresults" in r.headers["location"]


def test_should_offer_the_correction_letter_of_a_new_release(
    signed: dict[str, TestClient], world: World, documents: FakeDocuments
) -> None:
    first = add_run(world)
    letter = issue_letter(world, first)
    second = add_run(world, reason="แก้ไขคะแนนตามหลักฐานเพิ่มเติม")
    issue_letter(world, second, number="สพร 0105/ว 200", corrects=letter)
    html = signed["A"].get("/results").text
    assert "หนังสือแจ้งแก้ไขผล ที่ สพร 0105/ว 200" in html
    r = signed["A"].get("/results/letter.pdf")
    assert f'filename="correction-D0001-{second}.pdf"' in r.headers["content-disposition"]
    _code, info = documents.letters[-1]
    assert info.corrects == (LETTER_NUMBER, LETTER_DATE)
    assert info.reason_th == "แก้ไขคะแนนตามหลักฐานเพิ่มเติม"


def test_should_serve_the_letter_exactly_as_it_was_sent(world: World) -> None:
    run_id = add_run(world)
    issue_letter(world, run_id)
    sent = letter_dir(world.settings, 2566, run_id) / "result-D0001.pdf"
    sent.parent.mkdir(parents=True)
    sent.write_bytes(b"%PDF-1.7 the letter that was e-mailed")
    with TestClient(world.app()) as c:  # the default documents: the stored letters
        activate(c, world.agencies["A"])
        r = c.get("/results/letter.pdf")
        assert r.status_code == 200
        assert r.content == b"%PDF-1.7 the letter that was e-mailed"


def test_should_read_the_run_once_when_many_agencies_open_the_page_together(
    world: World,
) -> None:
    add_run(world)
    cache = ResultsCache(lambda _version: world.framework)
    a = world.agencies["A"].agency_id
    start = threading.Barrier(8)
    found: list[str] = []

    def one() -> None:
        start.wait()
        with world.db.begin() as s:
            cycle = s.get(SurveyCycle, world.cycle_id)
            assert cycle is not None
            run = cache.released(s, cycle)
            assert run is not None
            page = cache.page(s, cycle, run, a)
            assert page is not None
            assert page.overall is not None
            found.append(page.overall.score)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert found == ["62.50"] * 8
    assert cache.builds == 1


def test_should_cut_long_names_in_the_chart_only() -> None:
    name = "โครงสร้างพื้นฐานความมั่นคงปลอดภัยและมีประสิทธิภาพของหน่วยงานภาครัฐทุกระดับ"
    cut = fit_label(name)
    assert cut.endswith("…")
    assert name.startswith(cut[:-1])
    assert sum(unicodedata.category(c) != "Mn" for c in cut) == LABEL_CHARS
    assert fit_label("บริการภาครัฐ") == "บริการภาครัฐ"


class BrokenDocuments(FakeDocuments):
    def letter_pdf(self, result: AgencyResult, info: ResultLetterInfo) -> bytes:
        raise RuntimeError("typst crashed")

    def action_plan_xlsx(self, result: AgencyResult) -> bytes:
        raise RuntimeError("disk full")


def test_should_say_in_thai_when_a_document_cannot_be_produced(world: World) -> None:
    run_id = add_run(world)
    issue_letter(world, run_id)
    with TestClient(results_app(world, BrokenDocuments())) as c:
        activate(c, world.agencies["A"])
        for path in ("/results/letter.pdf", "/results/action-plan.xlsx"):
            r = c.get(path)
            assert r.status_code == 503, path
            assert "ยังจัดเตรียมเอกสารนี้ไม่ได้ในขณะนี้" in r.text
            assert "typst" not in r.text
            assert "disk" not in r.text
        assert c.get("/results").status_code == 200


def test_should_render_the_real_letter_and_workbook_when_no_file_was_kept(world: World) -> None:
    run_id = add_run(world)
    issue_letter(world, run_id)
    with TestClient(world.app()) as c:  # the default documents: dgops.results' renderers
        activate(c, world.agencies["A"])
        pdf = c.get("/results/letter.pdf")
        assert pdf.status_code == 200, pdf.text
        assert pdf.content.startswith(b"%PDF")
        plan = c.get("/results/action-plan.xlsx")
        assert plan.status_code == 200, plan.text
        book = load_workbook(io.BytesIO(plan.content))
        cells = [str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v]
        assert any(ADVICE_P2 in v for v in cells)
