"""Responses: get or create one, save answers, progress, and the status machine.

Every function takes the caller's session and never commits. Every status change writes a
:class:`ResponseEvent` in the same transaction (who, when, channel, why).

Status machine (see docs/responses.md)::

    not_started → in_progress            first save
    not_started | in_progress → submitted  submit (offline imports may go straight there)
    submitted → returned                 operator/quality, with comments
    returned → submitted                 resubmit (edits while returned keep it returned)
    submitted → verified                 quality/operator
    verified → returned                  operator reopens
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dgops.db.models import utcnow
from dgops.framework import Framework, is_claim
from dgops.registry.models import CycleAgency
from dgops.responses.domain import AnswerValueError, is_answered, parse_answer
from dgops.responses.errors import (
    IncompleteError,
    LateError,
    LockedError,
    NotEnrolledError,
    ResponseError,
    TransitionError,
)
from dgops.responses.models import (
    Answer,
    EvidenceFile,
    Response,
    ResponseComment,
    ResponseEvent,
    ResponseStatus,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "CHANNELS",
    "UNLOCKED",
    "AnswerWindow",
    "Progress",
    "SaveResult",
    "answers_of",
    "comments_of",
    "ensure_unlocked",
    "evidence_questions",
    "get_response",
    "progress",
    "progress_of",
    "return_response",
    "save_answers",
    "submit",
    "transitions_of",
    "verify_response",
]

S = ResponseStatus
CHANNELS = ("online", "xlsx", "paper", "import", "operator", "quality")
UNLOCKED = frozenset({S.NOT_STARTED, S.IN_PROGRESS, S.RETURNED})
ALLOWED_TRANSITIONS: frozenset[tuple[ResponseStatus, ResponseStatus]] = frozenset(
    {
        (S.NOT_STARTED, S.IN_PROGRESS),
        (S.NOT_STARTED, S.SUBMITTED),
        (S.IN_PROGRESS, S.SUBMITTED),
        (S.SUBMITTED, S.RETURNED),
        (S.RETURNED, S.SUBMITTED),
        (S.SUBMITTED, S.VERIFIED),
        (S.VERIFIED, S.RETURNED),
    }
)


@dataclass(frozen=True)
class AnswerWindow:
    """The late-answer rule applied to one agency on one day.

    ``deadline`` is the agency's own deadline (extensions counted: the caller takes it from
    ``dgops.fieldwork.effective_deadlines``), ``late_days`` how many days after it answers and
    submissions are still accepted (marked late), ``today`` the date in Bangkok. After
    ``last_day`` the agency can no longer change or submit its response, except a *returned*
    one: the officers asked for those corrections, so they are always accepted."""

    deadline: dt.date
    late_days: int
    today: dt.date

    @property
    def last_day(self) -> dt.date:
        """The last day answers are accepted."""
        return self.deadline + dt.timedelta(days=max(self.late_days, 0))

    @property
    def late(self) -> bool:
        """Today is after the agency's deadline."""
        return self.today > self.deadline

    def closed_for(self, status: ResponseStatus | str) -> bool:
        """Whether a response in ``status`` may no longer be changed or submitted today."""
        return ResponseStatus(status) != S.RETURNED and self.today > self.last_day

    def check(self, response: Response) -> None:
        """Raise :class:`LateError` when ``response`` is closed today."""
        if self.closed_for(response.status):
            raise LateError(self.last_day)


@dataclass(frozen=True)
class SaveResult:
    """What :func:`save_answers` did: ids saved, ids cleared, and refused ids with the reason."""

    saved: list[str] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    """The reason code of each refused value (``not_a_number``, ``out_of_range``, ...; the
    scoring engine's codes, ``unknown_question``, ``evidence_question``), for callers that word
    their own message (the portal speaks plain Thai to agencies)."""


