"""The local sink answers like SendGrid: auth, validation, 202 + X-Message-Id, activity, faults."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from devtools_fixtures import API_KEY

from dgops_devtools import Fault, SinkServer, validate_send


def payload(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "personalizations": [
            {"to": [{"email": "a@example.go.th"}], "cc": [{"email": "b@example.go.th"}]}
        ],
        "from": {"email": "survey@dga.example.org"},
        "subject": "ทดสอบ",
        "content": [{"type": "text/plain", "value": "สวัสดี"}],
        "custom_args": {"dgops_key": "k1"},
    }
    body.update(over)
    return body


def call(url: str, method: str = "GET", body: Any = None, key: str | None = API_KEY):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_should_answer_202_with_a_message_id_and_an_empty_body(sink: SinkServer) -> None:
    status, headers, body = call(f"{sink.url}/v3/mail/send", "POST", payload())

    assert (status, body) == (202, b"")
    assert headers["X-Message-Id"] == sink.received()[0].x_message_id


def test_should_refuse_a_wrong_bearer_key_with_401(sink: SinkServer) -> None:
    status, _, body = call(f"{sink.url}/v3/mail/send", "POST", payload(), key="SG.wrong")

    assert status == 401
    assert json.loads(body)["errors"][0]["message"]
    assert sink.received() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"personalizations": []}, "personalizations"),
        ({"from": {"email": "not-an-address"}}, "from.email"),
        ({"subject": ""}, "subject"),
        ({"content": []}, "content"),
        (
            {"attachments": [{"filename": "a.pdf", "content": "***not base64***"}]},
            "attachments.0.content",
        ),
        ({"custom_args": {"n": 1}}, "custom_args"),
        ({"custom_args": {"big": "x" * 10_000}}, "custom_args"),
        (
            {"personalizations": [{"to": [{"email": f"p{i}@example.go.th"} for i in range(1001)]}]},
            "personalizations",
        ),
        (
            {
                "personalizations": [
                    {"to": [{"email": "a@x.go.th"}], "cc": [{"email": "A@x.go.th"}]}
                ]
            },
            "personalizations.0.cc",
        ),
    ],
)
def test_should_reject_malformed_payloads_like_sendgrid(change: dict[str, Any], field: str) -> None:
    errors = validate_send(payload(**change))

    assert field in [e["field"] for e in errors]


def test_should_answer_400_with_sendgrid_style_errors(sink: SinkServer) -> None:
    status, _, body = call(f"{sink.url}/v3/mail/send", "POST", payload(subject=""))

    assert status == 400
    assert json.loads(body)["errors"][0]["field"] == "subject"


def test_should_find_received_mail_by_custom_arg_in_email_activity(sink: SinkServer) -> None:
    call(f"{sink.url}/v3/mail/send", "POST", payload())
    query = urllib.parse.quote("unique_args['dgops_key']=\"k1\"")
    other = urllib.parse.quote("unique_args['dgops_key']=\"k2\"")

    _, _, found = call(f"{sink.url}/v3/messages?limit=10&query={query}")
    _, _, missing = call(f"{sink.url}/v3/messages?limit=10&query={other}")

    rows = json.loads(found)["messages"]
    assert [r["to_email"] for r in rows] == ["a@example.go.th", "b@example.go.th"]
    assert rows[0]["msg_id"].startswith(sink.received()[0].x_message_id + ".")
    assert json.loads(missing)["messages"] == []


def test_should_store_then_drop_the_connection_on_an_accept_then_drop_fault(
    sink: SinkServer,
) -> None:
    sink.set_faults([Fault(kind="drop")])

    with pytest.raises((ConnectionError, urllib.error.URLError)):
        call(f"{sink.url}/v3/mail/send", "POST", payload())

    assert len(sink.received()) == 1


def test_should_answer_429_with_a_reset_time_when_told(sink: SinkServer) -> None:
    sink.set_faults([Fault(kind="429", reset_after=30)])

    status, headers, _ = call(f"{sink.url}/v3/mail/send", "POST", payload())
    again, _, _ = call(f"{sink.url}/v3/mail/send", "POST", payload())

    assert status == 429
    assert int(headers["X-RateLimit-Reset"]) > 0
    assert again == 202
    assert len(sink.received()) == 1


def test_should_take_fault_schedules_over_http(sink: SinkServer) -> None:
    status, _, _ = call(
        f"{sink.url}/sink/faults", "POST", {"faults": [{"kind": "500"}], "activity": "forbidden"}
    )
    send_status, _, _ = call(f"{sink.url}/v3/mail/send", "POST", payload())
    activity_status, _, _ = call(f"{sink.url}/v3/messages?query=")

    assert (status, send_status, activity_status) == (200, 500, 403)


def test_should_write_each_mail_to_the_outbox_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with SinkServer(api_key=API_KEY, outbox=tmp_path / "outbox") as sink:
        call(f"{sink.url}/v3/mail/send", "POST", payload())

    files = list((tmp_path / "outbox").glob("*.json"))
    record = json.loads(files[0].read_text("utf-8"))
    assert record["subject"] == "ทดสอบ"
    assert record["payload"]["custom_args"] == {"dgops_key": "k1"}


class _Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _activity(url: str, query: str) -> tuple[int, dict[str, str], bytes]:
    return call(f"{url}/v3/messages?" + urllib.parse.urlencode({"query": query, "limit": 100}))


def test_should_model_activity_lag_rate_limit_or_queries_and_verified_senders() -> None:
    clock = _Clock()
    with SinkServer(
        api_key=API_KEY,
        clock=clock,
        activity_lag=60.0,
        activity_per_minute=2,
        verified_senders=frozenset({"survey@dga.example.org"}),
    ) as sink:
        refused = call(
            f"{sink.url}/v3/mail/send", "POST", payload(**{"from": {"email": "x@evil.example"}})
        )
        call(f"{sink.url}/v3/mail/send", "POST", payload())
        call(f"{sink.url}/v3/mail/send", "POST", payload(custom_args={"dgops_key": "k2"}))
        query = "unique_args['dgops_key']=\"k1\" OR unique_args['dgops_key']=\"k2\""
        too_early = _activity(sink.url, query)
        clock.now += 61
        listed = _activity(sink.url, query)
        _activity(sink.url, query)
        limited = _activity(sink.url, query)  # the third in one minute

    assert refused[0] == 403
    assert "verified Sender Identity" in refused[2].decode()
    assert json.loads(too_early[2])["messages"] == []
    rows = json.loads(listed[2])["messages"]
    assert len(rows) == 4  # two mails, one row per recipient
    assert limited[0] == 429
    assert int(limited[1]["X-RateLimit-Reset"]) == int(clock.now + 60)
