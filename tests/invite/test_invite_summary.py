"""invitation_summary: counts by ledger state, failures with reasons, pre-send problems."""

from __future__ import annotations

from invite_fixtures import CHEAP, World
from sqlalchemy import Engine, select

from dgops.db import Database
from dgops.invite import invitation_summary, invite_batch
from dgops.mail import MailConfig
from dgops.registry.models import Agency, ContactRole
from dgops.settings import Settings
from dgops_devtools import Fault, SinkServer


def test_should_count_invitations_by_state_with_reasons_and_problems(
    engine: Engine, world: World, sink: SinkServer, config: MailConfig, settings: Settings
) -> None:
    with Database(engine).begin() as session:
        agency = session.scalar(select(Agency).where(Agency.code == "D0004"))
        assert agency is not None
        next(c for c in agency.contacts if c.role == ContactRole.HEAD).title = ""
    sink.set_faults([Fault(kind="status", status=400)])
    invite_batch(Database(engine), settings, config, 2566, world.ids, policy=CHEAP, send_workers=1)

    with Database(engine).begin() as session:
        summary = invitation_summary(session, 2566, mail_config=config, settings=settings)

    assert summary.enrolled == 4
    assert summary.by_status["accepted"] == 2
    assert summary.by_status["failed"] == 1
    assert summary.by_status["not_started"] == 1
    assert [(f.status, f.error_code) for f in summary.attention] == [("failed", 400)]
    assert summary.attention[0].error
    assert [(p.agency_code, p.code) for p in summary.problems] == [("D0004", "no_head_title")]
    assert summary.as_dict()["problems"] == {"blocked:no_head_title": 1}
    assert not summary.complete


def test_should_be_complete_when_every_agency_was_accepted(
    engine: Engine, world: World, sink: SinkServer, config: MailConfig, settings: Settings
) -> None:
    invite_batch(Database(engine), settings, config, 2566, world.ids, policy=CHEAP)

    with Database(engine).begin() as session:
        summary = invitation_summary(session, 2566, mail_config=config, settings=settings)

    assert summary.complete
    assert summary.by_status["accepted"] == 4


def test_should_say_what_is_unsettled_leaving_out_agencies_not_in_the_run() -> None:
    from dgops.invite import InvitationSummary

    def summary(**by_status: int) -> InvitationSummary:
        counts = {"accepted": 0, "pending": 0, "sending": 0, "failed": 0, "held": 0}
        return InvitationSummary(2566, 5, counts | by_status, {})

    assert summary(accepted=3, not_started=2).unsettled == {}
    assert summary(accepted=1, failed=1, held=2, sending=1).unsettled == {
        "sending": 1,
        "failed": 1,
        "held": 2,
    }
    assert summary(pending=4).unsettled == {"pending": 4}
