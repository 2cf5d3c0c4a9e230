"""send_batch: exactly once per message, retries, permanent failures and reconciliation."""

from __future__ import annotations

import dataclasses
import random

import pytest
from mail_fixtures import FakeClock, ScriptedTransport, World, accepted_uncertain
from sqlalchemy import select

from dgops.db import Database
from dgops.mail import MailConfig, MailMessage, Outcome, SendStatus, reconcile, release, send_batch
from dgops.mail.message import ARG_MESSAGE_KEY
from dgops.mail.transport import (
    ActivityUnavailable,
    RateLimited,
    Rejected,
    ServerError,
    Uncertain,
)
from dgops_devtools import SinkServer


class Crash(Exception):
    """Stands for the process dying at a chosen step."""


def ledger(db: Database) -> list[MailMessage]:
    with db.begin() as s:
        return list(s.scalars(select(MailMessage).order_by(MailMessage.id)))


def run(
    db: Database,
    config: MailConfig,
    world: World,
    transport: ScriptedTransport,
    clock: FakeClock,
    n: int = 1,
    **kw: object,
):
    return send_batch(
        db,
        config,
        world.messages()[:n],
        workers=2,
        transport_factory=transport,
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(1),
        **kw,  # type: ignore[arg-type]
    )


def test_should_send_each_message_once_and_skip_accepted_ones_on_rerun(
    db: Database, config: MailConfig, world: World, sink: SinkServer
) -> None:
    first = send_batch(db, config, world.messages(), workers=3)
    second = send_batch(db, config, world.messages(), workers=3)

    assert first.counts == {Outcome.ACCEPTED: len(world.agencies)}
    assert second.counts == {Outcome.ALREADY_ACCEPTED: len(world.agencies)}
    assert len(sink.received()) == len(world.agencies)
    rows = ledger(db)
    assert {r.status for r in rows} == {SendStatus.ACCEPTED}
    assert {r.sg_message_id for r in rows} == {m.x_message_id for m in sink.received()}


def test_should_address_head_and_cio_and_copy_the_coordinator(
    db: Database, config: MailConfig, world: World, sink: SinkServer
) -> None:
    send_batch(db, config, world.messages()[:1])

    mail = sink.received()[0]
    assert mail.to == ["head0@agency0.go.th", "cio0@agency0.go.th"]
    assert mail.cc == ["coord0@agency0.go.th"]
    assert "ขอเชิญตอบแบบสำรวจ" in mail.subject
    assert mail.attachments[0]["filename"] == "letter-A000.pdf"


def test_should_carry_identifiers_but_no_personal_data_in_custom_args(
    db: Database, config: MailConfig, world: World, sink: SinkServer
) -> None:
    send_batch(db, config, world.messages()[:1])

    args = sink.received()[0].custom_args
    row = ledger(db)[0]
    assert args == {
        "dgops_cycle": "2566",
        "dgops_agency": "A000",
        "dgops_kind": "invitation",
        "dgops_round": "1",
        "dgops_message_id": str(row.id),
        "dgops_key": row.message_key,
    }
    assert not any("@" in v for v in args.values())


def test_should_wait_until_the_rate_limit_resets_before_retrying(
    sqlite_db: Database, config: MailConfig, sqlite_world: World, clock: FakeClock
) -> None:
    transport = ScriptedTransport([RateLimited(reset_at=clock() + 30)])

    report = run(sqlite_db, config, sqlite_world, transport, clock)

    assert report.counts == {Outcome.ACCEPTED: 1}
    assert 30 <= clock.sleeps[0] <= 30 + config.backoff_base
    assert len(transport.sent) == 1


def test_should_retry_server_errors_with_exponential_backoff(
    sqlite_db: Database, config: MailConfig, sqlite_world: World, clock: FakeClock
) -> None:
    transport = ScriptedTransport([ServerError(500, "x"), ServerError(503, "y")])

    report = run(sqlite_db, config, sqlite_world, transport, clock)

    assert report.counts == {Outcome.ACCEPTED: 1}
    assert len(clock.sleeps) == 2
    assert all(s <= config.backoff_base * 2**i for i, s in enumerate(clock.sleeps))
    assert ledger(sqlite_db)[0].attempts == 3


def test_should_record_a_permanent_rejection_with_its_reason_and_never_retry_it(
    sqlite_db: Database, config: MailConfig, sqlite_world: World, clock: FakeClock
) -> None:
    transport = ScriptedTransport([Rejected(400, "from.email: The from address does not match")])

    report = run(sqlite_db, config, sqlite_world, transport, clock)
    again = run(sqlite_db, config, sqlite_world, transport, clock)

    assert report.counts == {Outcome.FAILED: 1}
    assert again.counts == {Outcome.FAILED: 1}
    row = ledger(sqlite_db)[0]
    assert (row.status, row.error_code) == (SendStatus.FAILED, 400)
    assert "from address" in row.error
    assert transport.sent == []


def test_should_defer_after_the_last_attempt_and_send_on_the_next_run(
    sqlite_db: Database, config: MailConfig, sqlite_world: World, clock: FakeClock
) -> None:
    transport = ScriptedTransport([ServerError(500, "down")] * config.max_attempts)

    first = run(sqlite_db, config, sqlite_world, transport, clock)
    second = run(sqlite_db, config, sqlite_world, transport, clock)

    assert first.counts == {Outcome.DEFERRED: 1}
    assert second.counts == {Outcome.ACCEPTED: 1}
    assert len(transport.sent) == 1


