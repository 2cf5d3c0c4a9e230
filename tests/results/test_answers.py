"""Reading answers: stored demo responses come back as the engine's wide frame."""

from __future__ import annotations

from sqlalchemy import Engine

from dgops.db import Database
from dgops.demo.responses import generate_responses, store_demo_responses
from dgops.framework import Framework
from dgops.responses.models import ResponseStatus
from dgops.results import load_agencies, load_answers


def test_should_read_back_exactly_the_answers_that_were_stored(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    with Database(engine).begin() as session:
        counts = store_demo_responses(session, 2566, seed=5, share=1.0, framework=mini)
    with Database(engine).begin() as session:
        both = load_answers(
            session,
            cycle_id,
            statuses=(ResponseStatus.VERIFIED, ResponseStatus.SUBMITTED),
            framework=mini,
        )
        verified = load_answers(session, cycle_id, framework=mini)
        agencies = load_agencies(session, both.index.tolist())
    assert counts["responses"] == 30
    assert len(both) == 30
    assert len(verified) == counts["verified"]
    assert list(both.columns) == mini.question_ids
    expected = generate_responses(mini, agencies, seed=5)
    assert both.to_dict(orient="index") == expected.to_dict(orient="index")
    assert agencies.loc[1, "level"] == "department"
    assert agencies.loc[2, "mission"] == "policy"


def test_should_give_an_empty_frame_with_the_question_columns_when_nothing_answered(
    engine: Engine, cycle_id: int, mini: Framework
) -> None:
    with Database(engine).begin() as session:
        frame = load_answers(session, cycle_id, framework=mini)
    assert frame.empty
    assert list(frame.columns) == mini.question_ids