@dataclass(frozen=True)
class Progress:
    """How far a response is. ``answered``/``required`` count the *shown, required* questions
    (hidden ones are not required), so ``answered <= required``; ``by_pillar`` gives the same
    pair per pillar code; ``evidence_missing`` lists shown questions that need an evidence
    file and have none (``evidence: required`` with a positive answer)."""

    answered: int
    required: int
    missing: list[str]
    by_pillar: dict[str, tuple[int, int]]
    evidence_missing: list[str]

    @property
    def complete(self) -> bool:
        """Nothing required is missing (answers and evidence)."""
        return not self.missing and not self.evidence_missing


def _check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise ResponseError(
            f"ช่องทาง {channel!r} ไม่ถูกต้อง", f"unknown channel {channel!r} (one of {CHANNELS})"
        )


def get_response(
    session: Session, cycle_id: int, agency_id: int, *, create: bool = True
) -> Response:
    """The response of ``agency_id`` to cycle ``cycle_id``, created as ``not_started`` when
    absent (``create=False``: raise :class:`ResponseError` instead). When the cycle has an
    enrolment list, only enrolled agencies get a response (:class:`NotEnrolledError`)."""
    stmt = select(Response).where(Response.cycle_id == cycle_id, Response.agency_id == agency_id)
    found = session.scalar(stmt)
    if found is not None:
        return found
    if not create:
        raise ResponseError("ไม่พบแบบสำรวจของหน่วยงานนี้", "no response for this agency and cycle")
    enrolled_any = session.scalar(select(exists().where(CycleAgency.cycle_id == cycle_id)))
    if enrolled_any:
        is_enrolled = session.scalar(
            select(
                exists().where(CycleAgency.cycle_id == cycle_id, CycleAgency.agency_id == agency_id)
            )
        )
        if not is_enrolled:
            raise NotEnrolledError(str(agency_id), str(cycle_id))
    response = Response(
        cycle_id=cycle_id, agency_id=agency_id, status=S.NOT_STARTED, channel="online"
    )
    try:
        with session.begin_nested():
            session.add(response)
            session.flush()
    except IntegrityError:  # created concurrently by another session: use that one
        found = session.scalar(stmt)
        if found is None:
            raise
        return found
    return response


def answers_of(session: Session, response: Response) -> dict[str, Any]:
    """The stored answers of ``response`` (question id → JSON value)."""
    rows = session.execute(
        select(Answer.question_id, Answer.value).where(Answer.response_id == response.id)
    )
    return {str(qid): value for qid, value in rows.tuples()}


def evidence_questions(session: Session, response: Response) -> set[str]:
    """Ids of the questions that have at least one (not deleted) evidence file."""
    rows = session.scalars(
        select(EvidenceFile.question_id)
        .where(EvidenceFile.response_id == response.id, EvidenceFile.deleted_at.is_(None))
        .distinct()
    )
    return set(rows)


def _lock(session: Session, response: Response) -> None:
    # Re-read the row under FOR UPDATE (PostgreSQL) so that two sessions changing one response
    # serialise; SQLite serialises writers anyway.
    session.flush()
    session.refresh(response, with_for_update=True)


def transition(
    session: Session,
    response: Response,
    to: ResponseStatus,
    *,
    actor: str,
    channel: str,
    reason: str = "",
) -> ResponseEvent:
    """Move ``response`` to ``to`` (one of the allowed transitions) and record the event."""
    _check_channel(channel)
    current = ResponseStatus(response.status)
    if (current, to) not in ALLOWED_TRANSITIONS:
        raise TransitionError(current.value, to.value)
    now = utcnow()
    response.status = to
    response.channel = channel
    response.updated_at = now
    event = ResponseEvent(
        response_id=response.id,
        at=now,
        actor=actor,
        from_status=current.value,
        to_status=to.value,
        channel=channel,
        reason=reason,
    )
    session.add(event)
    session.flush()
    return event


def ensure_unlocked(response: Response) -> None:
    """Raise :class:`LockedError` unless the response may be edited."""
    if ResponseStatus(response.status) not in UNLOCKED:
        raise LockedError(ResponseStatus(response.status).value)


