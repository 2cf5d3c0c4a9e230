"""The quality stage, step by step: validate → store findings → return or verify → summary.

Every step is one function that the DAG and the CLI call; steps pass run ids, never rows.
Status changes go through :mod:`dgops.responses` (``return_response`` / ``verify_response``),
e-mails through the mail ledger (kind ``clarification``, round = the number of returns).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dgops.db import record_audit
from dgops.db.models import utcnow
from dgops.framework import Framework
from dgops.quality.frame import FINGERPRINT, build_check_frame
from dgops.quality.gx import Failure, GxProject, validate_frame
from dgops.quality.models import (
    CheckOutcome,
    FindingStatus,
    QualityCheck,
    QualityFinding,
    QualityRun,
    Severity,
)
from dgops.quality.suites import load_suites
from dgops.registry.models import Agency
from dgops.responses.models import Answer, Response, ResponseEvent, ResponseStatus

__all__ = [
    "ACTOR",
    "CHANNEL",
    "MAIL_KIND",
    "QualityError",
    "SettleOutcome",
    "ValidateOutcome",
    "accept_finding",
    "run_summary",
    "settle_run",
    "store_findings",
    "validate_cycle",
    "value_text",
]

ACTOR = "quality"
CHANNEL = "quality"
MAIL_KIND = "clarification"
_CONTEXT_STATUSES = (ResponseStatus.SUBMITTED, ResponseStatus.VERIFIED)


class QualityError(Exception):
    """A quality operation that cannot be done (Thai and English message)."""


@dataclass(frozen=True)
class ValidateOutcome:
    """What :func:`validate_cycle` did (counts only: this crosses task boundaries)."""

    run_id: int
    n_responses: int
    n_errors: int
    n_warnings: int
    suites: tuple[str, ...]


@dataclass
class SettleOutcome:
    """What :func:`settle_run` did."""

    run_id: int
    returned: list[int] = field(default_factory=list)
    verified: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    mail_counts: dict[str, int] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _load(
    session: Session, cycle_id: int, framework: Framework
) -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[int, str]]]:
    meta_rows = session.execute(
        select(Response.id, Response.agency_id, Response.status, Agency.level, Agency.code)
        .join(Agency, Agency.id == Response.agency_id)
        .where(Response.cycle_id == cycle_id, Response.status.in_(_CONTEXT_STATUSES))
        .order_by(Response.id)
    ).all()
    meta = pd.DataFrame(
        [
            (r[0], r[1], ResponseStatus(r[2]).value, getattr(r[3], "value", r[3]), r[4])
            for r in meta_rows
        ],
        columns=["response_id", "agency_id", "status", "level", "code"],
    ).set_index("response_id")
    ids = meta.index.tolist()
    data: dict[str, dict[int, Any]] = defaultdict(dict)
    evidence: set[tuple[int, str]] = set()
    if ids:
        from dgops.responses import EvidenceFile

        for rid, qid, value in session.execute(
            select(Answer.response_id, Answer.question_id, Answer.value)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.cycle_id == cycle_id, Response.status.in_(_CONTEXT_STATUSES))
        ):
            data[qid][rid] = value
        evidence = {
            (int(rid), str(qid))
            for rid, qid in session.execute(
                select(EvidenceFile.response_id, EvidenceFile.question_id)
                .join(Response, Response.id == EvidenceFile.response_id)
                .where(
                    Response.cycle_id == cycle_id,
                    Response.status.in_(_CONTEXT_STATUSES),
                    EvidenceFile.deleted_at.is_(None),
                )
            )
        }
    index = pd.Index(ids, name="response_id", dtype="int64")
    answers = pd.DataFrame(
        {
            q: pd.Series(data.get(q, {}), dtype=object).reindex(index)
            for q in framework.question_ids
        },
        index=index,
        dtype=object,
    )
    answers = answers.astype(object).where(answers.notna(), None)
    return answers, meta, evidence


def _finding_value(
    f: Failure, answers: pd.DataFrame, frame_by_rid: pd.DataFrame, meta: pd.DataFrame
) -> Any:
    if f.column == FINGERPRINT:
        fp = frame_by_rid.at[f.response_id, FINGERPRINT]
        same = frame_by_rid.index[frame_by_rid[FINGERPRINT] == fp]
        return {"same_as": sorted(str(meta.at[r, "code"]) for r in same if r != f.response_id)}
    if f.question_id and f.question_id in answers.columns:
        value = _plain(answers.at[f.response_id, f.question_id])
        if f.rule == "peer_outlier" and f.column in frame_by_rid.columns:
            z = _plain(frame_by_rid.at[f.response_id, f.column])
            return {"value": value, "peer_z": None if z is None else round(float(z), 2)}
        return value
    if f.column and f.column in answers.columns:
        return _plain(answers.at[f.response_id, f.column])
    return None


def validate_cycle(
    session: Session,
    year: int,
    *,
    actor: str,
    project: GxProject | None = None,
    framework: Framework | None = None,
    context: Any = None,
    build_docs: bool = True,
) -> ValidateOutcome:
    """Check the cycle's submitted responses with its framework year's suites.

    Verified responses are read too, as peers (duplicates, peer distribution); findings are
    recorded (status ``pending``) only for the submitted ones. A missing or broken suite
    raises :class:`~dgops.quality.suites.SuiteError` before anything is written.
    """
    from dgops.cycles import get_cycle
    from dgops.framework import load_framework

    project = project or GxProject.default()
    cycle = get_cycle(session, year)
    fw = framework or load_framework(cycle.framework_version)
    suites = load_suites(fw.id, project.expectations_dir)
    answers, meta, evidence = _load(session, cycle.id, fw)
    targets = meta.index[meta["status"] == ResponseStatus.SUBMITTED.value]
    failures: list[Failure] = []
    frame_by_rid = pd.DataFrame()
    if len(targets):
        frame = build_check_frame(
            fw, answers, evidence=evidence, peer_groups=meta["level"].astype(object)
        )
        failures = validate_frame(
            frame, suites, project=project, context=context, build_docs=build_docs
        )
        frame_by_rid = frame.set_index("response_id", drop=False)
        if build_docs:
            from dgops.quality.docs import make_offline

            make_offline(project.docs_dir)
    run = QualityRun(
        cycle_id=cycle.id,
        framework_version=fw.id,
        suites=[s.name for s in suites],
        actor=actor,
        n_responses=len(targets),
    )
    session.add(run)
    session.flush()
    wanted = {int(t) for t in targets}
    seen: set[tuple[int, str | None, str, str]] = set()
    counts: Counter[tuple[int, str]] = Counter()
    rows: list[dict[str, Any]] = []
    for f in failures:
        if f.response_id not in wanted:
            continue
        key = (f.response_id, f.question_id, f.rule, f.suite)
        if key in seen:
            continue
        seen.add(key)
        counts[(f.response_id, f.severity)] += 1
        rows.append(
            {
                "run_id": run.id,
                "cycle_id": cycle.id,
                "response_id": f.response_id,
                "agency_id": int(str(meta.at[f.response_id, "agency_id"])),
                "question_id": f.question_id,
                "suite": f.suite,
                "rule": f.rule,
                "severity": Severity(f.severity),
                "message_th": f.message_th,
                "message_en": f.message_en,
                "value": _finding_value(f, answers, frame_by_rid, meta),
                "status": FindingStatus.PENDING,
            }
        )
    if rows:
        session.execute(QualityFinding.__table__.insert(), rows)  # type: ignore[attr-defined]
    for rid in sorted(wanted):
        session.add(
            QualityCheck(
                run_id=run.id,
                response_id=rid,
                agency_id=int(str(meta.at[rid, "agency_id"])),
                outcome=CheckOutcome.PENDING,
                n_errors=counts[(rid, "error")],
                n_warnings=counts[(rid, "warning")],
            )
        )
    run.n_errors = sum(v for (_, sev), v in counts.items() if sev == "error")
    run.n_warnings = sum(v for (_, sev), v in counts.items() if sev == "warning")
    session.flush()
    return ValidateOutcome(run.id, len(wanted), run.n_errors, run.n_warnings, tuple(run.suites))


def _signature(f: QualityFinding) -> tuple[Any, ...]:
    return (f.question_id, f.rule, f.suite, repr(f.value))


def store_findings(session: Session, run_id: int, *, actor: str) -> dict[str, int]:
    """Make the run's findings the current ones: earlier open findings of the same responses
    are superseded; a finding an operator accepted before (same question, rule and value) is
    carried over as accepted; the others open. Returns counts."""
    run = session.get(QualityRun, run_id)
    if run is None:
        raise QualityError(f"ไม่พบรอบการตรวจ {run_id} / no quality run {run_id}")
    pending = list(
        session.scalars(
            select(QualityFinding).where(
                QualityFinding.run_id == run_id, QualityFinding.status == FindingStatus.PENDING
            )
        )
    )
    response_ids = list(
        session.scalars(select(QualityCheck.response_id).where(QualityCheck.run_id == run_id))
    )
    now = utcnow()
    accepted: dict[tuple[int, tuple[Any, ...]], QualityFinding] = {}
    superseded = 0
    for chunk_start in range(0, len(response_ids), 500):
        chunk = response_ids[chunk_start : chunk_start + 500]
        for old in session.scalars(
            select(QualityFinding).where(
                QualityFinding.response_id.in_(chunk),
                QualityFinding.run_id != run_id,
                QualityFinding.status == FindingStatus.ACCEPTED,
            )
        ):
            accepted[(old.response_id, _signature(old))] = old
        result = session.execute(
            update(QualityFinding)
            .where(
                QualityFinding.response_id.in_(chunk),
                QualityFinding.run_id != run_id,
                QualityFinding.status == FindingStatus.OPEN,
            )
            .values(status=FindingStatus.SUPERSEDED, closed_at=now, closed_by=actor)
            .execution_options(synchronize_session=False)
        )
        superseded += int(getattr(result, "rowcount", 0) or 0)
    carried = 0
    for f in pending:
        before = accepted.get((f.response_id, _signature(f)))
        if before is not None:
            f.status = FindingStatus.ACCEPTED
            f.closed_at, f.closed_by = now, actor
            f.reason = before.reason
            carried += 1
        else:
            f.status = FindingStatus.OPEN
    session.flush()
    return {"stored": len(pending), "superseded": superseded, "carried_accepted": carried}


def _open_errors(session: Session, run_id: int, response_id: int) -> list[QualityFinding]:
    return list(
        session.scalars(
            select(QualityFinding)
            .where(
                QualityFinding.run_id == run_id,
                QualityFinding.response_id == response_id,
                QualityFinding.status == FindingStatus.OPEN,
                QualityFinding.severity == Severity.ERROR,
            )
            .order_by(QualityFinding.id)
        )
    )


def value_text(value: Any) -> str:
    """A finding's value as the agency reads it (Thai), in comments and e-mails."""
    if value is None:
        return "(ไม่มีคำตอบ)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(ไม่ได้เลือก)"
    if isinstance(value, dict):
        if "same_as" in value:
            return "ซ้ำกับ " + ", ".join(value["same_as"])
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def comments_for(findings: Sequence[QualityFinding]) -> list[tuple[str | None, str]]:
    """One comment per question (and one for the whole response): the Thai messages with
    the value given."""
    by_q: dict[str | None, list[str]] = defaultdict(list)
    for f in findings:
        by_q[f.question_id].append(f"{f.message_th} (คำตอบที่ให้: {value_text(f.value)})")
    return [(q, " / ".join(dict.fromkeys(msgs))) for q, msgs in by_q.items()]


