"""SendGrid's Event Webhook: a FastAPI router that verifies the signature on the raw body.

Mount :func:`create_webhook_router` in any FastAPI app, or run :func:`create_webhook_app`.
Configure SendGrid (Settings → Mail Settings → Event Webhook) with the endpoint URL, enable
"Signed Event Webhook Requests" and give dgops the verification key it shows.
"""

from __future__ import annotations

import binascii
import json
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from sendgrid.helpers.eventwebhook import EventWebhook
from starlette.concurrency import run_in_threadpool

from dgops.db import Database
from dgops.mail.events import IngestResult, ingest_events

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
DEFAULT_PATH = "/sendgrid/events"
MAX_BODY = 2 * 1024 * 1024
"""Largest request body read (SendGrid posts events in batches far smaller than this)."""


class SignatureError(ValueError):
    """The request is unsigned, wrongly signed or too old."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class SignatureVerifier:
    """Checks SendGrid's ECDSA P-256 signature over timestamp + raw body, and the timestamp age."""

    def __init__(
        self, public_key: str, *, max_age: float = 300.0, clock: Callable[[], float] = time.time
    ) -> None:
        self._webhook = EventWebhook(public_key.strip())
        self._max_age = max_age
        self._clock = clock

    def check_headers(self, signature: str | None, timestamp: str | None) -> None:
        """Raise :class:`SignatureError` unless both headers are present and the timestamp is
        recent: checked before the body is read, so unsigned requests cost nothing."""
        if not signature or not timestamp:
            raise SignatureError("unsigned request", 401)
        try:
            ts = int(timestamp)
        except ValueError:
            raise SignatureError("malformed timestamp", 403) from None
        if abs(self._clock() - ts) > self._max_age:
            raise SignatureError("timestamp too old or in the future", 403)

    def verify(self, body: bytes, signature: str | None, timestamp: str | None) -> None:
        """Raise :class:`SignatureError` unless ``body`` is signed, valid and recent."""
        self.check_headers(signature, timestamp)
        assert signature is not None
        assert timestamp is not None
        try:
            # The library joins timestamp + payload as text; decode, never re-serialise.
            payload = body.decode("utf-8")
            ok = self._webhook.verify_signature(payload, signature, timestamp)
        except (UnicodeDecodeError, binascii.Error, ValueError):
            ok = False
        if not ok:
            raise SignatureError("invalid signature", 403)


def create_webhook_router(
    db: Database,
    public_key: str,
    *,
    path: str = DEFAULT_PATH,
    max_age: float = 300.0,
    max_body: int = MAX_BODY,
    clock: Callable[[], float] = time.time,
) -> APIRouter:
    """A router with ``POST {path}`` that ingests signed SendGrid events idempotently.

    The signature headers are checked before the body is read, and the body is read only up
    to ``max_body`` bytes (413 beyond): an anonymous client cannot make it buffer megabytes.
    """
    verifier = SignatureVerifier(public_key, max_age=max_age, clock=clock)
    router = APIRouter()

    def _ingest(events: list[dict[str, Any]]) -> IngestResult:
        # One transaction per request: SendGrid retries the whole batch on any error.
        with db.begin() as session:
            return ingest_events(session, events)

    async def capped_body(request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_body:
            raise HTTPException(status_code=413, detail="request body too large")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_body:  # a lying or missing Content-Length
                raise HTTPException(status_code=413, detail="request body too large")
        return bytes(body)

    @router.post(path)
    async def sendgrid_events(request: Request) -> dict[str, int]:
        signature = request.headers.get(SIGNATURE_HEADER)
        timestamp = request.headers.get(TIMESTAMP_HEADER)
        try:
            verifier.check_headers(signature, timestamp)
            body = await capped_body(request)
            verifier.verify(body, signature, timestamp)
        except SignatureError as exc:
            raise HTTPException(status_code=exc.status, detail=str(exc)) from None
        try:
            events = json.loads(body)
        except ValueError:
            raise HTTPException(status_code=400, detail="body is not JSON") from None
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            raise HTTPException(status_code=400, detail="expected a JSON array of events")
        result = await run_in_threadpool(_ingest, events)
        return {
            "received": result.received,
            "stored": result.stored,
            "duplicates": result.duplicates,
            "unmatched": result.unmatched,
        }

    return router


def create_webhook_app(db: Database, public_key: str, **kwargs: Any) -> FastAPI:
    """A FastAPI application serving only the Event Webhook endpoint."""
    app = FastAPI(title="dgops SendGrid Event Webhook", docs_url=None, redoc_url=None)
    app.include_router(create_webhook_router(db, public_key, **kwargs))
    return app
