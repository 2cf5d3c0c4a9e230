"""plan_invitations: who is invited, in which batches, and what is reported before sending."""

from __future__ import annotations

import pytest
from invite_fixtures import World
from sqlalchemy import Engine, select

from dgops.cycles import CycleError
from dgops.db import Database
from dgops.invite import MAX_BATCHES, make_batches, plan_invitations
from dgops.mail import MailConfig, MailCorrection, MailMessage, SendStatus
from dgops.registry.models import Agency, Contact, ContactRole
from dgops.settings import Settings


def _plan(engine: Engine, config: MailConfig, settings: Settings, **kw: object):  # type: ignore[no-untyped-def]
    with Database(engine).begin() as session:
        return plan_invitations(session, 2566, mail_config=config, settings=settings, **kw)  # type: ignore[arg-type]


def _contact(session, code: str, role: ContactRole) -> Contact:  # type: ignore[no-untyped-def]
    agency = session.scalar(select(Agency).where(Agency.code == code))
    return next(c for c in agency.contacts if c.role == role)


def test_should_batch_every_enrolled_active_agency(
    engine: Engine, world: World, config: MailConfig, settings: Settings
) -> None:
    plan = _plan(engine, config, settings, batch_size=3)

    assert [len(b) for b in plan.batches] == [3, 1]
    assert sorted(i for b in plan.batches for i in b) == sorted(world.ids)
    assert plan.counts["to_send"] == 4
    assert plan.problems == ()
    assert set(plan.ledger.values()) == {"none"}


def test_should_plan_only_the_asked_agencies_and_report_unknown_codes(
    engine: Engine, world: World, config: MailConfig, settings: Settings
) -> None:
    plan = _plan(engine, config, settings, agency_codes=["D0002", "X9999"])

    assert plan.batches == ((world.ids[1],),)
    assert plan.unknown_codes == ("X9999",)
    assert [p.code for p in plan.problems] == ["unknown_agency"]


def test_should_exclude_and_report_agencies_that_cannot_be_invited(
    engine: Engine, world: World, config: MailConfig, settings: Settings
) -> None:
    with Database(engine).begin() as session:
        for c in session.scalar(select(Agency).where(Agency.code == "D0001")).contacts:  # type: ignore[union-attr]
            c.email = None  # no usable e-mail at all
        _contact(session, "D0002", ContactRole.HEAD).title = ""  # no salutation
        _contact(session, "D0003", ContactRole.CIO).email = "cio3@@dept3"  # malformed
        _contact(session, "D0003", ContactRole.HEAD).name = "ก" * 120  # over-long name
        bounced = _contact(session, "D0004", ContactRole.HEAD).email or ""
        session.add(MailCorrection(email=bounced, event="bounce", reason="550 no such user"))

    plan = _plan(engine, config, settings)

    found = {(p.agency_code, p.code, p.blocking) for p in plan.problems}
    assert found == {
        ("D0001", "no_recipient", True),
        ("D0002", "no_head_title", True),
        ("D0003", "malformed_address", False),
        ("D0003", "name_too_long", False),
        ("D0004", "on_correction_list", False),
    }
    assert sorted(i for b in plan.batches for i in b) == world.ids[2:]
    assert plan.counts["blocked"] == 2
    assert plan.problem_counts()["blocked:no_recipient"] == 1


def test_should_leave_accepted_and_held_invitations_out_of_the_batches(
    engine: Engine, world: World, config: MailConfig, settings: Settings
) -> None:
    with Database(engine).begin() as session:
        for agency_id, status, key in (
            (world.ids[0], SendStatus.ACCEPTED, "k1"),
            (world.ids[1], SendStatus.HELD, "k2"),
            (world.ids[2], SendStatus.SENDING, "k3"),
        ):
            session.add(
                MailMessage(
                    cycle_id=world.cycle_id,
                    agency_id=agency_id,
                    kind="invitation",
                    round=1,
                    message_key=key,
                    status=status,
                )
            )

    plan = _plan(engine, config, settings)

    assert plan.batches == ((world.ids[2], world.ids[3]),)  # sending: to reconcile first
    assert plan.counts["already_accepted"] == 1
    assert plan.counts["held"] == 1
    assert plan.counts["uncertain"] == 1


def test_should_keep_ids_and_counts_only_in_the_xcom_form(
    engine: Engine, world: World, config: MailConfig, settings: Settings
) -> None:
    xcom = _plan(engine, config, settings).as_xcom()

    assert set(xcom) == {"cycle_year", "batches", "counts", "problems"}
    assert xcom["batches"] == [world.ids]


def test_should_refuse_an_unknown_cycle(
    engine: Engine, world: World, config: MailConfig, settings: Settings
) -> None:
    with Database(engine).begin() as session, pytest.raises(CycleError):
        plan_invitations(session, 2599, mail_config=config, settings=settings)


def test_should_never_make_more_than_the_maximum_number_of_batches() -> None:
    batches = make_batches(list(range(10_001)), 50)

    assert len(batches) <= MAX_BATCHES
    assert sum(len(b) for b in batches) == 10_001
    assert make_batches(list(range(250)), 100) == (
        tuple(range(100)),
        tuple(range(100, 200)),
        tuple(range(200, 250)),
    )
