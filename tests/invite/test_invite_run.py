"""invite_batch against a real sink on loopback: one letter and one e-mail per agency, codes
that verify, and re-runs after crashes at every step that send nothing twice."""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path

import pytest
from invite_fixtures import (
    CHEAP,
    CODE,
    Crash,
    CrashAt,
    FakeClock,
    World,
    delivered_letters,
    login_in,
)
from sqlalchemy import Engine, select

from dgops.credentials import ActivationResult, verify_activation
from dgops.credentials.models import ActivationCodeRow
from dgops.db import Database
from dgops.invite import BatchReport, LetterRenderer, invite_batch
from dgops.letters import pdf_text
from dgops.mail import MailConfig, MailMessage
from dgops.settings import Settings
from dgops_devtools import Fault, SinkServer


def _invite(
    engine: Engine,
    settings: Settings,
    config: MailConfig,
    world: World,
    **kw: object,
) -> BatchReport:
    return invite_batch(Database(engine), settings, config, 2566, world.ids, policy=CHEAP, **kw)  # type: ignore[arg-type]


def _ledger(engine: Engine) -> Counter[str]:
    with Database(engine).begin() as session:
        return Counter(s.value for s in session.scalars(select(MailMessage.status)))


def _assert_each_agency_invited_once_with_a_valid_code(
    engine: Engine, sink: SinkServer, outbox: Path, world: World
) -> None:
    per_agency = Counter(m.custom_args["dgops_agency"] for m in sink.received())
    assert per_agency == dict.fromkeys(world.codes, 1)
    assert _ledger(engine) == {"accepted": len(world.codes)}
    letters = delivered_letters(outbox)
    with Database(engine).begin() as session:
        for code in world.codes:
            username, activation = login_in(letters[code][0])
            assert username == f"DG66-{code}"
            assert verify_activation(session, username, activation, policy=CHEAP) == (
                ActivationResult.OK
            )


def test_should_send_one_letter_and_one_email_per_agency(
    engine: Engine,
    world: World,
    sink: SinkServer,
    outbox: Path,
    config: MailConfig,
    settings: Settings,
) -> None:
    report = _invite(engine, settings, config, world)

    assert report.counts["accepted"] == 4
    assert report.counts["issued"] == report.counts["letters"] == 4
    _assert_each_agency_invited_once_with_a_valid_code(engine, sink, outbox, world)
    mail = next(m for m in sink.received() if m.custom_args["dgops_agency"] == "D0001")
    assert mail.to == ["saraban1@dept1.example.org", "cio1@dept1.example.org"]
    assert mail.cc == ["it1@dept1.example.org"]
    assert "เรียน อธิบดีกรมทดสอบที่ 1" in mail.text
    assert [a["filename"] for a in mail.attachments] == ["invitation-D0001.pdf"]
    letter = pdf_text(delivered_letters(outbox)["D0001"][0])
    number = letter.split("ที่ ", 1)[1].split()[0:2]
    assert " ".join(number) in mail.text  # the e-mail quotes the letter's number