def _returns(session: Session, response_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(ResponseEvent)
            .where(
                ResponseEvent.response_id == response_id,
                ResponseEvent.to_status == ResponseStatus.RETURNED.value,
            )
        )
        or 0
    )


def settle_run(session: Session, run_id: int, *, actor: str = ACTOR) -> SettleOutcome:
    """Return every checked response with open errors to its agency (comments per question,
    source ``quality``) and verify the others. Responses no longer submitted are skipped.
    Idempotent: checks already decided are left alone. E-mails: ``send_clarifications``
    (:mod:`dgops.quality.notify`)."""
    from dgops.responses import return_response, verify_response

    run = session.get(QualityRun, run_id)
    if run is None:
        raise QualityError(f"ไม่พบรอบการตรวจ {run_id} / no quality run {run_id}")
    out = SettleOutcome(run_id)
    checks = session.scalars(
        select(QualityCheck)
        .where(QualityCheck.run_id == run_id, QualityCheck.outcome == CheckOutcome.PENDING)
        .order_by(QualityCheck.id)
    ).all()
    for check in checks:
        response = session.get(Response, check.response_id)
        if response is None or ResponseStatus(response.status) != ResponseStatus.SUBMITTED:
            check.outcome = CheckOutcome.SKIPPED
            out.skipped.append(check.response_id)
            continue
        errors = _open_errors(session, run_id, check.response_id)
        if errors:
            return_response(
                session,
                response,
                comments=comments_for(errors),
                actor=actor,
                channel=CHANNEL,
                reason=f"quality run {run_id}: {len(errors)} error(s)",
            )
            check.outcome = CheckOutcome.RETURNED
            check.round = _returns(session, response.id)
            out.returned.append(response.id)
        else:
            verify_response(
                session, response, actor=actor, channel=CHANNEL, reason=f"quality run {run_id}"
            )
            check.outcome = CheckOutcome.VERIFIED
            out.verified.append(response.id)
    run.settled_at = utcnow()
    session.flush()
    return out


