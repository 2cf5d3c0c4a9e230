"""One definition of a claim and of "not done", shared by intake, quality and scoring."""

from __future__ import annotations

from dgops.framework import Framework, is_claim, load_framework, not_done_option


def _first(fw: Framework, kind: str):  # type: ignore[no-untyped-def]
    return next(q for q in fw.questions if q.type == kind)


def test_should_treat_the_lowest_scoring_option_as_not_done() -> None:
    fw = load_framework("2566")
    q = next(q for q in fw.questions if q.type == "single_choice" and q.scoring is not None)
    lowest = not_done_option(q)
    assert lowest is not None
    assert not is_claim(q, lowest)
    assert all(is_claim(q, o) for o in q.option_ids() if o != lowest)


def test_should_read_claims_per_question_type() -> None:
    fw = load_framework("2566")
    yes_no = _first(fw, "yes_no")
    assert is_claim(yes_no, "yes")
    assert not is_claim(yes_no, "no")
    assert not is_claim(yes_no, None)
    multi = _first(fw, "multiple_choice")
    assert is_claim(multi, [multi.option_ids()[0]])
    assert not is_claim(multi, [])
    number = _first(fw, "number")
    assert is_claim(number, 3)
    assert not is_claim(number, 0)
    assert not is_claim(number, True)
    text = _first(fw, "text")
    assert is_claim(text, "แผนงาน")
    assert not is_claim(text, "   ")
    assert not_done_option(yes_no) == "no"
