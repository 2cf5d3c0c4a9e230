"""invite_batch in groups: each group's codes committed before its e-mails leave, the next
group's codes already hashing while the current group renders and sends."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from invite_fixtures import CHEAP, World, delivered_letters, login_in
from sqlalchemy import Engine, func, select

from dgops.credentials import ActivationResult, CodePipeline, verify_activation
from dgops.credentials.models import ActivationCodeRow
from dgops.db import Database
from dgops.invite import invite_batch
from dgops.mail import MailConfig, MailMessage
from dgops.settings import Settings
from dgops_devtools import SinkServer


def test_should_hash_the_next_group_while_this_one_renders_and_sends(
    engine: Engine,
    world: World,
    sink: SinkServer,
    config: MailConfig,
    settings: Settings,
) -> None:
    db = Database(engine)
    seen: list[tuple[str, int, int]] = []
    codes = CodePipeline(CHEAP.activation_profile, workers=2)

    def watch(step: str, _id: int) -> None:
        if step in ("issued", "rendered"):
            with db.begin() as s:
                committed = s.scalar(select(func.count()).select_from(ActivationCodeRow))
            seen.append((step, int(committed or 0), codes.pending))

    with codes:
        report = invite_batch(
            db,
            settings,
            config,
            2566,
            world.ids,
            policy=CHEAP,
            group_size=3,
            codes=codes,
            on_step=watch,
        )

    assert report.counts["issued"] == report.counts["accepted"] == 4
    # Group 1 (3 agencies) committed alone before its mail; the last agency's code was
    # already prepared (hashing) before group 1 rendered; group 2 prepares nothing more.
    assert seen == [("issued", 3, 1), ("rendered", 3, 1), ("issued", 4, 0), ("rendered", 4, 0)]
    assert Counter(m.custom_args["dgops_agency"] for m in sink.received()) == dict.fromkeys(
        world.codes, 1
    )
    with db.begin() as s:
        assert set(s.scalars(select(MailMessage.status))) == {"accepted"}


def test_should_make_codes_that_verify_when_a_shared_pipeline_spans_batches(
    engine: Engine,
    world: World,
    sink: SinkServer,
    outbox: Path,
    config: MailConfig,
    settings: Settings,
) -> None:
    db = Database(engine)
    with CodePipeline(CHEAP.activation_profile, workers=2) as codes:
        first = invite_batch(
            db, settings, config, 2566, world.ids[:2], policy=CHEAP, codes=codes, group_size=1
        )
        second = invite_batch(
            db, settings, config, 2566, world.ids[2:], policy=CHEAP, codes=codes, group_size=1
        )

    assert first.counts["accepted"] + second.counts["accepted"] == 4
    letters = delivered_letters(outbox)
    with db.begin() as s:
        assert s.scalar(select(func.count()).select_from(ActivationCodeRow)) == 4
        for code in world.codes:
            username, activation = login_in(letters[code][0])
            assert verify_activation(s, username, activation, policy=CHEAP) == (ActivationResult.OK)