def test_should_accept_an_uncertain_send_that_sendgrid_received(
    sqlite_db: Database, config: MailConfig, sqlite_world: World, clock: FakeClock
) -> None:
    transport = ScriptedTransport([accepted_uncertain()])

    report = run(sqlite_db, config, sqlite_world, transport, clock)

    assert report.counts == {Outcome.RECONCILED: 1}
    assert len(transport.sent) == 1
    assert ledger(sqlite_db)[0].sg_message_id == "sg1"


def test_should_resend_an_uncertain_send_that_sendgrid_never_received(
    sqlite_db: Database, config: MailConfig, sqlite_world: World, clock: FakeClock
) -> None:
    transport = ScriptedTransport([Uncertain("timed out")])

    report = run(sqlite_db, config, sqlite_world, transport, clock)

    assert report.counts == {Outcome.ACCEPTED: 1}
    assert len(transport.sent) == 1
    assert ledger(sqlite_db)[0].attempts == 2


def test_should_not_conclude_not_received_before_email_activity_catches_up(
    sqlite_db: Database, config: MailConfig, sqlite_world: World, clock: FakeClock
) -> None:
    slow_activity = dataclasses.replace(config, activity_lag=600)
    transport = ScriptedTransport([Uncertain("timed out")])

    first = run(sqlite_db, slow_activity, sqlite_world, transport, clock)
    too_soon = run(sqlite_db, slow_activity, sqlite_world, transport, clock)
    clock.advance(3600)
    later = run(sqlite_db, slow_activity, sqlite_world, transport, clock)

    assert first.counts == {Outcome.UNCERTAIN: 1}
    assert too_soon.counts == {Outcome.UNCERTAIN: 1}
    assert later.counts == {Outcome.ACCEPTED: 1}
    assert len(transport.sent) == 1


def test_should_hold_an_uncertain_send_when_email_activity_is_unavailable(
    sqlite_db: Database, config: MailConfig, sqlite_world: World, clock: FakeClock
) -> None:
    transport = ScriptedTransport([accepted_uncertain()])
    transport.activity_error = ActivityUnavailable("HTTP 403")

    first = run(sqlite_db, config, sqlite_world, transport, clock)
    again = run(sqlite_db, config, sqlite_world, transport, clock)

    assert first.counts == {Outcome.HELD: 1}
    assert again.counts == {Outcome.HELD: 1}
    assert len(transport.sent) == 1
    assert "รอผู้ดูแล" in ledger(sqlite_db)[0].error


def test_should_send_a_held_message_again_only_after_an_operator_allows_it(
    sqlite_db: Database, config: MailConfig, sqlite_world: World, clock: FakeClock
) -> None:
    transport = ScriptedTransport([Uncertain("dropped")])
    transport.activity_error = ActivityUnavailable("HTTP 404")
    run(sqlite_db, config, sqlite_world, transport, clock)
    row_id = ledger(sqlite_db)[0].id

    with sqlite_db.begin() as s:
        release(s, row_id, decision="resend", actor="operator")
    report = run(sqlite_db, config, sqlite_world, transport, clock)

    assert report.counts == {Outcome.ACCEPTED: 1}
    assert len(transport.sent) == 1


def test_should_leave_another_runs_recent_sending_message_alone(
    sqlite_db: Database, config: MailConfig, sqlite_world: World, clock: FakeClock
) -> None:
    transport = ScriptedTransport()

    def crash(step: str, _id: int) -> None:
        if step == "claimed":
            raise Crash

    with pytest.raises(Crash):
        run(sqlite_db, config, sqlite_world, transport, clock, on_step=crash)
    soon = run(sqlite_db, config, sqlite_world, transport, clock)
    clock.advance(config.reconcile_after + 1)
    later = run(sqlite_db, config, sqlite_world, transport, clock)

    assert soon.counts == {Outcome.UNCERTAIN: 1}
    assert later.counts == {Outcome.ACCEPTED: 1}
    assert len(transport.sent) == 1


def test_should_reconcile_a_crash_after_the_api_call_without_sending_twice(
    sqlite_db: Database, config: MailConfig, sqlite_world: World, clock: FakeClock
) -> None:
    transport = ScriptedTransport()

    def crash(step: str, _id: int) -> None:
        if step == "http_returned":
            raise Crash

    with pytest.raises(Crash):
        run(sqlite_db, config, sqlite_world, transport, clock, on_step=crash)
    clock.advance(3600)
    results = reconcile(sqlite_db, config, transport_factory=transport, clock=clock)
    rerun = run(sqlite_db, config, sqlite_world, transport, clock)

    assert [r[1] for r in results] == [Outcome.RECONCILED]
    assert rerun.counts == {Outcome.ALREADY_ACCEPTED: 1}
    assert len(transport.sent) == 1
    assert transport.queries == [transport.sent[0]["custom_args"][ARG_MESSAGE_KEY]]  # type: ignore[index]


def test_should_report_blocking_problems_and_create_no_ledger_row_for_them(
    sqlite_db: Database, config: MailConfig, sqlite_world: World, clock: FakeClock
) -> None:
    messages = sqlite_world.messages()[:2]
    messages[0] = dataclasses.replace(messages[0], recipients=())
    transport = ScriptedTransport()

    report = send_batch(
        sqlite_db,
        config,
        messages,
        transport_factory=transport,
        clock=clock,
        sleep=clock.sleep,
    )

    assert [p.code for p in report.problems] == ["no_recipient"]
    assert report.counts == {Outcome.ACCEPTED: 1}
    assert [r.agency_id for r in ledger(sqlite_db)] == [messages[1].agency_id]
