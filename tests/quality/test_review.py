"""Evidence review: a rejected claim is scored as "not done"; the answer itself is kept."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dgops.cycles import create_cycle
from dgops.db.models import AuditLog
from dgops.framework import load_framework
from dgops.quality import apply_overrides, not_done_value, review_evidence
from dgops.registry.models import Agency, AgencyLevel
from dgops.responses.models import Answer, Response, ResponseStatus


def test_should_score_a_rejected_claim_as_not_done_and_keep_the_answer(engine: Engine) -> None:
    fw = load_framework("2566")
    with Session(engine) as session:
        cycle = create_cycle(
            session,
            year=2566,
            open_date=dt.date(2023, 7, 1),
            deadline=dt.date(2023, 9, 30),
            actor="test",
            framework_version="2566",
        )
        agency = Agency(code="D1", name_th="กรมหนึ่ง", level=AgencyLevel.DEPARTMENT)
        session.add(agency)
        session.flush()
        response = Response(
            cycle_id=cycle.id, agency_id=agency.id, status=ResponseStatus.VERIFIED, channel="online"
        )
        session.add(response)
        session.flush()
        session.add(Answer(response_id=response.id, question_id="DGP_03", value="yes"))
        session.flush()
        answers = pd.DataFrame(
            {"DGP_03": ["yes"], "DGP_04": ["yes"]}, index=[agency.id], dtype=object
        )

        review_evidence(
            session,
            response,
            fw.question("DGP_03"),
            decision="rejected",
            reason="เอกสารไม่ใช่รายงานผลต่อผู้บริหาร",
            actor="operator:b",
        )
        scored = apply_overrides(answers, session, cycle.id)

        assert scored.at[agency.id, "DGP_03"] == "no"
        assert scored.at[agency.id, "DGP_04"] == "yes"
        assert answers.at[agency.id, "DGP_03"] == "yes"
        kept = session.scalar(select(Answer.value).where(Answer.question_id == "DGP_03"))
        assert kept == "yes"
        audit = session.scalar(select(AuditLog).where(AuditLog.action == "evidence_rejected"))
        assert audit is not None
        assert audit.details["reason"] == "เอกสารไม่ใช่รายงานผลต่อผู้บริหาร"

        review_evidence(
            session, response, fw.question("DGP_03"), decision="accepted", reason="", actor="op"
        )
        assert apply_overrides(answers, session, cycle.id).at[agency.id, "DGP_03"] == "yes"


def test_should_pick_the_not_done_value_of_each_question_type() -> None:
    fw = load_framework("2566")

    assert not_done_value(fw.question("DGP_03")) == "no"
    assert not_done_value(fw.question("DGP_01")) == "none"
    assert not_done_value(fw.question("ITC_05")) == []
    assert not_done_value(fw.question("IE_06")) == 0
