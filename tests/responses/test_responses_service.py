"""The status machine, save/validate, progress, submit, return and verify, on both databases."""

from __future__ import annotations

import pytest
from responses_fixtures import COMPLETE, World
from sqlalchemy import select

from dgops.framework import Framework
from dgops.registry.models import CycleAgency
from dgops.responses import (
    ALLOWED_TRANSITIONS,
    IncompleteError,
    LockedError,
    NotEnrolledError,
    ResponseError,
    TransitionError,
    answers_of,
    comments_of,
    get_response,
    progress,
    return_response,
    save_answers,
    submit,
    transitions_of,
    verify_response,
)
from dgops.responses.models import Response, ResponseStatus

S = ResponseStatus


def _response(world: World, code: str = "D0001") -> Response:
    return get_response(world.session, world.cycle_id, world.agency_ids[code])


def _submitted(world: World, mini: Framework) -> Response:
    r = _response(world)
    save_answers(world.session, r, COMPLETE, framework=mini, actor="a", channel="online")
    submit(world.session, r, framework=mini, actor="a", channel="online", require_evidence=False)
    return r


def test_should_create_a_not_started_response_once(world: World) -> None:
    first = _response(world)
    again = _response(world)
    assert first.id == again.id
    assert first.status == S.NOT_STARTED
    assert transitions_of(world.session, first) == []


def test_should_refuse_to_find_a_missing_response_without_create(world: World) -> None:
    with pytest.raises(ResponseError):
        get_response(world.session, world.cycle_id, world.agency_ids["D0002"], create=False)


def test_should_refuse_an_agency_outside_the_enrolment_list(world: World) -> None:
    world.session.add(CycleAgency(cycle_id=world.cycle_id, agency_id=world.agency_ids["D0001"]))
    world.session.flush()
    assert _response(world, "D0001").status == S.NOT_STARTED
    with pytest.raises(NotEnrolledError):
        _response(world, "D0002")


def test_should_save_form_input_and_move_to_in_progress(world: World, mini: Framework) -> None:
    r = _response(world)
    result = save_answers(
        world.session,
        r,
        {
            "Q_PLAN": "yes",
            "Q_BUDGET": "๑๒.๕%",
            "Q_STAFF": "1,234",
            "Q_LEVEL": 2,
            "Q_CHANNELS": ["line", "web", "web"],
            "Q_NOTE": "  แผนปี ๒๕๖๖  ",
        },
        framework=mini,
        actor="agency:D0001",
        channel="online",
    )
    assert result.errors == {}
    assert sorted(result.saved) == sorted(
        ["Q_PLAN", "Q_BUDGET", "Q_STAFF", "Q_LEVEL", "Q_CHANNELS", "Q_NOTE"]
    )
    assert answers_of(world.session, r) == {
        "Q_PLAN": "yes",
        "Q_BUDGET": 12.5,
        "Q_STAFF": 1234,
        "Q_LEVEL": "2",
        "Q_CHANNELS": ["web", "line"],
        "Q_NOTE": "แผนปี ๒๕๖๖",
    }
    assert r.status == S.IN_PROGRESS
    (event,) = transitions_of(world.session, r)
    assert (event.from_status, event.to_status, event.actor, event.channel) == (
        "not_started",
        "in_progress",
        "agency:D0001",
        "online",
    )


@pytest.mark.parametrize(
    ("qid", "value", "reason"),
    [
        ("Q_PLAN", "maybe", "not an option"),
        ("Q_PLAN", True, "wrong type"),
        ("Q_BUDGET", "120", "out of range"),
        ("Q_BUDGET", -1, "out of range"),
        ("Q_STAFF", "12a", "not a number"),
        ("Q_STAFF", "1,23", "not a number"),
        ("Q_STAFF", True, "not a number"),
        ("Q_STAFF", float("inf"), "not a number"),
        ("Q_LEVEL", "9", "not an option"),
        ("Q_LEVEL", ["1"], "wrong type"),
        ("Q_CHANNELS", "web", "wrong type"),
        ("Q_CHANNELS", ["web", "fax"], "not an option"),
        ("Q_NOTE", 12, "wrong type"),
        ("Q_DOC", "sha256:abc", "evidence"),
        ("Q_NOPE", "yes", "unknown question"),
    ],
)
def test_should_refuse_values_outside_the_domain_and_save_the_rest(
    world: World, mini: Framework, qid: str, value: object, reason: str
) -> None:
    r = _response(world)
    result = save_answers(
        world.session,
        r,
        {qid: value, "Q_PLAN": "no"} if qid != "Q_PLAN" else {qid: value},
        framework=mini,
        actor="a",
        channel="online",
    )
    assert reason in result.errors[qid]
    assert qid not in answers_of(world.session, r)
    assert qid not in result.saved


def test_should_clear_answers_with_none_or_blank(world: World, mini: Framework) -> None:
    r = _response(world)
    save_answers(world.session, r, COMPLETE, framework=mini, actor="a", channel="online")
    result = save_answers(
        world.session,
        r,
        {"Q_STAFF": None, "Q_LEVEL": "  "},
        framework=mini,
        actor="a",
        channel="online",
    )
    assert sorted(result.cleared) == ["Q_LEVEL", "Q_STAFF"]
    assert "Q_STAFF" not in answers_of(world.session, r)
    assert len(transitions_of(world.session, r)) == 1  # still in progress, one event


def test_should_not_transition_when_nothing_valid_was_saved(world: World, mini: Framework) -> None:
    r = _response(world)
    result = save_answers(
        world.session, r, {"Q_PLAN": "x"}, framework=mini, actor="a", channel="online"
    )
    assert result.saved == []
    assert "Q_PLAN" in result.errors
    assert r.status == S.NOT_STARTED


