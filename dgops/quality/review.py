"""Operators' review of evidence per claim, and the overrides a rejection makes for scoring.

A rejected claim is scored as "not done" (``no``, no option ticked, 0, or the option worth the
fewest points); the agency's answer itself is never changed. :func:`apply_overrides` is what
``dgops.results.score_cycle`` applies to the answers it loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.db import record_audit
from dgops.db.models import utcnow
from dgops.framework import Framework, Question, is_claim, not_done_option
from dgops.quality.models import EvidenceReview, ReviewDecision
from dgops.registry.models import Agency
from dgops.responses.models import Response

__all__ = ["Claim", "apply_overrides", "evidence_claims", "not_done_value", "review_evidence"]


def not_done_value(question: Question) -> Any:
    """The answer that means "not done" for ``question`` (what a rejected claim scores as)."""
    if question.type == "yes_no":
        return "no"
    if question.type == "single_choice":
        return not_done_option(question)
    if question.type == "multiple_choice":
        return []
    if question.type in ("number", "percentage"):
        return 0
    return None


@dataclass(frozen=True)
class Claim:
    """A positive answer at level 3 or above that needs evidence, with its files and review."""

    agency_code: str
    response_id: int
    question_id: str
    level: int
    answer: Any
    files: tuple[str, ...]
    decision: str | None
    reason: str | None


def evidence_claims(
    session: Session, cycle_id: int, framework: Framework, *, agency_id: int | None = None
) -> list[Claim]:
    """Every claim (level ≥ 3, evidence asked, positive answer) of the cycle's responses."""
    from dgops.responses import EvidenceFile
    from dgops.responses.models import Answer

    questions = {
        q.id: q
        for q in framework.questions
        if q.level is not None and q.level >= 3 and q.evidence != "none" and q.type != "evidence"
    }
    stmt = (
        select(Response.id, Agency.code, Answer.question_id, Answer.value)
        .join(Agency, Agency.id == Response.agency_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.cycle_id == cycle_id, Answer.question_id.in_(list(questions)))
        .order_by(Agency.code, Answer.question_id)
    )
    if agency_id is not None:
        stmt = stmt.where(Response.agency_id == agency_id)
    rows = [r for r in session.execute(stmt) if is_claim(questions[r[2]], r[3])]
    ids = sorted({r[0] for r in rows})
    files: dict[tuple[int, str], list[str]] = {}
    reviews: dict[tuple[int, str], EvidenceReview] = {}
    if ids:
        for rid, qid, name in session.execute(
            select(EvidenceFile.response_id, EvidenceFile.question_id, EvidenceFile.filename).where(
                EvidenceFile.response_id.in_(ids), EvidenceFile.deleted_at.is_(None)
            )
        ):
            files.setdefault((rid, qid), []).append(name)
        for review in session.scalars(
            select(EvidenceReview).where(EvidenceReview.response_id.in_(ids))
        ):
            reviews[(review.response_id, review.question_id)] = review
    out = []
    for rid, code, qid, value in rows:
        found = reviews.get((rid, qid))
        out.append(
            Claim(
                agency_code=code,
                response_id=rid,
                question_id=qid,
                level=int(questions[qid].level or 0),
                answer=value,
                files=tuple(files.get((rid, qid), [])),
                decision=None if found is None else ReviewDecision(found.decision).value,
                reason=None if found is None else found.reason,
            )
        )
    return out


def review_evidence(
    session: Session,
    response: Response,
    question: Question,
    *,
    decision: ReviewDecision | str,
    reason: str,
    actor: str,
) -> EvidenceReview:
    """Accept or reject the evidence behind one claim (audited). A rejection needs a reason
    and makes scoring read the claim as "not done"; a later decision replaces it."""
    decision = ReviewDecision(decision)
    reason = (reason or "").strip()
    if decision == ReviewDecision.REJECTED and not reason:
        raise ValueError("การไม่รับหลักฐานต้องระบุเหตุผล / a rejection needs a reason")
    review: EvidenceReview | None = session.scalar(
        select(EvidenceReview).where(
            EvidenceReview.response_id == response.id, EvidenceReview.question_id == question.id
        )
    )
    if review is None:
        review = EvidenceReview(
            cycle_id=response.cycle_id,
            response_id=response.id,
            agency_id=response.agency_id,
            question_id=question.id,
        )
        session.add(review)
    review.decision = decision
    review.reason = reason
    review.override_value = (
        not_done_value(question) if decision == ReviewDecision.REJECTED else None
    )
    review.reviewed_by = actor
    review.reviewed_at = utcnow()
    record_audit(
        session,
        actor=actor,
        action=f"evidence_{decision.value}",
        entity="evidence_review",
        entity_key=f"{response.id}:{question.id}",
        cycle_id=response.cycle_id,
        details={"agency_id": response.agency_id, "question_id": question.id, "reason": reason},
    )
    session.flush()
    return review


def apply_overrides(answers: pd.DataFrame, session: Session, cycle_id: int) -> pd.DataFrame:
    """``answers`` (index: agency id, a column per question) with every rejected claim of the
    cycle replaced by its "not done" value; a copy, the stored answers are untouched."""
    rows = session.execute(
        select(
            EvidenceReview.agency_id, EvidenceReview.question_id, EvidenceReview.override_value
        ).where(
            EvidenceReview.cycle_id == cycle_id,
            EvidenceReview.decision == ReviewDecision.REJECTED,
        )
    ).all()
    if not rows:
        return answers
    out = answers.copy()
    for agency_id, question_id, value in rows:
        if agency_id in out.index and question_id in out.columns:
            out.at[agency_id, question_id] = value
    return out