def run_summary(session: Session, run_id: int) -> dict[str, Any]:
    """Counts of a run: responses by outcome, findings by severity, status and rule."""
    run = session.get(QualityRun, run_id)
    if run is None:
        raise QualityError(f"ไม่พบรอบการตรวจ {run_id} / no quality run {run_id}")
    outcomes = Counter(
        CheckOutcome(o).value
        for o in session.scalars(select(QualityCheck.outcome).where(QualityCheck.run_id == run_id))
    )
    rows = session.execute(
        select(QualityFinding.severity, QualityFinding.status, QualityFinding.rule).where(
            QualityFinding.run_id == run_id
        )
    ).all()
    return {
        "run_id": run_id,
        "framework": run.framework_version,
        "suites": list(run.suites),
        "responses": run.n_responses,
        "outcomes": dict(outcomes),
        "by_severity": dict(Counter(Severity(r[0]).value for r in rows)),
        "by_status": dict(Counter(FindingStatus(r[1]).value for r in rows)),
        "by_rule": dict(Counter(r[2] for r in rows).most_common()),
    }


def accept_finding(session: Session, finding_id: int, *, reason: str, actor: str) -> QualityFinding:
    """An operator accepts an open finding with a reason (audited). When it was the last open
    error of a response that is still submitted, the response is verified."""
    from dgops.responses import verify_response

    reason = (reason or "").strip()
    if not reason:
        raise QualityError("ต้องระบุเหตุผล / a reason is required")
    finding = session.get(QualityFinding, finding_id)
    if finding is None:
        raise QualityError(f"ไม่พบข้อค้นพบ {finding_id} / no finding {finding_id}")
    if FindingStatus(finding.status) not in (FindingStatus.OPEN, FindingStatus.PENDING):
        raise QualityError(f"ข้อค้นพบ {finding_id} ปิดแล้ว ({finding.status}) / finding already closed")
    finding.status = FindingStatus.ACCEPTED
    finding.closed_at = utcnow()
    finding.closed_by = actor
    finding.reason = reason
    record_audit(
        session,
        actor=actor,
        action="quality_accept",
        entity="quality_finding",
        entity_key=str(finding.id),
        cycle_id=finding.cycle_id,
        details={
            "response_id": finding.response_id,
            "question_id": finding.question_id,
            "rule": finding.rule,
            "severity": Severity(finding.severity).value,
            "reason": reason,
        },
    )
    session.flush()
    response = session.get(Response, finding.response_id)
    if (
        response is not None
        and ResponseStatus(response.status) == ResponseStatus.SUBMITTED
        and not _open_errors(session, finding.run_id, finding.response_id)
    ):
        verify_response(
            session,
            response,
            actor=actor,
            channel="operator",
            reason=f"finding {finding.id} accepted",
        )
        session.execute(
            update(QualityCheck)
            .where(
                QualityCheck.run_id == finding.run_id,
                QualityCheck.response_id == finding.response_id,
            )
            .values(outcome=CheckOutcome.VERIFIED)
        )
    return finding
