"""The Event Webhook: signed requests only, idempotent ingestion, status and correction list."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from mail_fixtures import World
from sqlalchemy import func, select

from dgops.db import Database
from dgops.mail import (
    DeliveryStatus,
    MailConfig,
    MailEvent,
    MailMessage,
    MailRecipient,
    list_corrections,
    preflight,
    send_batch,
)
from dgops.mail.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, create_webhook_app
from dgops_devtools import SinkServer

PATH = "/sendgrid/events"


class Client:
    """Posts to the app in-process through httpx's ASGI transport."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def post(
        self, path: str, content: bytes, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://dgops") as c:
                return await c.post(path, content=content, headers=headers or {})

        return asyncio.run(go())


@pytest.fixture
def client(db: Database, sink: SinkServer) -> Client:
    return Client(create_webhook_app(db, sink.state.public_key))


def signed(sink: SinkServer, events: list[dict[str, Any]], ts: int | None = None):
    body = json.dumps(events).encode()
    stamp = str(ts if ts is not None else int(time.time()))
    return body, {SIGNATURE_HEADER: sink.state.sign(body, stamp), TIMESTAMP_HEADER: stamp}


def sent_world(db: Database, config: MailConfig, world: World, n: int = 2) -> None:
    send_batch(db, config, world.messages()[:n])


def test_should_refuse_unsigned_requests(client: Client) -> None:
    assert client.post(PATH, content=b"[]").status_code == 401


def test_should_refuse_a_bad_signature(client: Client, sink: SinkServer) -> None:
    body, headers = signed(sink, [{"event": "delivered", "sg_event_id": "e1"}])

    response = client.post(PATH, content=body.replace(b"e1", b"e2"), headers=headers)

    assert response.status_code == 403


def test_should_refuse_an_old_timestamp(client: Client, sink: SinkServer) -> None:
    body, headers = signed(sink, [], ts=int(time.time()) - 3600)

    assert client.post(PATH, content=body, headers=headers).status_code == 403


def test_should_verify_the_raw_body_not_a_reserialisation(client: Client, sink: SinkServer) -> None:
    raw = b'[ {"event":"processed",  "sg_event_id":"x1", "email":"\\u0e01@a.go.th"} ]'
    stamp = str(int(time.time()))
    headers = {SIGNATURE_HEADER: sink.state.sign(raw, stamp), TIMESTAMP_HEADER: stamp}

    response = client.post(PATH, content=raw, headers=headers)

    assert response.status_code == 200
    assert response.json()["received"] == 1


def test_should_ingest_each_event_once_and_move_the_status_forward(
    client: Client, db: Database, config: MailConfig, world: World, sink: SinkServer
) -> None:
    sent_world(db, config, world, 1)
    delivered = sink.state.build_events("delivered")
    deferred = sink.state.build_events("deferred")  # arrives late, must not go backwards

    first = client.post(PATH, content=(b := signed(sink, delivered))[0], headers=b[1])
    repeat = client.post(PATH, content=b[0], headers=b[1])
    late = client.post(PATH, content=(d := signed(sink, deferred))[0], headers=d[1])

    assert first.json()["stored"] == len(delivered)
    assert repeat.json() == {
        "received": len(delivered),
        "stored": 0,
        "duplicates": len(delivered),
        "unmatched": 0,
    }
    assert late.status_code == 200
    with db.begin() as s:
        assert s.scalar(select(MailMessage.delivery_status)) == DeliveryStatus.DELIVERED
        assert s.scalar(select(func.count()).select_from(MailEvent)) == 2 * len(delivered)


def test_should_put_bounced_and_dropped_addresses_on_the_correction_list(
    client: Client, db: Database, config: MailConfig, world: World, sink: SinkServer
) -> None:
    sent_world(db, config, world, 2)
    events = sink.state.build_events("bounce", email="cio0@agency0.go.th")
    events += sink.state.build_events("dropped", email="coord1@agency1.go.th")

    body, headers = signed(sink, events)
    client.post(PATH, content=body, headers=headers)

    with db.begin() as s:
        corrections = list_corrections(s)
        problems = preflight(world.messages()[:2], config, session=s)
    assert {(c.email, c.agency_code, c.event) for c in corrections} == {
        ("cio0@agency0.go.th", "A000", "bounce"),
        ("coord1@agency1.go.th", "A001", "dropped"),
    }
    assert {(p.code, p.email) for p in problems} == {
        ("on_correction_list", "cio0@agency0.go.th"),
        ("on_correction_list", "coord1@agency1.go.th"),
    }


def test_should_post_signed_events_from_the_sink_to_a_live_webhook(
    db: Database, config: MailConfig, world: World, sink: SinkServer
) -> None:
    import threading

    import uvicorn

    app = create_webhook_app(db, sink.state.public_key)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        sent_world(db, config, world, 1)
        status = sink.emit(f"http://127.0.0.1:{port}{PATH}", "delivered")
    finally:
        server.should_exit = True
        thread.join(timeout=5)

    assert status == 200
    with db.begin() as s:
        assert s.scalar(select(MailMessage.delivery_status)) == DeliveryStatus.DELIVERED


