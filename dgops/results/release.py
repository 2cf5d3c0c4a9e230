"""Releasing a scoring run: a run is a draft until an operator releases it.

Letters, e-mails, the results page and the publication only ever read the cycle's **released**
run (:func:`released_run`, the latest release). Scoring again after a release needs an explicit
supersede with a reason (:func:`check_can_score`); the new run is a draft, the agencies keep
seeing the released one until the new run is released in turn. Released runs are never deleted.
Every release is in the audit trail (who, when, which run, which run it replaces).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dgops.db import record_audit
from dgops.db.models import utcnow
from dgops.results.models import AgencyRecommendation, ScoreRun, ScoreRunStatus

__all__ = [
    "ReleaseError",
    "ReleaseOutcome",
    "check_can_score",
    "release_run",
    "released_run",
    "require_released",
]


class ReleaseError(ValueError):
    """A release rule was not met; the message says what to do (for operators)."""


@dataclass(frozen=True)
class ReleaseOutcome:
    """What :func:`release_run` did."""

    run_id: int
    released_at: dt.datetime
    released_by: str
    replaces_run_id: int | None
    already: bool = False
    """True when the run was already released (nothing changed)."""


def released_run(session: Session, cycle_id: int) -> ScoreRun | None:
    """The cycle's released run agencies see (the latest release), or None before any."""
    return session.scalar(
        select(ScoreRun)
        .where(ScoreRun.cycle_id == cycle_id, ScoreRun.released_at.is_not(None))
        .order_by(ScoreRun.released_at.desc(), ScoreRun.id.desc())
        .limit(1)
    )


def require_released(session: Session, cycle_id: int, year_be: int) -> ScoreRun:
    """The released run of the cycle, or :class:`ReleaseError` saying how to release one."""
    run = released_run(session, cycle_id)
    if run is None:
        raise ReleaseError(
            f"cycle {year_be} has no released results: score it (dgops score --cycle {year_be}), "
            f"check the draft, then release it (dgops results release --cycle {year_be} --run N)"
        )
    return run


def check_can_score(
    session: Session, cycle_id: int, year_be: int, *, supersede: bool, reason: str | None
) -> str | None:
    """Refuse a new scoring run of a cycle whose results were released, unless superseded with a
    reason; returns the reason to store with the new run (None before any release)."""
    released = released_run(session, cycle_id)
    if released is None:
        return None
    if not supersede or not (reason or "").strip():
        raise ReleaseError(
            f"cycle {year_be} has released results (run {released.id}, released "
            f"{released.released_at:%Y-%m-%d %H:%M} UTC by {released.released_by}); agencies "
            "may already have their letters. Scoring again needs --supersede and --reason "
            '"why"; agencies already sent a letter get a correction letter after the new run '
            "is released"
        )
    return (reason or "").strip()


def release_run(session: Session, cycle_id: int, run_id: int, *, actor: str) -> ReleaseOutcome:
    """Release ``run_id`` of the cycle (in the caller's transaction, with an audit row).

    Only the cycle's current run can be released, and only once it has recommendations.
    Releasing a released run again changes nothing (``already=True``).
    """
    run = session.get(ScoreRun, run_id, with_for_update=True)
    if run is None or run.cycle_id != cycle_id:
        raise ReleaseError(f"run {run_id} is not a scoring run of this cycle")
    if run.released_at is not None:
        assert run.released_by is not None
        return ReleaseOutcome(run.id, run.released_at, run.released_by, None, already=True)
    if run.status != ScoreRunStatus.CURRENT:
        current = session.scalar(
            select(ScoreRun.id).where(
                ScoreRun.cycle_id == cycle_id, ScoreRun.status == ScoreRunStatus.CURRENT
            )
        )
        raise ReleaseError(
            f"run {run_id} was replaced by a later scoring (run {current}); release the "
            "current run or score again"
        )
    if run.n_agencies == 0:
        raise ReleaseError(f"run {run_id} scored no agency: there is nothing to release")
    n_recs = session.scalar(
        select(func.count())
        .select_from(AgencyRecommendation)
        .where(AgencyRecommendation.run_id == run_id)
    )
    if not n_recs:
        raise ReleaseError(
            f"run {run_id} has no recommendations yet: run dgops recommend first, then release"
        )
    before = released_run(session, cycle_id)
    now = utcnow()
    run.released_at = now
    run.released_by = actor
    record_audit(
        session,
        actor=actor,
        action="release",
        entity="score_run",
        entity_key=str(run.id),
        cycle_id=cycle_id,
        details={
            "replaces_run": before.id if before is not None else None,
            "supersede_reason": run.supersede_reason,
            "n_agencies": run.n_agencies,
        },
    )
    session.flush()
    return ReleaseOutcome(run.id, now, actor, before.id if before is not None else None)