def test_should_keep_the_code_out_of_the_email_body_and_the_report(
    engine: Engine,
    world: World,
    sink: SinkServer,
    config: MailConfig,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    report = _invite(engine, settings, config, world)

    for mail in sink.received():
        assert not CODE.search(mail.text)
        assert not CODE.search(mail.html)
        assert not CODE.search(json.dumps(mail.custom_args))
    assert not CODE.search(json.dumps(report.as_dict()))
    assert not CODE.search(caplog.text)
    with Database(engine).begin() as session:  # only argon2id hashes are stored
        assert all(
            h.startswith("$argon2id$") for h in session.scalars(select(ActivationCodeRow.code_hash))
        )


def test_should_send_nothing_the_second_time(
    engine: Engine,
    world: World,
    sink: SinkServer,
    outbox: Path,
    config: MailConfig,
    settings: Settings,
) -> None:
    _invite(engine, settings, config, world)

    again = _invite(engine, settings, config, world)

    assert again.counts["already_accepted"] == 4
    assert again.counts["issued"] == 0
    _assert_each_agency_invited_once_with_a_valid_code(engine, sink, outbox, world)


def test_should_issue_and_send_nothing_on_a_dry_run(
    engine: Engine, world: World, sink: SinkServer, config: MailConfig, settings: Settings
) -> None:
    report = _invite(engine, settings, config, world, dry_run=True)

    assert report.sample_pdf is not None
    assert "ตัวอย่าง" in pdf_text(report.sample_pdf)
    assert report.counts["would_consider"] == 4
    assert sink.received() == []
    with Database(engine).begin() as session:
        assert session.scalars(select(ActivationCodeRow)).all() == []
        assert session.scalars(select(MailMessage)).all() == []


@pytest.mark.parametrize("step", ["issued", "rendered"])
def test_should_reissue_and_send_once_after_a_crash_before_sending(
    step: str,
    engine: Engine,
    world: World,
    sink: SinkServer,
    outbox: Path,
    config: MailConfig,
    settings: Settings,
) -> None:
    with pytest.raises(Crash):
        _invite(engine, settings, config, world, on_step=CrashAt(step))
    assert sink.received() == []

    report = _invite(engine, settings, config, world)

    assert report.counts["reissued"] == 4  # the codes nobody received are replaced
    _assert_each_agency_invited_once_with_a_valid_code(engine, sink, outbox, world)
    with Database(engine).begin() as session:
        revoked = session.scalars(
            select(ActivationCodeRow).where(ActivationCodeRow.revoked_at.is_not(None))
        ).all()
    assert len(revoked) == 4


def test_should_not_resend_nor_reissue_when_the_crash_came_after_sendgrid_took_the_mail(
    engine: Engine,
    world: World,
    sink: SinkServer,
    outbox: Path,
    config: MailConfig,
    settings: Settings,
) -> None:
    clock = FakeClock()
    with pytest.raises(Crash):  # SendGrid answered 202; the ledger was never told
        _invite(
            engine, settings, config, world, on_step=CrashAt("http_returned", 2),
            send_workers=1, clock=clock, sleep=clock.sleep,
        )  # fmt: skip
    assert _ledger(engine)["sending"] == 1
    taken = len(sink.received())
    clock.advance(3600)  # the retry comes later

    report = _invite(engine, settings, config, world, clock=clock, sleep=clock.sleep)

    assert report.counts["reconciled"] == 1
    assert report.counts["issued"] == 4 - taken  # those SendGrid has keep their codes
    _assert_each_agency_invited_once_with_a_valid_code(engine, sink, outbox, world)


def test_should_reissue_when_reconciliation_says_the_mail_never_arrived(
    engine: Engine,
    world: World,
    sink: SinkServer,
    outbox: Path,
    config: MailConfig,
    settings: Settings,
) -> None:
    clock = FakeClock()
    with pytest.raises(Crash):  # `sending` committed, then the process died before the call
        _invite(
            engine, settings, config, world, on_step=CrashAt("claimed"),
            send_workers=1, clock=clock, sleep=clock.sleep,
        )  # fmt: skip
    taken = len(sink.received())  # the pool may have finished one more before stopping
    assert _ledger(engine)["sending"] == 1
    clock.advance(3600)

    report = _invite(engine, settings, config, world, clock=clock, sleep=clock.sleep)

    assert report.counts["reconciled"] == 0  # not in Email Activity: back to pending
    assert report.counts["reissued"] == 4 - taken
    _assert_each_agency_invited_once_with_a_valid_code(engine, sink, outbox, world)


def test_should_leave_an_uncertain_mail_alone_while_it_may_still_be_in_flight(
    sqlite_engine: Engine,
    sqlite_world: World,
    sink: SinkServer,
    config: MailConfig,
    settings: Settings,
) -> None:
    clock = FakeClock()
    with pytest.raises(Crash):
        _invite(
            sqlite_engine, settings, config, sqlite_world, on_step=CrashAt("http_returned"),
            send_workers=1, clock=clock, sleep=clock.sleep,
        )  # fmt: skip

    report = _invite(sqlite_engine, settings, config, sqlite_world, clock=clock, sleep=clock.sleep)

    assert report.counts["uncertain"] == 1  # too recent to ask SendGrid: no reissue, no send
    assert report.counts["accepted"] + report.counts["already_accepted"] == 3
    assert report.counts["issued"] == report.counts["accepted"]
    assert _ledger(sqlite_engine) == {"accepted": 3, "sending": 1}
    assert len(sink.received()) == 4


def test_should_hold_uncertain_mail_for_an_operator_when_sendgrid_cannot_be_asked(
    sqlite_engine: Engine,
    sqlite_world: World,
    sink: SinkServer,
    config: MailConfig,
    settings: Settings,
) -> None:
    clock = FakeClock()
    with pytest.raises(Crash):
        _invite(
            sqlite_engine, settings, config, sqlite_world, on_step=CrashAt("http_returned"),
            send_workers=1, clock=clock, sleep=clock.sleep,
        )  # fmt: skip
    sink.set_faults([], activity="forbidden")
    clock.advance(3600)

    _invite(sqlite_engine, settings, config, sqlite_world, clock=clock, sleep=clock.sleep)
    again = _invite(sqlite_engine, settings, config, sqlite_world, clock=clock, sleep=clock.sleep)

    assert _ledger(sqlite_engine) == {"accepted": 3, "held": 1}
    assert again.counts["held"] == 1
    assert again.counts["issued"] == 0
    assert len(sink.received()) == 4


def test_should_report_a_rejected_invitation_as_failed(
    sqlite_engine: Engine,
    sqlite_world: World,
    sink: SinkServer,
    config: MailConfig,
    settings: Settings,
) -> None:
    sink.set_faults([Fault(kind="status", status=400)])

    report = _invite(sqlite_engine, settings, config, sqlite_world, send_workers=1)

    assert report.counts["failed"] == 1
    assert report.counts["accepted"] == 3


def test_should_render_letters_in_worker_processes(
    sqlite_engine: Engine,
    sqlite_world: World,
    sink: SinkServer,
    outbox: Path,
    config: MailConfig,
    settings: Settings,
) -> None:
    with LetterRenderer(workers=2, chunk_size=1) as renderer:
        report = _invite(sqlite_engine, settings, config, sqlite_world, renderer=renderer)

    assert report.counts["letters"] == 4
    _assert_each_agency_invited_once_with_a_valid_code(sqlite_engine, sink, outbox, sqlite_world)