def test_should_ignore_a_signed_event_of_another_database_sharing_the_account(
    client: Client, db: Database, config: MailConfig, world: World, sink: SinkServer
) -> None:
    sent_world(db, config, world, 1)
    with db.begin() as s:
        local = s.scalars(select(MailMessage)).one()
    # Staging's ledger also has a message 1: same dgops_message_id, its own key and SendGrid id.
    foreign = {
        "email": "stranger@elsewhere.go.th",
        "timestamp": int(time.time()),
        "event": "bounce",
        "type": "bounce",
        "reason": "550 5.1.1 no such user",
        "sg_event_id": "foreign-1",
        "sg_message_id": "STAGING123.filter0.0",
        "dgops_message_id": str(local.id),
        "dgops_key": "00000000-0000-4000-8000-000000000000",
    }

    body, headers = signed(sink, [foreign])
    response = client.post(PATH, content=body, headers=headers)

    assert response.json()["unmatched"] == 1
    with db.begin() as s:
        assert s.scalar(select(MailMessage.delivery_status)) is None
        assert s.scalar(select(func.count()).select_from(MailEvent)) == 0
        assert list_corrections(s) == []


def test_should_keep_status_per_recipient_and_not_correct_a_blocked_cc(
    client: Client, db: Database, config: MailConfig, world: World, sink: SinkServer
) -> None:
    sent_world(db, config, world, 1)
    events = sink.state.build_events("delivered", email="head0@agency0.go.th")
    events += sink.state.build_events(
        "bounce", email="coord0@agency0.go.th", reason="554 5.7.1 blocked by policy"
    )
    events[-1]["type"] = "blocked"

    body, headers = signed(sink, events)
    client.post(PATH, content=body, headers=headers)

    with db.begin() as s:
        statuses = dict(s.execute(select(MailRecipient.email, MailRecipient.status)).all())
        kinds = dict(s.execute(select(MailRecipient.email, MailRecipient.kind)).all())
        assert s.scalar(select(MailMessage.delivery_status)) == DeliveryStatus.DELIVERED
        assert list_corrections(s) == []
    assert statuses == {"head0@agency0.go.th": "delivered", "coord0@agency0.go.th": "blocked"}
    assert kinds == {"head0@agency0.go.th": "to", "coord0@agency0.go.th": "cc"}


def test_should_mark_the_message_bounced_only_when_no_to_recipient_got_it(
    client: Client, db: Database, config: MailConfig, world: World, sink: SinkServer
) -> None:
    sent_world(db, config, world, 1)
    events = sink.state.build_events("bounce", email="head0@agency0.go.th")
    events += sink.state.build_events("bounce", email="cio0@agency0.go.th")
    events += sink.state.build_events("delivered", email="coord0@agency0.go.th")

    body, headers = signed(sink, events)
    client.post(PATH, content=body, headers=headers)

    with db.begin() as s:
        assert s.scalar(select(MailMessage.delivery_status)) == DeliveryStatus.BOUNCED
        assert {c.email for c in list_corrections(s)} == {
            "head0@agency0.go.th",
            "cio0@agency0.go.th",
        }


class CountingReceive:
    """An ASGI ``receive`` that counts how often the app asks for the body."""

    def __init__(self, body: bytes, chunk: int = 64 * 1024) -> None:
        self.chunks = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
        self.calls = 0

    async def __call__(self) -> dict[str, Any]:
        self.calls += 1
        if self.chunks:
            data = self.chunks.pop(0)
            return {"type": "http.request", "body": data, "more_body": bool(self.chunks)}
        return {"type": "http.disconnect"}


def _raw_post(app: FastAPI, headers: dict[str, str], receive: CountingReceive) -> int:
    status: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1234),
        "server": ("dgops", 80),
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    return status[0]


def test_should_refuse_an_unsigned_request_without_reading_its_body(
    db: Database, sink: SinkServer
) -> None:
    app = create_webhook_app(db, sink.state.public_key)
    receive = CountingReceive(b"[" + b" " * 5_000_000 + b"]")

    status = _raw_post(app, {"content-type": "application/json"}, receive)

    assert status == 401
    assert receive.calls == 0


def test_should_cap_the_body_of_a_signed_request(db: Database, sink: SinkServer) -> None:
    app = create_webhook_app(db, sink.state.public_key, max_body=100_000)
    body = b"[" + b" " * 500_000 + b"]"
    stamp = str(int(time.time()))
    headers = {SIGNATURE_HEADER: sink.state.sign(body, stamp), TIMESTAMP_HEADER: stamp}
    declared = CountingReceive(body)
    undeclared = CountingReceive(body)

    with_length = _raw_post(app, {**headers, "content-length": str(len(body))}, declared)
    without_length = _raw_post(app, headers, undeclared)

    assert with_length == 413
    assert declared.calls == 0
    assert without_length == 413
    assert undeclared.calls < len(body) // (64 * 1024)  # stopped reading past the cap
