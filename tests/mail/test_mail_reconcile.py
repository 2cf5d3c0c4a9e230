"""Reconciliation at SendGrid's scale, against a sink that behaves like production: Email
Activity lags behind mail/send and allows only a few requests a minute; unverified senders are
refused; large batches are paced; reply_to and tracking are set explicitly."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator

import pytest
from mail_fixtures import API_KEY, FakeClock, ScriptedTransport, World
from sqlalchemy import select, update

from dgops.db import Database
from dgops.mail import MailConfig, MailMessage, Outcome, SendStatus, reconcile, send_batch
from dgops.mail.message import tracking_settings
from dgops_devtools import SinkServer


@pytest.fixture
def slow_sink(clock: FakeClock) -> Iterator[SinkServer]:
    """Activity lists a mail 300 s after accepting it and answers 2 requests a minute."""
    with SinkServer(
        api_key=API_KEY,
        clock=clock,
        activity_lag=300.0,
        activity_per_minute=2,
        verified_senders=frozenset({"survey@dga.example.org"}),
    ) as server:
        yield server


def _config(config: MailConfig, sink: SinkServer, **kw: object) -> MailConfig:
    return dataclasses.replace(
        config, base_url=sink.url, activity_lag=600.0, activity_per_minute=0.0, **kw
    )  # type: ignore[arg-type]


def _send_then_forget(db: Database, config: MailConfig, world: World, clock: FakeClock) -> None:
    """Send every message, then put the ledger back to ``sending``: a crash between each 202
    and its ledger write."""
    send_batch(db, config, world.messages(), workers=1, clock=clock, sleep=clock.sleep)
    with db.begin() as s:
        s.execute(
            update(MailMessage).values(status=SendStatus.SENDING, sg_message_id=None, attempts=1)
        )


def _ledger(db: Database) -> list[MailMessage]:
    with db.begin() as s:
        return list(s.scalars(select(MailMessage).order_by(MailMessage.id)))


def test_should_settle_many_messages_with_one_activity_request_and_count_each_once(
    sqlite_db: Database,
    config: MailConfig,
    sqlite_world: World,
    clock: FakeClock,
    slow_sink: SinkServer,
) -> None:
    cfg = _config(config, slow_sink)
    _send_then_forget(sqlite_db, cfg, sqlite_world, clock)
    clock.advance(cfg.reconcile_after + 1)

    report = reconcile(sqlite_db, cfg, clock=clock, sleep=clock.sleep)

    assert len(slow_sink.state.activity_requests) == 1  # 6 messages, 18 Activity rows
    assert report.counts == {Outcome.RECONCILED: 6}
    assert len(list(report)) == 6
    sent = {m.custom_args["dgops_key"]: m.x_message_id for m in slow_sink.received()}
    assert {m.message_key: m.sg_message_id for m in _ledger(sqlite_db)} == sent
    assert len(slow_sink.received()) == 6


def test_should_wait_for_the_rate_limit_reset_then_finish(
    sqlite_db: Database,
    config: MailConfig,
    sqlite_world: World,
    clock: FakeClock,
    slow_sink: SinkServer,
) -> None:
    cfg = _config(config, slow_sink, activity_batch=2, activity_max_wait=120.0)
    _send_then_forget(sqlite_db, cfg, sqlite_world, clock)
    clock.advance(cfg.reconcile_after + 1)
    before = list(clock.sleeps)

    report = reconcile(sqlite_db, cfg, clock=clock, sleep=clock.sleep)

    assert report.counts == {Outcome.RECONCILED: 6}
    waits = clock.sleeps[len(before) :]
    assert len(waits) == 1
    assert 59 <= waits[0] <= 62
    assert report.retry_after is None


def test_should_tell_the_operator_how_long_to_wait_when_the_limit_outlasts_the_run(
    sqlite_db: Database,
    config: MailConfig,
    sqlite_world: World,
    clock: FakeClock,
    slow_sink: SinkServer,
) -> None:
    cfg = _config(config, slow_sink, activity_batch=2, activity_max_wait=10.0)
    _send_then_forget(sqlite_db, cfg, sqlite_world, clock)
    clock.advance(cfg.reconcile_after + 1)

    report = reconcile(sqlite_db, cfg, clock=clock, sleep=clock.sleep)

    assert report.counts == {Outcome.RECONCILED: 4, Outcome.UNCERTAIN: 2}
    assert report.retry_after is not None
    assert 59 <= report.retry_after <= 62
    assert [m.status for m in _ledger(sqlite_db)].count(SendStatus.SENDING) == 2


def test_should_space_activity_requests_within_the_configured_budget(
    sqlite_db: Database,
    config: MailConfig,
    sqlite_world: World,
    clock: FakeClock,
    slow_sink: SinkServer,
) -> None:
    cfg = dataclasses.replace(_config(config, slow_sink, activity_batch=2), activity_per_minute=2)
    _send_then_forget(sqlite_db, cfg, sqlite_world, clock)
    clock.advance(cfg.reconcile_after + 1)
    before = len(clock.sleeps)

    report = reconcile(sqlite_db, cfg, clock=clock, sleep=clock.sleep)

    assert report.counts == {Outcome.RECONCILED: 6}
    assert clock.sleeps[before:] == [30.0, 30.0]  # 3 requests, 30 s apart: never a 429


def test_should_not_conclude_not_received_inside_the_uncertainty_window(
    sqlite_db: Database,
    config: MailConfig,
    sqlite_world: World,
    clock: FakeClock,
    slow_sink: SinkServer,
) -> None:
    cfg = _config(config, slow_sink)
    _send_then_forget(sqlite_db, cfg, sqlite_world, clock)
    clock.advance(200)

    soon = reconcile(sqlite_db, cfg, clock=clock, sleep=clock.sleep)
    clock.advance(soon.decide_after or 0)
    later = reconcile(sqlite_db, cfg, clock=clock, sleep=clock.sleep)

    assert soon.counts == {Outcome.UNCERTAIN: 6}
    assert soon.decide_after == pytest.approx(cfg.reconcile_after - 200)
    assert later.counts == {Outcome.RECONCILED: 6}
    assert len(slow_sink.received()) == 6  # nothing sent twice


def test_should_record_the_refusal_of_an_unverified_sender(
    sqlite_db: Database,
    config: MailConfig,
    sqlite_world: World,
    clock: FakeClock,
    slow_sink: SinkServer,
) -> None:
    cfg = _config(config, slow_sink, from_email="noreply@other.example.org")

    report = send_batch(sqlite_db, cfg, sqlite_world.messages()[:1], clock=clock, sleep=clock.sleep)

    assert report.counts == {Outcome.FAILED: 1}
    row = _ledger(sqlite_db)[0]
    assert row.status == SendStatus.FAILED
    assert row.error_code == 403
    assert "verified Sender Identity" in row.error
    assert slow_sink.received() == []


def test_should_set_reply_to_and_tracking_explicitly(
    sqlite_db: Database,
    config: MailConfig,
    sqlite_world: World,
    clock: FakeClock,
    slow_sink: SinkServer,
) -> None:
    cfg = _config(config, slow_sink, reply_to="survey-team@dga.example.org")

    send_batch(sqlite_db, cfg, sqlite_world.messages()[:1], clock=clock, sleep=clock.sleep)

    mail = slow_sink.received()[0]
    assert mail.reply_to == "survey-team@dga.example.org"
    assert mail.tracking_settings == {
        "click_tracking": {"enable": False, "enable_text": False},
        "open_tracking": {"enable": False},  # an invitation carries credentials
        "subscription_tracking": {"enable": False},
    }
    reminder = tracking_settings("reminder", cfg).get()
    assert reminder["click_tracking"]["enable"] is False
    assert reminder["open_tracking"]["enable"] is True


def test_should_spread_a_batch_at_the_configured_rate(
    sqlite_db: Database, config: MailConfig, sqlite_world: World, clock: FakeClock
) -> None:
    transport = ScriptedTransport()
    cfg = dataclasses.replace(config, rate_per_second=2.0)
    start = clock()

    report = send_batch(
        sqlite_db,
        cfg,
        sqlite_world.messages(),
        workers=1,
        transport_factory=transport,
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(1),
    )

    assert report.counts == {Outcome.ACCEPTED: 6}
    assert clock.sleeps == [0.5] * 5
    assert clock() - start == pytest.approx(2.5)
