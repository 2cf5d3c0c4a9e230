"""load_results: what every agency is shown of the released run, edge cases included."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest
from results_fixtures import (
    answered_cycle,
    release_current,
    released_cycle,
    respondents,
    score_and_advise,
)
from sqlalchemy import Engine, update

from dgops.cycles import create_cycle, get_cycle
from dgops.db import Database
from dgops.framework import Framework
from dgops.results import (
    CLASS_ORDER,
    MIN_PEERS,
    ReleaseError,
    import_published,
    load_results,
)
from dgops.results.models import ScoreKind, ScoreValue


def _results(engine: Engine, mini: Framework):  # type: ignore[no-untyped-def]
    with Database(engine).begin() as session:
        return load_results(session, get_cycle(session, 2566), framework=mini)


def test_should_refuse_to_show_results_before_release(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    answered_cycle(engine, cycle_id, mini)
    score_and_advise(engine, mini)
    with pytest.raises(ReleaseError):
        _results(engine, mini)


def test_should_give_every_enrolled_agency_a_defined_result(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    released_cycle(engine, cycle_id, mini)
    answered = respondents(engine, cycle_id)
    results = _results(engine, mini)

    shown = list(results)
    assert len(shown) == 30
    for result in shown:
        assert result.scored == (result.agency_id in answered)
        assert list(result.advice) == list(CLASS_ORDER)
        if not result.scored:
            assert result.overall is None
            assert result.pillars == ()
            assert not any(result.advice.values())
            continue
        assert result.overall is not None
        assert result.overall.score is not None
        assert [p.code for p in result.pillars] == ["P1", "P2", "P3"]
        assert result.overall.level_name_th in {"ริเริ่ม", "ขั้นต้น", "ขั้นกลาง", "ขั้นสูง", "ขั้นสูงสุด"}
        assert result.overall.peer_size is not None
        assert result.overall.peer_size >= MIN_PEERS
        assert 1 <= (result.overall.rank_peer or 0) <= result.overall.peer_size
        assert result.previous_label_th is None
        assert result.overall.previous is None
        assert sum(len(v) for v in result.advice.values()) == len(result.sub_indicators)


def test_should_compare_small_groups_with_the_wider_level_group_and_say_so(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    released_cycle(engine, cycle_id, mini)
    results = _results(engine, mini)
    scored = [r for r in results if r.scored]

    # 30 departments in 3 types x 2 missions: groups of ~5 — some fall back to the level.
    labels = {r.peer_label_th for r in scored}
    assert labels <= {
        "หน่วยงานระดับกรมหรือเทียบเท่า",
        *(
            f"หน่วยงานระดับกรมหรือเทียบเท่า {t} {m}"
            for t in ("หน่วยงานราชการ", "รัฐวิสาหกิจ", "องค์การมหาชน")
            for m in ("ด้านนโยบาย กำกับดูแล และประสานงาน", "ด้านการให้บริการ")
        ),
    }
    for r in scored:
        group = [x for x in scored if x.peer_label_th == r.peer_label_th]
        assert r.overall is not None
        assert r.overall.peer_size is not None
        if r.peer_label_th == "หน่วยงานระดับกรมหรือเทียบเท่า":
            assert r.overall.peer_size == len(scored)
        else:
            assert r.overall.peer_size == len(group) >= MIN_PEERS
            mean = sum(x.overall.score for x in group if x.overall and x.overall.score) / len(group)
            assert r.overall.peer_mean == pytest.approx(mean)


def test_should_show_a_pillar_without_score_as_missing_with_a_note(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    answered_cycle(engine, cycle_id, mini)
    run_id = score_and_advise(engine, mini)
    agency = min(respondents(engine, cycle_id))
    with Database(engine).begin() as session:
        session.execute(
            update(ScoreValue)
            .where(
                ScoreValue.run_id == run_id,
                ScoreValue.agency_id == agency,
                ScoreValue.kind == ScoreKind.PILLAR,
                ScoreValue.code == "P2",
            )
            .values(score=None, level=None)
        )
    release_current(engine, cycle_id)

    result = _results(engine, mini).agency(agency)
    assert result is not None
    p2 = next(p for p in result.pillars if p.code == "P2")
    assert p2.score is None
    assert p2.level is None
    assert p2.level_name_th is None
    assert p2.rank_peer is None
    assert p2.peer_size is None
    assert p2.peer_mean is not None
    assert not math.isnan(p2.peer_mean)
    assert result.notes_th == (
        "ไม่มีคะแนนศักยภาพเจ้าหน้าที่ภาครัฐด้านดิจิทัล เนื่องจากไม่มีข้อคำถามในมิตินี้ที่นำมาคิดคะแนนได้",
    )


def test_should_compare_with_last_years_released_run(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    released_cycle(engine, cycle_id, mini)  # 2566, released
    with Database(engine).begin() as session:
        create_cycle(
            session,
            year=2567,
            open_date=dt.date(2024, 7, 1),
            deadline=dt.date(2024, 8, 31),
            actor="t",
            framework_version="mini",
        )
        last = load_results(session, get_cycle(session, 2566), framework=mini)
        from dgops.results import previous_year

        prev = previous_year(session, get_cycle(session, 2567), mini)
    assert prev is not None
    assert prev.source == "run"
    assert prev.year_be == 2566
    scored = [r for r in last if r.scored]
    one = scored[0]
    row = prev.of(one.agency_id).set_index(["kind", "code"])["score"]
    assert one.overall is not None
    assert row[("overall", "overall")] == pytest.approx(one.overall.score)
    assert row[("pillar", "P3")] == pytest.approx(one.pillars[2].score)


def test_should_compare_with_published_scores_imported_for_last_year(
    engine: Engine, cycle_id: int, mini: Framework, tmp_path: Path
) -> None:
    released_cycle(engine, cycle_id, mini)
    answered = sorted(respondents(engine, cycle_id))
    first, other = answered[0], next(i for i in range(1, 31) if i not in answered[:2])
    published = tmp_path / "results-2565.csv"
    pd.DataFrame(
        {
            "รหัสหน่วยงาน": [f"A{first:03d}", f"A{answered[1]:03d}", "X999"],
            "ชื่อหน่วยงาน": ["กรมทดสอบที่ 1", "กรมทดสอบที่ 2", "กรมที่ยุบไปแล้ว"],
            "overall": [41.5, 77.25, 50.0],
            "overall_level": [3, 4, 3],
            "P1": [10.0, 90.0, 50.0],
        }
    ).to_csv(published, index=False)
    with Database(engine).begin() as session:
        report = import_published(session, 2565, published, actor="t", framework=mini)
    assert report.unmatched == ["X999"]
    assert report.agencies == 2

    results = _results(engine, mini)
    a1 = results.agency(first)
    assert a1 is not None
    assert a1.scored
    assert a1.previous_label_th == "ปี 2565 (ผลที่เผยแพร่)"
    assert a1.overall is not None
    assert a1.overall.score is not None
    assert a1.overall.previous == 41.5
    assert a1.overall.delta == pytest.approx(a1.overall.score - 41.5)
    assert a1.pillars[0].previous == 10.0
    assert a1.pillars[1].previous is None  # not published: no comparison, no zero
    a3 = results.agency(other)
    assert a3 is not None
    assert a3.previous_label_th is None


def test_should_keep_showing_the_released_result_of_an_agency_returned_after_release(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    from dgops.responses.models import Response, ResponseStatus

    released_cycle(engine, cycle_id, mini)
    agency = min(respondents(engine, cycle_id))
    before = _results(engine, mini).agency(agency)
    with Database(engine).begin() as session:
        session.execute(
            update(Response)
            .where(Response.cycle_id == cycle_id, Response.agency_id == agency)
            .values(status=ResponseStatus.RETURNED)
        )

    after = _results(engine, mini).agency(agency)
    # What was released stands (and was sent) until a superseding run is released.
    assert before is not None
    assert after == before
    assert after.scored
