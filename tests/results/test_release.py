"""The release rules: drafts, release, supersede with a reason, released runs kept."""

from __future__ import annotations

import pytest
from results_fixtures import (
    answered_cycle,
    release_current,
    released_cycle,
    score_and_advise,
    source,
)
from sqlalchemy import Engine, func, select

from dgops.db import Database
from dgops.db.models import AuditLog
from dgops.framework import Framework
from dgops.results import (
    ReleaseError,
    current_run,
    recommend_cycle,
    release_run,
    released_run,
    require_released,
    score_cycle,
)
from dgops.results.models import AgencyRecommendation, ScoreRun


def test_should_keep_a_scored_run_a_draft_until_it_is_released(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    answered_cycle(engine, cycle_id, mini)
    score_and_advise(engine, mini)

    with Database(engine).begin() as session:
        assert released_run(session, cycle_id) is None
        with pytest.raises(ReleaseError, match="no released results"):
            require_released(session, cycle_id, 2566)


def test_should_refuse_to_release_a_run_without_recommendations(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    answered_cycle(engine, cycle_id, mini)
    with Database(engine).begin() as session:
        from dgops.responses.models import ResponseStatus

        out = score_cycle(
            session,
            2566,
            actor="t",
            statuses=(ResponseStatus.VERIFIED, ResponseStatus.SUBMITTED),
            source=source(mini),
        )
    with Database(engine).begin() as session, pytest.raises(ReleaseError, match="recommend"):
        release_run(session, cycle_id, out.run_id, actor="ops")


def test_should_record_who_released_a_run_and_release_only_once(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    run_id = released_cycle(engine, cycle_id, mini)

    with Database(engine).begin() as session:
        run = released_run(session, cycle_id)
        assert run is not None
        assert run.id == run_id
        assert run.released_by == "ops"
        again = release_run(session, cycle_id, run_id, actor="someone-else")
        assert again.already
        assert again.released_by == "ops"
        audits = session.scalars(select(AuditLog).where(AuditLog.action == "release")).all()
    assert [(a.entity_key, a.actor) for a in audits] == [(str(run_id), "ops")]


def test_should_refuse_to_score_again_after_release_without_supersede_and_reason(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    released_cycle(engine, cycle_id, mini)

    with pytest.raises(ReleaseError, match="--supersede"):
        score_and_advise(engine, mini)
    with pytest.raises(ReleaseError, match="--reason"):
        score_and_advise(engine, mini, supersede=True, reason="  ")


def test_should_keep_showing_the_released_run_until_the_superseding_draft_is_released(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    first = released_cycle(engine, cycle_id, mini)
    second = score_and_advise(engine, mini, supersede=True, reason="แก้ไขข้อมูลที่นำเข้าผิด")

    with Database(engine).begin() as session:
        shown = released_run(session, cycle_id)
        assert shown is not None
        assert shown.id == first
        draft = session.get(ScoreRun, second)
        assert draft is not None
        assert draft.supersede_reason == "แก้ไขข้อมูลที่นำเข้าผิด"
    release_current(engine, cycle_id)
    with Database(engine).begin() as session:
        shown = released_run(session, cycle_id)
        assert shown is not None
        assert shown.id == second
        audit = session.scalars(select(AuditLog).where(AuditLog.action == "release")).all()
    assert audit[-1].details["replaces_run"] == first


def test_should_refuse_to_release_a_run_replaced_by_a_later_draft(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    answered_cycle(engine, cycle_id, mini)
    old = score_and_advise(engine, mini)
    score_and_advise(engine, mini)

    with Database(engine).begin() as session, pytest.raises(ReleaseError, match="replaced"):
        release_run(session, cycle_id, old, actor="ops")


def test_should_never_delete_a_released_run_when_old_drafts_are_pruned(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    released = released_cycle(engine, cycle_id, mini)
    for i in range(4):
        score_and_advise(engine, mini, supersede=True, reason=f"รอบที่ {i}")

    with Database(engine).begin() as session:
        runs = set(session.scalars(select(ScoreRun.id)))
    assert released in runs
    assert len(runs) == 4  # the released run, two kept drafts, the current one


def test_should_keep_the_advice_of_a_released_run_when_recommend_runs_again(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    run_id = released_cycle(engine, cycle_id, mini)
    with Database(engine).begin() as session:
        before = session.scalar(
            select(func.count())
            .select_from(AgencyRecommendation)
            .where(AgencyRecommendation.run_id == run_id)
        )
        out = recommend_cycle(session, 2566, source=source(mini), peer_by=("level",))
        run = current_run(session, cycle_id)

    assert out.released
    assert out.n_rows == before
    assert run is not None
    assert run.params["peer_by"] == ["level", "agency_type", "mission"]
