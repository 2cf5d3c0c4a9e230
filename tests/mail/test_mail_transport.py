"""SendGridTransport classifies every outcome of the real client against the local sink."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from dgops.mail import MailConfig
from dgops.mail.transport import (
    ActivityUnavailable,
    NotSent,
    RateLimited,
    Rejected,
    SendGridTransport,
    ServerError,
    Uncertain,
)
from dgops_devtools import Fault, SinkServer

PAYLOAD = {
    "personalizations": [{"to": [{"email": "a@example.go.th"}]}],
    "from": {"email": "survey@dga.example.org"},
    "subject": "ทดสอบ",
    "content": [{"type": "text/plain", "value": "สวัสดี"}],
    "custom_args": {"dgops_key": "abc"},
}


def test_should_return_the_x_message_id_of_a_202(config: MailConfig, sink: SinkServer) -> None:
    assert SendGridTransport(config).send(PAYLOAD) == sink.received()[0].x_message_id


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(kind="429", reset_after=5), RateLimited),
        (Fault(kind="500"), ServerError),
        (Fault(kind="status", status=503), ServerError),
        (Fault(kind="status", status=504), Uncertain),
        (Fault(kind="drop"), Uncertain),
        (Fault(kind="drop_before"), Uncertain),
    ],
)
def test_should_classify_sendgrid_failures(
    config: MailConfig, sink: SinkServer, fault: Fault, error: type[Exception]
) -> None:
    sink.set_faults([fault])

    with pytest.raises(error):
        SendGridTransport(config).send(PAYLOAD)


def test_should_read_the_rate_limit_reset(config: MailConfig, sink: SinkServer) -> None:
    sink.set_faults([Fault(kind="429", reset_after=60)])

    with pytest.raises(RateLimited) as info:
        SendGridTransport(config).send(PAYLOAD)

    assert info.value.reset_at is not None
    assert info.value.reset_at > 1_600_000_000


def test_should_treat_a_timeout_as_uncertain(config: MailConfig, sink: SinkServer) -> None:
    sink.set_faults([Fault(kind="slow", delay=1.0)])
    quick = dataclasses.replace(config, timeout=0.2)

    with pytest.raises(Uncertain):
        SendGridTransport(quick).send(PAYLOAD)


def test_should_record_a_bad_request_as_a_permanent_rejection(
    config: MailConfig, sink: SinkServer
) -> None:
    with pytest.raises(Rejected) as info:
        SendGridTransport(config).send({**PAYLOAD, "subject": ""})

    assert info.value.status == 400
    assert "subject" in info.value.reason


def test_should_reject_a_wrong_key_permanently(config: MailConfig, sink: SinkServer) -> None:
    with pytest.raises(Rejected) as info:
        SendGridTransport(dataclasses.replace(config, api_key="SG.nope")).send(PAYLOAD)

    assert info.value.status == 401


def test_should_know_a_refused_connection_was_not_sent(config: MailConfig) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    closed = dataclasses.replace(config, base_url=f"http://127.0.0.1:{port}")

    with pytest.raises(NotSent):
        SendGridTransport(closed).send(PAYLOAD)


def test_should_find_a_message_by_its_unique_custom_arg(
    config: MailConfig, sink: SinkServer
) -> None:
    transport = SendGridTransport(config)
    xid = transport.send(PAYLOAD)

    found = transport.find_by_custom_args("dgops_key", ["abc"])
    missing = transport.find_by_custom_args("dgops_key", ["zzz"])

    assert [m.msg_id.split(".")[0] for m in found] == [xid]
    assert missing == []


@pytest.mark.parametrize("mode", ["forbidden", "not_found"])
def test_should_say_when_email_activity_is_unavailable(
    config: MailConfig, sink: SinkServer, mode: str
) -> None:
    sink.set_faults([], activity=mode)

    with pytest.raises(ActivityUnavailable):
        SendGridTransport(config).find_by_custom_args("dgops_key", ["abc"])


def test_should_not_query_email_activity_when_not_configured(config: MailConfig) -> None:
    with pytest.raises(ActivityUnavailable):
        SendGridTransport(dataclasses.replace(config, activity_api=False)).find_by_custom_args(
            "dgops_key", ["abc"]
        )


def test_should_keep_the_api_key_out_of_reprs(config: MailConfig) -> None:
    assert config.api_key not in repr(config)
    assert config.api_key not in repr(SendGridTransport(config))
