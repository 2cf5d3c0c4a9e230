"""Quality fixtures: one Great Expectations context per test session (its import costs
seconds), the 2566 cycle with one agency per bad-input case, valid answers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dgops.cycles import create_cycle
from dgops.framework import Framework, load_framework
from dgops.quality.gx import GxProject
from dgops.registry.models import Agency, AgencyLevel
from dgops.responses import EvidenceFile
from dgops.responses.models import Answer, Response, ResponseStatus

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads(
    (ROOT / "tests" / "fixtures" / "quality" / "bad_cases_2566.json").read_text(encoding="utf-8")
)["cases"]


@pytest.fixture(scope="session")
def fw2566() -> Framework:
    return load_framework("2566")


def valid_answers(fw: Framework) -> dict[str, Any]:
    """A complete, valid 2566 response: modest claims, every shown question answered."""
    picks: dict[str, Any] = {}
    for q in fw.questions:
        if q.type == "yes_no":
            picks[q.id] = "no"
        elif q.type == "single_choice":
            picks[q.id] = q.option_ids()[0]
        elif q.type == "multiple_choice":
            picks[q.id] = [q.option_ids()[0]]
        elif q.type == "number":
            picks[q.id] = 5
        elif q.type == "percentage":
            picks[q.id] = 50
        elif q.type == "text":
            picks[q.id] = "ข้อความ"
        else:
            picks[q.id] = "sha256:" + "0" * 64
    picks["SP_01"] = 5
    shown = fw.evaluate_show_if(picks)
    return {k: v for k, v in picks.items() if shown[k]}


@pytest.fixture(scope="session")
def gx_project(tmp_path_factory: pytest.TempPathFactory) -> GxProject:
    root = tmp_path_factory.mktemp("gx")
    return GxProject(root, ROOT / "expectations", root / "data_docs")


@pytest.fixture(scope="session")
def gx_context(gx_project: GxProject) -> Any:
    return gx_project.context()


def add_response(
    session: Session,
    cycle_id: int,
    code: str,
    answers: dict[str, Any],
    *,
    evidence: set[str],
) -> Response:
    agency = Agency(code=code, name_th=f"กรมทดสอบ {code}", level=AgencyLevel.DEPARTMENT)
    session.add(agency)
    session.flush()
    response = Response(
        cycle_id=cycle_id, agency_id=agency.id, status=ResponseStatus.SUBMITTED, channel="import"
    )
    session.add(response)
    session.flush()
    for qid, value in answers.items():
        if value is not None:
            session.add(Answer(response_id=response.id, question_id=qid, value=value))
    for qid in sorted(evidence):
        session.add(
            EvidenceFile(
                response_id=response.id,
                question_id=qid,
                sha256=f"{response.id:064d}",
                filename=f"{qid}.pdf",
                content_type="application/pdf",
                size=10,
                uploaded_by="test",
            )
        )
    session.flush()
    return response


def claims(fw: Framework, answers: dict[str, Any]) -> set[str]:
    """Questions whose answer is a level ≥ 3 claim needing evidence."""
    from dgops.framework import is_claim

    return {
        q.id
        for q in fw.questions
        if q.level is not None
        and q.level >= 3
        and q.evidence != "none"
        and q.id in answers
        and is_claim(q, answers[q.id])
    }


@pytest.fixture
def cycle_2566(engine: Engine, fw2566: Framework) -> Iterator[tuple[Session, int, dict[str, int]]]:
    """Cycle 2566 with a clean response (GOOD), a copy of it (COPY) and one response per
    bad-input case; all submitted. Yields (session, cycle id, response id by code)."""
    with Session(engine) as session:
        cycle = create_cycle(
            session,
            year=2566,
            open_date=dt.date(2023, 7, 1),
            deadline=dt.date(2023, 9, 30),
            actor="test",
            framework_version="2566",
        )
        good = valid_answers(fw2566)
        ids = {}
        for code in ("GOOD", "COPY"):
            ids[code] = add_response(
                session, cycle.id, code, good, evidence=claims(fw2566, good)
            ).id
        for name, case in CASES.items():
            answers = {**good, **case["set"]}
            evidence = claims(fw2566, answers) - set(case.get("no_evidence", []))
            ids[name] = add_response(session, cycle.id, name[:32], answers, evidence=evidence).id
        session.commit()
        yield session, cycle.id, ids
