"""``dgops_quality`` end to end under ``dag.test()``: the real Great Expectations suites of
framework 2566 over a temporary SQLite dgops database, clarification e-mails to a local sink.

Valid submitted responses are verified; one with a blank required answer is returned with its
finding and a Thai clarification e-mail; a second run changes nothing and sends nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

pytest.importorskip("airflow")

pytestmark = [
    pytest.mark.airflow,
    # dag.test's in-process execution API imports starlette's TestClient (httpx warning).
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
]

YEAR = 2566
VALID = ("QV001", "QV002", "QV003")
BLANK = "QB001"  # TP_01 (required) answered with spaces only


def _valid_answers() -> dict[str, Any]:
    """A complete, valid 2566 response: modest claims, every shown question answered."""
    from dgops.framework import load_framework

    fw = load_framework(str(YEAR))
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


def _claims(answers: dict[str, Any]) -> set[str]:
    from dgops.framework import is_claim, load_framework

    fw = load_framework(str(YEAR))
    return {
        q.id
        for q in fw.questions
        if q.level is not None
        and q.level >= 3
        and q.evidence != "none"
        and q.id in answers
        and is_claim(q, answers[q.id])
    }


def _add_submitted(session: Session, cycle_id: int, code: str, answers: dict[str, Any]) -> None:
    from dgops.registry.models import Agency, AgencyLevel, Contact, ContactRole
    from dgops.responses import EvidenceFile
    from dgops.responses.models import Answer, Response, ResponseStatus

    agency = Agency(code=code, name_th=f"กรมทดสอบ {code}", level=AgencyLevel.DEPARTMENT)
    session.add(agency)
    session.flush()
    session.add(
        Contact(
            agency_id=agency.id,
            role=ContactRole.COORDINATOR,
            name="นางสาวผู้ประสานงาน ทดสอบ",
            email=f"coordinator@{code.lower()}.example.org",
        )
    )
    response = Response(
        cycle_id=cycle_id, agency_id=agency.id, status=ResponseStatus.SUBMITTED, channel="import"
    )
    session.add(response)
    session.flush()
    for qid, value in answers.items():
        session.add(Answer(response_id=response.id, question_id=qid, value=value))
    for qid in sorted(_claims(answers)):
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


@pytest.fixture
def submitted_cycle(sqlite_engine: Engine) -> Engine:
    """Cycle 2566 (framework 2566) with three valid submitted responses and one blank one."""
    from dgops.cycles import create_cycle
    from dgops.db import Database

    good = _valid_answers()
    with Database(sqlite_engine).begin() as session:
        cycle = create_cycle(
            session,
            year=YEAR,
            open_date=dt.date(2023, 7, 1),
            deadline=dt.date(2023, 9, 30),
            actor="test",
            framework_version=str(YEAR),
        )
        for i, code in enumerate(VALID):
            # Slightly different answers, so no response is flagged as a copy of another.
            _add_submitted(session, cycle.id, code, {**good, "SP_01": 5 + i})
        _add_submitted(session, cycle.id, BLANK, {**good, "TP_01": "   "})
    return sqlite_engine


def _statuses(engine: Engine) -> dict[str, str]:
    from dgops.registry.models import Agency
    from dgops.responses.models import Response

    with engine.connect() as conn:
        rows = conn.execute(
            select(Agency.code, Response.status).join(Response, Response.agency_id == Agency.id)
        )
        return {code: str(status) for code, status in rows}


def _findings(engine: Engine) -> list[tuple[str, str | None, str, str, str]]:
    """(agency, question, rule, severity, status) of every finding, in id order."""
    from dgops.quality import QualityFinding
    from dgops.registry.models import Agency

    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Agency.code,
                QualityFinding.question_id,
                QualityFinding.rule,
                QualityFinding.severity,
                QualityFinding.status,
            )
            .join(Agency, Agency.id == QualityFinding.agency_id)
            .order_by(QualityFinding.id)
        )
        return [(c, q, r, str(sev), str(st)) for c, q, r, sev, st in rows]


def _states(run: Any) -> dict[str, str | None]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


@pytest.fixture
def quality_dag(airflow_metadata_db: None) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(Path(__file__).resolve().parents[2] / "dags"))
    assert bag.import_errors == {}
    return bag.dags["dgops_quality"]


def test_should_verify_valid_responses_and_return_the_blank_one_with_one_email_once(
    quality_dag: Any,
    submitted_cycle: Engine,
    sink_connections: tuple[Path, Any],
    dgops_var_dir: Path,
) -> None:
    conn_file, sink = sink_connections

    first = quality_dag.test(run_conf={"cycle_year": YEAR}, conn_file_path=str(conn_file))

    assert first.state == "success", _states(first)
    assert _statuses(submitted_cycle) == {
        **dict.fromkeys(VALID, "verified"),
        BLANK: "returned",
    }
    findings = _findings(submitted_cycle)
    assert (BLANK, "TP_01", "required", "error", "open") in findings
    assert {f[0] for f in findings if f[3] == "error"} == {BLANK}
    mails = sink.received()
    assert [(m.custom_args["dgops_agency"], m.custom_args["dgops_kind"]) for m in mails] == [
        (BLANK, "clarification")
    ]
    assert mails[0].to == [f"coordinator@{BLANK.lower()}.example.org"]
    assert "TP_01" in mails[0].text
    assert (dgops_var_dir / "quality").is_dir()  # the GE context stayed in the temp folder

    second = quality_dag.test(run_conf={"cycle_year": YEAR}, conn_file_path=str(conn_file))

    assert second.state == "success", _states(second)
    assert _statuses(submitted_cycle) == {**dict.fromkeys(VALID, "verified"), BLANK: "returned"}
    assert _findings(submitted_cycle) == findings
    assert len(sink.received()) == 1