def save_answers(
    session: Session,
    response: Response,
    answers: Mapping[str, Any],
    *,
    framework: Framework,
    actor: str,
    channel: str,
    window: AnswerWindow | None = None,
) -> SaveResult:
    """Validate and store ``answers`` (question id → raw value). Valid values are saved, invalid
    ones are returned in ``errors`` (bilingual reason) and not saved; ``None``/blank clears an
    answer; unknown ids and evidence questions (use ``store_evidence``) are errors. The first
    save moves ``not_started`` to ``in_progress``. Raises :class:`LockedError` when the
    response is submitted or verified, :class:`LateError` when ``window`` (the agency's
    deadline and the late-answer rule; None for operators' imports) has closed."""
    _check_channel(channel)
    _lock(session, response)
    ensure_unlocked(response)
    if window is not None:
        window.check(response)
    result = SaveResult()
    to_store: dict[str, Any] = {}
    for qid, raw in answers.items():
        try:
            question = framework.question(qid)
        except KeyError:
            result.errors[qid] = "ไม่มีคำถามนี้ในแบบสำรวจ (unknown question id)"
            result.reasons[qid] = "unknown_question"
            continue
        if question.type == "evidence":
            result.errors[qid] = (
                "คำถามนี้ตอบโดยการแนบไฟล์หลักฐาน (an evidence question: upload a file instead)"
            )
            result.reasons[qid] = "evidence_question"
            continue
        try:
            to_store[qid] = parse_answer(question, raw)
        except AnswerValueError as exc:
            result.errors[qid] = str(exc)
            result.reasons[qid] = exc.reason
    if not to_store:
        return result
    existing = {
        a.question_id: a
        for a in session.scalars(
            select(Answer).where(
                Answer.response_id == response.id, Answer.question_id.in_(list(to_store))
            )
        )
    }
    now = utcnow()
    cleared = [qid for qid, v in to_store.items() if v is None]
    if cleared:
        session.execute(
            delete(Answer).where(Answer.response_id == response.id, Answer.question_id.in_(cleared))
        )
        for qid in cleared:
            if qid in existing:
                session.expunge(existing.pop(qid))
    for qid, value in to_store.items():
        if value is None:
            result.cleared.append(qid)
            continue
        row = existing.get(qid)
        if row is None:
            session.add(
                Answer(response_id=response.id, question_id=qid, value=value, updated_at=now)
            )
        elif row.value != value:
            row.value = value
            row.updated_at = now
        result.saved.append(qid)
    response.updated_at = now
    if ResponseStatus(response.status) == S.NOT_STARTED:
        transition(session, response, S.IN_PROGRESS, actor=actor, channel=channel)
    session.flush()
    return result


def progress(
    framework: Framework,
    answers: Mapping[str, Any],
    *,
    evidence: Collection[str] | None = None,
    include_evidence: bool = True,
) -> Progress:
    """Progress of one response: required, shown questions answered (show_if respected;
    hidden questions are not required). ``evidence`` is the set of question ids that have an
    evidence file (:func:`evidence_questions`); when None, no evidence is assumed attached.
    ``include_evidence=False`` leaves evidence out altogether (offline channels, whose files
    arrive separately): evidence questions are then neither required nor listed."""
    shown = framework.evaluate_show_if(answers)
    attached = set(evidence or ())
    missing: list[str] = []
    evidence_missing: list[str] = []
    by_pillar: dict[str, tuple[int, int]] = {}
    answered_total = required_total = 0
    for pillar in framework.pillars:
        done = need = 0
        for sub in pillar.sub_indicators:
            for q in sub.questions:
                if not shown.get(q.id, True):
                    continue
                if q.type == "evidence" and not include_evidence:
                    continue
                value = answers.get(q.id)
                answered = is_answered(q, value)
                if q.required:
                    need += 1
                    if answered:
                        done += 1
                    else:
                        missing.append(q.id)
                if (
                    include_evidence
                    and q.evidence == "required"
                    and q.type != "evidence"
                    and is_claim(q, value)
                    and q.id not in attached
                ):
                    evidence_missing.append(q.id)
        by_pillar[pillar.code] = (done, need)
        answered_total += done
        required_total += need
    return Progress(answered_total, required_total, missing, by_pillar, evidence_missing)


