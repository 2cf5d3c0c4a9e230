"""Fault injection: interrupt sending at random points, re-run, and count what arrived.

Each trial (seeded) schedules random sink faults — 429 with reset, 500, slow answers past the
client timeout, "accept then drop" and "drop before accepting" — and crashes the run at random
steps, including between the API call and the ledger write. It re-runs until every message is
settled, then checks that every (cycle, agency, kind, round) has exactly one accepted ledger
row and exactly one mail received by the sink, whose id the ledger holds.
"""

from __future__ import annotations

import collections
import dataclasses
import random

import pytest
from mail_fixtures import FakeClock, World
from sqlalchemy import select

from dgops.db import Database
from dgops.mail import MailConfig, MailMessage, Outcome, OutgoingMessage, SendStatus, send_batch
from dgops_devtools import Fault, SinkServer

TRIALS = 24
STEPS = ("claimed", "http_returned", "accepted")
SETTLED = {Outcome.ACCEPTED, Outcome.ALREADY_ACCEPTED, Outcome.RECONCILED}


class Crash(Exception):
    """The process dies here."""


class CrashPlan:
    """Raise :class:`Crash` at chosen (global) step numbers."""

    def __init__(self, rng: random.Random, total_steps: int, crashes: int) -> None:
        self.at = set(rng.sample(range(total_steps), crashes))
        self.steps_seen = 0
        self.crashed: list[str] = []

    def __call__(self, step: str, _ledger_id: int) -> None:
        n = self.steps_seen
        self.steps_seen += 1
        if n in self.at:
            self.crashed.append(step)
            raise Crash(step)


def random_faults(rng: random.Random, n: int) -> list[Fault]:
    kinds = ["none"] * 6 + ["429", "500", "drop", "drop", "drop_before", "slow"]
    faults = []
    for _ in range(n):
        kind = rng.choice(kinds)
        faults.append(Fault(kind=kind, reset_after=0.0, delay=1.0))
    return faults


def messages_for(world: World) -> list[OutgoingMessage]:
    msgs = world.messages("invitation", 1)
    msgs += world.messages("reminder_test", 1)[:3]
    msgs += world.messages("invitation", 2)[:2]
    return msgs


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(TRIALS))
def test_should_deliver_exactly_once_despite_crashes_and_faults(
    seed: int,
    db: Database,
    config: MailConfig,
    world: World,
    sink: SinkServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    rng = random.Random(seed)
    clock = FakeClock()
    templates = _templates_with_reminder(config, tmp_path_factory)
    cfg = dataclasses.replace(config, timeout=0.5, templates_dir=templates, max_attempts=3)
    messages = messages_for(world)
    sink.set_faults(random_faults(rng, 3 * len(messages)))
    plan = CrashPlan(rng, total_steps=3 * len(messages), crashes=rng.randint(1, 4))

    runs = 0
    while True:
        runs += 1
        assert runs <= 25, "the batch never settled"
        try:
            report = send_batch(
                db,
                cfg,
                messages,
                workers=rng.choice([1, 2, 4]),
                clock=clock,
                sleep=clock.sleep,
                rng=random.Random(seed),
                on_step=plan,
            )
        except Crash:
            clock.advance(3600)  # the operator re-runs later
            continue
        if all(r.outcome in SETTLED for r in report.results):
            break
        clock.advance(3600)

    with db.begin() as s:
        rows = list(s.scalars(select(MailMessage)))
    received = collections.Counter(
        (
            m.custom_args["dgops_agency"],
            m.custom_args["dgops_kind"],
            m.custom_args["dgops_round"],
        )
        for m in sink.received()
    )
    expected = {(m.agency_code, m.kind, str(m.round)) for m in messages}
    assert set(received) == expected, "a message was lost"
    assert all(n == 1 for n in received.values()), f"duplicates: {received.most_common(3)}"
    assert len(rows) == len(messages)
    assert {r.status for r in rows} == {SendStatus.ACCEPTED}
    assert {r.sg_message_id for r in rows} == {m.x_message_id for m in sink.received()}
    print(  # the trial's story, shown with -s or in the report
        f"seed={seed} runs={runs} crashes={plan.crashed} faults={dict(sink.state.applied)}"
    )


def _templates_with_reminder(config: MailConfig, factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The shipped templates plus a tiny 'reminder_test' kind (a second kind in the batch)."""
    folder = factory.mktemp("templates")
    for f in config.templates_dir.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "reminder_test.subject.j2").write_text("แจ้งเตือน {{ agency_name }}", "utf-8")
    (folder / "reminder_test.html.j2").write_text("<p>แจ้งเตือน {{ agency_name }}</p>", "utf-8")
    (folder / "reminder_test.txt.j2").write_text("แจ้งเตือน {{ agency_name }}", "utf-8")
    return folder
