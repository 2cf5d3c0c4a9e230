"""Request bodies: the session is checked before a body is read, every body is capped while it
streams (chunked too), and forms are bounded in fields and field size.

These drive the ASGI application directly, so the test sees exactly how much of the body the
application pulled (a test client would send it all first).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from fastapi import FastAPI

from dgops.web import WebConfig
from tests.web.conftest import TestClient, World, survey_csrf

Message = dict[str, object]


class Sent:
    """A body that records what the application read, and the response it gave."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.read = 0
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = b""

    async def receive(self) -> Message:
        chunk = next(self.chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        self.read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])  # type: ignore[call-overload]
            raw = message.get("headers") or []
            self.headers = {k.decode(): v.decode() for k, v in raw}  # type: ignore[union-attr]
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")  # type: ignore[operator]


def _post(
    app: FastAPI,
    path: str,
    chunks: Iterator[bytes],
    *,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> Sent:
    sent = Sent(chunks)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            *(headers or []),
        ],
        "client": ("203.0.113.9", 4000),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(app(scope, sent.receive, sent.send))
    return sent


def _endless(chunk: bytes = b"a=" + b"x" * 65534) -> Iterator[bytes]:
    while True:
        yield chunk


def test_should_check_the_session_before_reading_any_body(world: World) -> None:
    app = world.app()
    for path in ("/survey/pillar/P1", "/survey/autosave", "/survey/submit", "/logout"):
        sent = _post(app, path, _endless())
        assert sent.read == 0, path
        assert sent.status in (303, 401), path


def test_should_stop_a_chunked_body_at_the_limit(world: World) -> None:
    config = WebConfig()
    app = world.app(config)
    sent = _post(app, "/login", _endless())  # no Content-Length, never ending
    assert sent.status == 413
    assert sent.read <= config.max_form_bytes + 65536
    assert "ใหญ่เกินไป" in sent.body.decode()


def test_should_refuse_a_declared_length_over_the_limit_unread(world: World) -> None:
    app = world.app()
    too_big = str(2 * 1024**3).encode()
    for path in ("/login", "/survey/pillar/P1", "/password/reset"):
        sent = _post(app, path, _endless(), headers=[(b"content-length", too_big)])
        assert (sent.status, sent.read) == (413, 0), path


def test_should_cap_a_signed_in_chunked_upload(
    clients: dict[str, TestClient], world: World
) -> None:
    config = WebConfig(max_upload_bytes=64 * 1024, uploads_per_request=2)
    app = world.app(config)
    cookie = "; ".join(f"{k}={v}" for k, v in clients["A"].cookies.items())
    boundary = b"dgopsboundary"
    head = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file:PLAN_FILE"; filename="big.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    )

    def body() -> Iterator[bytes]:
        yield head
        yield from _endless(b"0" * 65536)

    sent = _post(
        app,
        "/survey/pillar/P1",
        body(),
        headers=[
            (b"cookie", cookie.encode()),
            (b"content-type", b"multipart/form-data; boundary=" + boundary),
        ],
    )
    assert sent.status == 413
    assert sent.read <= config.max_upload_request_bytes + 65536 + len(head)


def test_should_refuse_too_many_or_too_large_fields_in_thai(
    clients: dict[str, TestClient], world: World
) -> None:
    c = clients["A"]
    token = survey_csrf(c)
    many = {"csrf_token": token, **{f"f{i}": "1" for i in range(WebConfig().max_form_fields + 1)}}
    r = c.post("/survey/autosave", data=many)
    assert r.status_code == 413
    assert r.json()["error"] == "too_large"
    huge = {"csrf_token": token, "_q": "NOTE", "NOTE": "ก" * (WebConfig().max_field_bytes // 2)}
    r = c.post("/survey/pillar/P1", data=huge)
    assert r.status_code == 413
    assert "ใหญ่เกินไป" in r.text
    assert c.get("/survey").status_code == 200  # the session is untouched
