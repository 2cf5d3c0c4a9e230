"""The quality stage end to end on SQLite and PostgreSQL: every kind of wrong value gives its
finding, errors return the response with comments and an e-mail, warnings do not block, a
resubmission is checked again, operators accept findings; a broken suite changes nothing."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dgops.db.models import AuditLog
from dgops.framework import Framework
from dgops.quality import (
    FindingStatus,
    QualityFinding,
    QualityRun,
    SuiteError,
    accept_finding,
    run_summary,
    settle_run,
    store_findings,
    validate_cycle,
)
from dgops.quality.gx import GxProject
from dgops.responses import comments_of, save_answers, submit
from dgops.responses.models import Response, ResponseStatus

pytestmark = pytest.mark.slow

_CASES_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "quality" / "bad_cases_2566.json"
CASES: dict[str, Any] = json.loads(_CASES_FILE.read_text(encoding="utf-8"))["cases"]


def _run(session: Session, project: GxProject, context: Any, fw: Framework) -> int:
    outcome = validate_cycle(
        session, 2566, actor="test", project=project, context=context, framework=fw
    )
    store_findings(session, outcome.run_id, actor="test")
    settle_run(session, outcome.run_id, actor="quality")
    session.commit()
    return outcome.run_id


def _findings(session: Session, run_id: int) -> dict[int, set[tuple[str, str | None, str]]]:
    out: dict[int, set[tuple[str, str | None, str]]] = {}
    for f in session.scalars(select(QualityFinding).where(QualityFinding.run_id == run_id)):
        out.setdefault(f.response_id, set()).add((f.rule, f.question_id, str(f.severity)))
    return out


def test_should_find_every_wrong_value_return_errors_and_recheck_resubmissions(
    cycle_2566: tuple[Session, int, dict[str, int]],
    gx_project: GxProject,
    gx_context: Any,
    fw2566: Framework,
) -> None:
    session, _cycle_id, ids = cycle_2566

    run_id = _run(session, gx_project, gx_context, fw2566)

    found = _findings(session, run_id)
    for name, case in CASES.items():
        rule, qid, severity = case["expect"]
        assert (rule, qid, severity) in found.get(ids[name], set()), name
    status = {code: ResponseStatus(session.get(Response, rid).status) for code, rid in ids.items()}
    assert status["GOOD"] == status["COPY"] == ResponseStatus.VERIFIED
    assert ("duplicate_response", None, "warning") in found[ids["GOOD"]]
    assert status["answered_while_hidden"] == ResponseStatus.VERIFIED  # a warning only
    errors = [n for n, c in CASES.items() if c["expect"][2] == "error"]
    assert {status[n] for n in errors} == {ResponseStatus.RETURNED}
    returned = session.get(Response, ids["digital_more_than_total"])
    comments = comments_of(session, returned, open_only=True)
    assert [(c.question_id, c.source) for c in comments] == [("SP_06", "quality")]
    assert "ไม่มากกว่า" in comments[0].body
    assert "50" in comments[0].body
    docs = list(gx_project.docs_dir.rglob("*.html"))
    assert docs
    assert not [p for p in docs if re.search(r"https?://", p.read_text(encoding="utf-8"))]

    # the agency fixes the value and resubmits: checked again, earlier findings superseded
    save_answers(
        session, returned, {"SP_06": 5}, framework=fw2566, actor="agency", channel="online"
    )
    submit(
        session,
        returned,
        framework=fw2566,
        actor="agency",
        channel="online",
        require_evidence=False,
    )
    session.commit()
    second = _run(session, gx_project, gx_context, fw2566)

    assert ResponseStatus(returned.status) == ResponseStatus.VERIFIED
    old = session.scalars(
        select(QualityFinding.status).where(
            QualityFinding.run_id == run_id, QualityFinding.response_id == returned.id
        )
    ).all()
    assert set(old) == {FindingStatus.SUPERSEDED}
    summary = run_summary(session, second)
    assert summary["responses"] == 1
    assert summary["outcomes"] == {"verified": 1}


def test_should_verify_when_an_operator_accepts_the_last_open_error(
    cycle_2566: tuple[Session, int, dict[str, int]],
    gx_project: GxProject,
    gx_context: Any,
    fw2566: Framework,
) -> None:
    session, _cycle_id, ids = cycle_2566
    outcome = validate_cycle(
        session, 2566, actor="test", project=gx_project, context=gx_context, framework=fw2566
    )
    store_findings(session, outcome.run_id, actor="test")
    target = ids["negative_count"]
    errors = session.scalars(
        select(QualityFinding).where(
            QualityFinding.run_id == outcome.run_id,
            QualityFinding.response_id == target,
            QualityFinding.severity == "error",
        )
    ).all()

    for f in errors:
        accept_finding(session, f.id, reason="ยืนยันแล้วทางโทรศัพท์", actor="operator:a")

    assert ResponseStatus(session.get(Response, target).status) == ResponseStatus.VERIFIED
    audits = session.scalars(
        select(AuditLog.details).where(AuditLog.action == "quality_accept")
    ).all()
    assert [a["reason"] for a in audits] == ["ยืนยันแล้วทางโทรศัพท์"] * len(errors)


@pytest.mark.parametrize("damage", ["broken_json", "no_message", "missing", "unknown_column"])
def test_should_stop_on_a_broken_or_missing_suite_and_change_no_status(
    cycle_2566: tuple[Session, int, dict[str, int]],
    gx_project: GxProject,
    gx_context: Any,
    fw2566: Framework,
    tmp_path: Path,
    damage: str,
) -> None:
    session, _cycle_id, ids = cycle_2566
    folder = tmp_path / "expectations"
    shutil.copytree(gx_project.expectations_dir, folder)
    target = folder / "dgops_2566_cross.json"
    data = json.loads(target.read_text(encoding="utf-8"))
    if damage == "broken_json":
        target.write_text(target.read_text(encoding="utf-8")[:-20], encoding="utf-8")
    elif damage == "no_message":
        data["expectations"][0]["meta"].pop("message_th")
        target.write_text(json.dumps(data), encoding="utf-8")
    elif damage == "missing":
        for p in folder.glob("dgops_2566_framework_*.json"):
            p.unlink()
    else:
        data["expectations"][0]["kwargs"]["column_A"] = "NO_SUCH_QUESTION"
        target.write_text(json.dumps(data), encoding="utf-8")
    project = GxProject(gx_project.root, folder, gx_project.docs_dir)

    with pytest.raises(SuiteError) as err:
        validate_cycle(
            session, 2566, actor="test", project=project, context=gx_context, framework=fw2566
        )

    assert "nothing changed" in str(err.value) or "no suite files" in str(err.value)
    session.rollback()
    statuses = {ResponseStatus(session.get(Response, rid).status) for rid in ids.values()}
    assert statuses == {ResponseStatus.SUBMITTED}
    assert session.scalar(select(func.count()).select_from(QualityRun)) == 0
