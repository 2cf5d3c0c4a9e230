"""The SendGrid payload: one personalization, to/cc by role, attachment, args, sandbox."""

from __future__ import annotations

import base64
import dataclasses

from mail_fixtures import PDF, World

from dgops.mail import MailConfig, build_payload, render_email, route


def test_should_build_a_sendgrid_payload_with_letter_args_categories_and_sandbox(
    config: MailConfig, sqlite_world: World
) -> None:
    m = sqlite_world.messages()[0]
    sandbox = dataclasses.replace(config, sandbox=True)
    rendered = render_email(config.templates_dir, m.kind, m.context)

    p = build_payload(m, route(m, sandbox), rendered, sandbox, ledger_id=7, message_key="k")

    assert len(p["personalizations"]) == 1
    assert [r["email"] for r in p["personalizations"][0]["to"]] == [
        "head0@agency0.go.th",
        "cio0@agency0.go.th",
    ]
    assert [c["type"] for c in p["content"]] == ["text/plain", "text/html"]
    assert base64.b64decode(p["attachments"][0]["content"]) == PDF
    assert p["custom_args"]["dgops_message_id"] == "7"
    assert p["categories"] == ["dgops", "invitation"]
    assert p["mail_settings"] == {"sandbox_mode": {"enable": True}}