def progress_of(session: Session, response: Response, framework: Framework) -> Progress:
    """:func:`progress` of a stored response, with its evidence files."""
    return progress(
        framework, answers_of(session, response), evidence=evidence_questions(session, response)
    )


def submit(
    session: Session,
    response: Response,
    *,
    framework: Framework,
    actor: str,
    channel: str,
    require_evidence: bool = True,
    window: AnswerWindow | None = None,
) -> ResponseEvent:
    """Submit (or resubmit) ``response``. Raises :class:`IncompleteError` when required answers
    or required evidence are missing (``require_evidence=False``: offline channels, whose
    files arrive separately, skip evidence), :class:`TransitionError` when it is already
    submitted or verified, :class:`LateError` when ``window`` has closed (a submission after
    the deadline but within the late days is accepted and its event says so). Resubmitting
    resolves the open comments."""
    _lock(session, response)
    current = ResponseStatus(response.status)
    if current not in UNLOCKED:
        raise TransitionError(current.value, S.SUBMITTED.value)
    if window is not None:
        window.check(response)
    prog = progress(
        framework,
        answers_of(session, response),
        evidence=evidence_questions(session, response),
        include_evidence=require_evidence,
    )
    if not prog.complete:
        raise IncompleteError(prog.missing, prog.evidence_missing)
    reason = ""
    if window is not None and window.late and current != S.RETURNED:
        reason = f"late: after the deadline {window.deadline.isoformat()}"
    event = transition(session, response, S.SUBMITTED, actor=actor, channel=channel, reason=reason)
    response.submitted_at = event.at
    response.submitted_by = actor
    if current == S.RETURNED:
        for comment in comments_of(session, response, open_only=True):
            comment.resolved_at = event.at
    session.flush()
    return event


def return_response(
    session: Session,
    response: Response,
    *,
    comments: Sequence[tuple[str | None, str]],
    actor: str,
    channel: str = "operator",
    reason: str = "",
) -> ResponseEvent:
    """Send a submitted (or verified) response back to the agency with ``comments``
    (question id or None for the whole response, text). At least one non-blank comment."""
    bodies = [(qid, body.strip()) for qid, body in comments if body and body.strip()]
    if not bodies:
        raise ResponseError(
            "การส่งกลับต้องมีความเห็นอย่างน้อย 1 ข้อ", "returning a response needs a comment"
        )
    _lock(session, response)
    event = transition(
        session,
        response,
        S.RETURNED,
        actor=actor,
        channel=channel,
        reason=reason or bodies[0][1][:500],
    )
    source = "quality" if channel == "quality" else "operator"
    for qid, body in bodies:
        session.add(
            ResponseComment(
                response_id=response.id,
                question_id=qid,
                body=body,
                source=source,
                created_by=actor,
                created_at=event.at,
            )
        )
    session.flush()
    return event


def verify_response(
    session: Session, response: Response, *, actor: str, channel: str, reason: str = ""
) -> ResponseEvent:
    """Mark a submitted response as verified (checked by quality or an operator)."""
    _lock(session, response)
    return transition(session, response, S.VERIFIED, actor=actor, channel=channel, reason=reason)


def comments_of(
    session: Session, response: Response, *, open_only: bool = False
) -> list[ResponseComment]:
    """Comments on ``response``, oldest first (``open_only``: not yet resolved)."""
    stmt = select(ResponseComment).where(ResponseComment.response_id == response.id)
    if open_only:
        stmt = stmt.where(ResponseComment.resolved_at.is_(None))
    return list(session.scalars(stmt.order_by(ResponseComment.created_at, ResponseComment.id)))


def transitions_of(session: Session, response: Response) -> list[ResponseEvent]:
    """Every status change of ``response``, oldest first."""
    return list(
        session.scalars(
            select(ResponseEvent)
            .where(ResponseEvent.response_id == response.id)
            .order_by(ResponseEvent.at, ResponseEvent.id)
        )
    )
