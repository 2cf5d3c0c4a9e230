"""The security headers of every dgops web page: the portal's and the dashboard's in Airflow.

One pure ASGI middleware (no per-request task, unlike ``BaseHTTPMiddleware``) adds the
Content-Security-Policy and friends; pages that carry agency data are never cached.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["FRAMED_CSP", "PORTAL_CSP", "SecurityHeaders", "content_security_policy"]


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
