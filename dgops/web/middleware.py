"""The security middleware of dgops web pages: headers (the portal's and the dashboard's in
Airflow) and the body limit.

Pure ASGI middleware (no per-request task, unlike ``BaseHTTPMiddleware``): ``SecurityHeaders``
adds the Content-Security-Policy and friends, pages that carry agency data are never cached;
``BodyLimit`` caps every request body while it streams in, chunked or not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "FRAMED_CSP",
    "PORTAL_CSP",
    "TOO_LARGE",
    "BodyLimit",
    "BodyTooLarge",
    "SecurityHeaders",
    "content_security_policy",
]

TOO_LARGE = (
    "ข้อมูลที่ส่งมามีขนาดใหญ่เกินไป หรือมีช่องข้อมูลมากเกินไป กรุณากลับไปหน้าเดิม ลดขนาดไฟล์ หรือส่งไฟล์ทีละไฟล์ แล้วลองใหม่"
)
"""What the browser shows when a body is refused (HTTP 413)."""


def content_security_policy(frame_ancestors: str) -> str:
    """Everything from our own origin only; ``frame_ancestors`` says who may frame the page."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; "
        f"frame-ancestors {frame_ancestors}; base-uri 'none'; object-src 'none'"
    )


PORTAL_CSP = content_security_policy("'none'")
"""``dgops web``: never framed."""

FRAMED_CSP = content_security_policy("'self'")
"""The dashboard inside the Airflow UI, which frames it from the same origin."""


class SecurityHeaders:
    """Adds CSP, ``nosniff``, framing, referrer and (except under ``public_prefixes``, the
    static assets) ``Cache-Control: no-store`` to every HTTP response that has not set them."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        csp: str = PORTAL_CSP,
        frame_options: str = "DENY",
        public_prefixes: Sequence[str] = ("/static/", "/fonts/"),
    ) -> None:
        self.app = app
        self.csp = csp
        self.frame_options = frame_options
        self.public_prefixes = tuple(public_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        public = bool(self.public_prefixes) and path.startswith(self.public_prefixes)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", self.csp)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", self.frame_options)
                headers.setdefault("Referrer-Policy", "same-origin")
                if not public:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyTooLarge(Exception):
    """A request body (or one of its form fields) is larger than allowed; ``BodyLimit`` turns
    it into HTTP 413 when nothing has been sent yet."""


class BodyLimit:
    """Caps every request body at ``default`` bytes (``larger``: path prefix → bigger limit).

    A declared ``Content-Length`` over the limit is refused before the application runs; the
    bytes are also counted as they stream in, so a chunked body (no length) or a lying length
    stops at the limit instead of filling memory or spilling to disk. The refusal is a short
    Thai page (JSON for ``json_paths``).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        default: int,
        larger: Mapping[str, int] | None = None,
        json_paths: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.default = default
        self.larger = dict(larger or {})
        self.json_paths = tuple(json_paths)

    def limit_of(self, path: str) -> int:
        """The body limit of a request to ``path``."""
        for prefix, limit in self.larger.items():
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = self.limit_of(path)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and (not value.isdigit() or int(value) > limit):
                await self.refuse(path, send)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self.refuse(path, send)

    async def refuse(self, path: str, send: Send) -> None:
        """Answer 413 and close the connection (the rest of the body is never read)."""
        if path in self.json_paths:
            body = b'{"ok": false, "error": "too_large"}'
            kind = b"application/json"
        else:
            body = (
                '<!doctype html><html lang="th"><meta charset="utf-8">'
                f"<title>ข้อมูลใหญ่เกินไป</title><p>{TOO_LARGE}</p>"
                '<p><a href="/">กลับหน้าแรก</a></p></html>'
            ).encode()
            kind = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", kind),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
