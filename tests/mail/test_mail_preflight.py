"""preflight reports unusable messages and recipients before anything is sent."""

from __future__ import annotations

import dataclasses

from mail_fixtures import World

from dgops.mail import MailConfig, Recipient, preflight
from dgops.registry.models import ContactRole


def codes(problems):  # type: ignore[no-untyped-def]
    return sorted((p.code, p.blocking) for p in problems)


def test_should_pass_well_formed_invitations(config: MailConfig, sqlite_world: World) -> None:
    assert preflight(sqlite_world.messages(), config) == []


def test_should_block_an_agency_without_a_usable_address(
    config: MailConfig, sqlite_world: World
) -> None:
    m = dataclasses.replace(
        sqlite_world.messages()[0],
        recipients=(Recipient("not an address", ContactRole.HEAD), Recipient("", ContactRole.CIO)),
    )

    assert codes(preflight([m], config)) == [("malformed_address", False), ("no_recipient", True)]


def test_should_drop_only_the_bad_recipient_when_others_remain(
    config: MailConfig, sqlite_world: World
) -> None:
    m = sqlite_world.messages()[0]
    m = dataclasses.replace(
        m, recipients=(*m.recipients, Recipient("x@@bad", ContactRole.BACKUP, "ก" * 150))
    )
    m2 = dataclasses.replace(
        sqlite_world.messages()[1],
        recipients=(Recipient("ok@agency1.go.th", ContactRole.CIO, "ข" * 150),),
    )

    assert codes(preflight([m, m2], config)) == [
        ("malformed_address", False),
        ("name_too_long", False),
    ]


def test_should_skip_addresses_on_the_correction_list(
    config: MailConfig, sqlite_world: World
) -> None:
    problems = preflight(
        sqlite_world.messages()[:1],
        config,
        suppressed={"HEAD0@agency0.go.th", "cio0@agency0.go.th"},
    )

    assert codes(problems) == [("on_correction_list", False)] * 2


def test_should_report_a_template_gap_and_a_duplicate(
    config: MailConfig, sqlite_world: World
) -> None:
    m = sqlite_world.messages()[0]
    gap = dataclasses.replace(sqlite_world.messages()[1], context={"agency_name": "x"})
    unknown = dataclasses.replace(sqlite_world.messages()[2], kind="no_such_kind")

    assert codes(preflight([m, m, gap, unknown], config)) == [
        ("duplicate", True),
        ("template", True),
        ("template", True),
    ]


def test_should_copy_the_coordinator_as_recipient_when_no_head_or_cio_exists(
    config: MailConfig, sqlite_world: World
) -> None:
    from dgops.mail import route

    m = dataclasses.replace(
        sqlite_world.messages()[0],
        recipients=(Recipient("coord@x.go.th", ContactRole.COORDINATOR),),
    )

    assert preflight([m], config) == []
    assert [r.email for r in route(m, config).to] == ["coord@x.go.th"]
