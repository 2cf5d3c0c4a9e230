from __future__ import annotations

import datetime as dt

import pytest
from fieldwork_fixtures import OPEN, YEAR, FieldworkWorld
from openpyxl import load_workbook
from sqlalchemy import Engine, select, update

from dgops.db import Database
from dgops.fieldwork import (
    Manager,
    ReminderError,
    build_digest,
    call_list,
    run_reminders,
    send_digest,
    send_now,
    write_call_list,
)
from dgops.mail import MailConfig, MailMessage
from dgops.responses.models import Response, ResponseStatus
from dgops.thai import BANGKOK
from dgops_devtools import SinkServer

NOW = dt.datetime(2025, 7, 8, 10, 0, tzinfo=BANGKOK)


def test_should_send_each_due_reminder_once_across_reruns(
    engine: Engine, world: FieldworkWorld, sink: SinkServer, mail_config: MailConfig
) -> None:
    db = Database(engine)

    first = run_reminders(db, YEAR, now=NOW, mail_config=mail_config)
    again = run_reminders(db, YEAR, now=NOW + dt.timedelta(hours=2), mail_config=mail_config)

    assert first.outcomes["accepted"] == 3
    assert again.planned == 0
    mails = sink.received()
    assert sorted(m.custom_args["dgops_agency"] for m in mails) == ["D2", "D3", "P1"]
    assert {m.custom_args["dgops_round"] for m in mails} == {"1"}
    d2 = next(m for m in mails if m.custom_args["dgops_agency"] == "D2")
    assert "ยังไม่ได้กดส่ง" in d2.subject
    assert d2.to == ["it@d2.example.org"]
    assert "cio@d2.example.org" in d2.cc


def test_should_send_nothing_outside_office_hours(
    engine: Engine, world: FieldworkWorld, sink: SinkServer, mail_config: MailConfig
) -> None:
    report = run_reminders(
        Database(engine), YEAR, now=NOW.replace(hour=19), mail_config=mail_config
    )

    assert report.skipped_reason is not None
    assert "นอกเวลาราชการ" in report.skipped_reason
    assert sink.received() == []


def test_should_cancel_a_reminder_when_the_response_arrives_before_sending(
    engine: Engine, world: FieldworkWorld, sink: SinkServer, mail_config: MailConfig
) -> None:
    from dgops.fieldwork import deliver, select_due

    with Database(engine).begin() as session:
        plans = select_due(session, YEAR, today=NOW.date())
        session.execute(
            update(Response)
            .where(Response.agency_id == world.ids["D2"])
            .values(status=ResponseStatus.SUBMITTED)
        )

    report = deliver(Database(engine), YEAR, plans, mail_config, day=NOW.date())

    assert report.cancelled_submitted == 1
    assert "D2" not in {m.custom_args["dgops_agency"] for m in sink.received()}


def test_should_send_one_now_once_a_day_and_refuse_responders(
    engine: Engine, world: FieldworkWorld, sink: SinkServer, mail_config: MailConfig
) -> None:
    db = Database(engine)
    day = OPEN + dt.timedelta(days=2)

    send_now(db, YEAR, "D3", today=day, mail_config=mail_config)
    send_now(db, YEAR, "D3", today=day, mail_config=mail_config)
    with pytest.raises(ReminderError):
        send_now(db, YEAR, "D1", today=day, mail_config=mail_config)

    assert [m.custom_args["dgops_round"] for m in sink.received()] == ["1002"]


def test_should_rank_the_call_list_and_write_it_as_xlsx(
    engine: Engine, world: FieldworkWorld, tmp_path: object
) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    with Database(engine).begin() as session:
        early = call_list(session, YEAR, today=OPEN + dt.timedelta(days=3))
        late = call_list(session, YEAR, today=dt.date(2025, 8, 27))
    path = write_call_list(late, tmp_path / "calls.xlsx")

    assert list(early["code"]) == ["D3"]  # only the bounced one, early on
    assert set(late["code"]) == {"D2", "D3", "P1"}
    assert late["priority"].tolist() == [1, 2, 3]
    assert late.iloc[0]["code"] == "D3"  # bounced and in the group furthest behind
    sheet = load_workbook(path).active
    assert sheet is not None
    assert sheet["A1"].value == "ลำดับ"
    assert sheet.max_row == 4


def test_should_send_the_managers_digest_with_a_chart_once_a_day(
    engine: Engine, world: FieldworkWorld, sink: SinkServer, mail_config: MailConfig
) -> None:
    db = Database(engine)
    managers = [Manager("boss@dga.example.org", "ผู้อำนวยการ")]
    with Database(engine).begin() as session:
        digest = build_digest(session, YEAR, dt.date(2025, 8, 20))

    first = send_digest(db, YEAR, dt.date(2025, 8, 20), mail_config, managers=managers)
    second = send_digest(db, YEAR, dt.date(2025, 8, 20), mail_config, managers=managers)

    assert digest.chart_png.startswith(b"\x89PNG")
    assert digest.context["behind"]
    assert (first["sent"], second["sent"]) == (1, 0)
    (mail,) = sink.received()
    assert mail.subject.startswith("[มีกลุ่มล่าช้า")
    assert mail.attachments[0]["type"] == "image/png"
    with Database(engine).begin() as session:
        kinds = set(session.scalars(select(MailMessage.kind)))
    assert "digest" in kinds