def test_should_not_require_hidden_questions(mini: Framework) -> None:
    shown = progress(mini, {"Q_PLAN": "yes"})
    hidden = progress(mini, {"Q_PLAN": "no"})
    assert "Q_BUDGET" in shown.missing
    assert "Q_DOC" in shown.missing
    assert "Q_BUDGET" not in hidden.missing
    assert "Q_DOC" not in hidden.missing
    assert hidden.required == shown.required - 2
    assert hidden.by_pillar == {"P1": (1, 4), "P2": (0, 0)}
    assert shown.evidence_missing == ["Q_PLAN"]  # a "yes" claims something: evidence needed
    assert hidden.evidence_missing == []
    assert progress(mini, {"Q_PLAN": "yes"}, evidence={"Q_PLAN"}).evidence_missing == []


def test_should_count_answered_required_questions(mini: Framework) -> None:
    p = progress(mini, {**COMPLETE, "Q_DOC": "sha256:" + "0" * 64}, evidence={"Q_PLAN"})
    assert (p.answered, p.required, p.missing, p.evidence_missing) == (6, 6, [], [])
    assert p.complete
    assert progress(mini, {"Q_PLAN": "no", "Q_CHANNELS": []}).by_pillar["P1"] == (2, 4)


def test_should_refuse_to_submit_with_missing_answers(world: World, mini: Framework) -> None:
    r = _response(world)
    save_answers(world.session, r, {"Q_PLAN": "yes"}, framework=mini, actor="a", channel="online")
    with pytest.raises(IncompleteError) as info:
        submit(world.session, r, framework=mini, actor="a", channel="online")
    assert info.value.missing == ["Q_BUDGET", "Q_CHANNELS", "Q_STAFF", "Q_LEVEL", "Q_DOC"]
    assert info.value.evidence_missing == ["Q_PLAN"]
    assert "ยังไม่ได้ตอบ" in str(info.value)
    assert "missing" in str(info.value)
    assert r.status == S.IN_PROGRESS


def test_should_submit_lock_return_resubmit_and_verify(world: World, mini: Framework) -> None:
    r = _submitted(world, mini)
    assert r.status == S.SUBMITTED
    assert r.submitted_by == "a"
    assert r.submitted_at is not None
    with pytest.raises(LockedError):
        save_answers(world.session, r, {"Q_STAFF": 5}, framework=mini, actor="a", channel="online")
    with pytest.raises(TransitionError):
        submit(world.session, r, framework=mini, actor="a", channel="online")

    return_response(
        world.session,
        r,
        comments=[("Q_STAFF", "จำนวนบุคลากรดูน้อยเกินไป โปรดตรวจสอบ"), (None, "  ")],
        actor="operator:somchai",
    )
    assert S(r.status) is S.RETURNED
    (comment,) = comments_of(world.session, r, open_only=True)
    assert (comment.question_id, comment.source) == ("Q_STAFF", "operator")
    save_answers(world.session, r, {"Q_STAFF": 40}, framework=mini, actor="a", channel="online")
    assert S(r.status) is S.RETURNED  # edits while returned keep it returned
    submit(world.session, r, framework=mini, actor="a", channel="online", require_evidence=False)
    assert comments_of(world.session, r, open_only=True) == []
    assert comments_of(world.session, r)[0].resolved_at is not None
    verify_response(world.session, r, actor="quality", channel="quality")
    with pytest.raises(LockedError):
        save_answers(world.session, r, {"Q_STAFF": 5}, framework=mini, actor="a", channel="online")
    return_response(world.session, r, comments=[(None, "เปิดแก้ไขอีกครั้ง")], actor="op")

    steps = [(e.from_status, e.to_status) for e in transitions_of(world.session, r)]
    assert steps == [
        ("not_started", "in_progress"),
        ("in_progress", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "verified"),
        ("verified", "returned"),
    ]
    assert set(steps) <= {(a.value, b.value) for a, b in ALLOWED_TRANSITIONS}
    stored = world.session.scalar(select(Response.status).where(Response.id == r.id))
    assert stored == S.RETURNED


def test_should_refuse_transitions_outside_the_machine(world: World, mini: Framework) -> None:
    r = _response(world)
    with pytest.raises(TransitionError):
        verify_response(world.session, r, actor="q", channel="quality")
    with pytest.raises(TransitionError):
        return_response(world.session, r, comments=[(None, "x")], actor="op")
    assert transitions_of(world.session, r) == []


def test_should_refuse_a_return_without_comment(world: World, mini: Framework) -> None:
    r = _submitted(world, mini)
    with pytest.raises(ResponseError, match="comment"):
        return_response(world.session, r, comments=[("Q_STAFF", " ")], actor="op")
    assert r.status == S.SUBMITTED


def test_should_submit_straight_from_not_started(world: World, mini: Framework) -> None:
    r = _response(world)
    with pytest.raises(IncompleteError):
        submit(world.session, r, framework=mini, actor="op", channel="paper")
    assert r.status == S.NOT_STARTED


def test_should_refuse_an_unknown_channel(world: World, mini: Framework) -> None:
    r = _response(world)
    with pytest.raises(ResponseError, match="channel"):
        save_answers(world.session, r, {"Q_PLAN": "no"}, framework=mini, actor="a", channel="fax")


def test_should_keep_each_agency_to_its_own_answers(world: World, mini: Framework) -> None:
    one, two = _response(world, "D0001"), _response(world, "D0002")
    save_answers(world.session, one, {"Q_STAFF": 3}, framework=mini, actor="a", channel="online")
    assert answers_of(world.session, two) == {}
    assert transitions_of(world.session, two) == []
