"""Talking to SendGrid's HTTP API through the official ``sendgrid`` client.

Every failure is classified by what it means for exactly-once sending:

* :class:`RateLimited` and :class:`ServerError` — SendGrid did not take the message; retry.
* :class:`NotSent` — the request never reached SendGrid (connection refused); retry.
* :class:`Rejected` — a permanent 4xx; record the reason, never retry.
* :class:`Uncertain` — the request may have been taken (timeout, connection dropped before the
  answer); do not resend before asking Email Activity.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from python_http_client import exceptions as http_exc
from sendgrid import SendGridAPIClient

from dgops.mail.config import MailConfig

# The SendGrid client logs every request body at DEBUG: e-mails carry activation codes and
# password-reset links, so those lines must never reach a log, whatever level a task runs at.
logging.getLogger("python_http_client").setLevel(logging.WARNING)


class TransportError(Exception):
    """Base of the classified failures of one API call."""


class RateLimited(TransportError):
    """429: retry after ``reset_at`` (epoch seconds from ``X-RateLimit-Reset``, if given)."""

    def __init__(self, reset_at: float | None) -> None:
        super().__init__(f"rate limited (reset at {reset_at})")
        self.reset_at = reset_at


class ServerError(TransportError):
    """5xx: SendGrid failed; retry with backoff."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status}: {reason}")
        self.status = status
        self.reason = reason


class NotSent(TransportError):
    """The request surely did not reach SendGrid (e.g. connection refused)."""


class Uncertain(TransportError):
    """SendGrid may or may not have taken the message."""


class Rejected(TransportError):
    """A permanent 4xx (bad payload, bad key, forbidden): record it, do not retry."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status}: {reason}")
        self.status = status
        self.reason = reason


class ActivityUnavailable(TransportError):
    """The Email Activity API cannot be used (403/404: add-on not bought, key without scope)."""


@dataclass(frozen=True)
class ActivityMessage:
    """One row of Email Activity (``GET /v3/messages``)."""

    msg_id: str
    status: str
    to_email: str = ""


class MailTransport(Protocol):
    """What the sender needs from SendGrid; tests inject fakes."""

    def send(self, payload: dict[str, Any]) -> str:
        """POST /v3/mail/send; the X-Message-Id of a 202, else a :class:`TransportError`."""
        ...

    def find_by_custom_args(self, name: str, values: Sequence[str]) -> list[ActivityMessage]:
        """Email Activity rows (one per recipient) whose custom arg ``name`` is one of
        ``values``, in one request. Raises :class:`RateLimited` on 429."""
        ...


TransportFactory = Callable[[MailConfig], MailTransport]

ACTIVITY_LIMIT = 1000
"""Most rows one Email Activity request returns (SendGrid's maximum)."""


def activity_query(name: str, values: Sequence[str]) -> str:
    """``unique_args['name']="v1" OR unique_args['name']="v2" ...`` (the client URL-encodes it).

    Values are our own UUIDs; quotes are refused rather than escaped.
    """
    if any('"' in v or "'" in v for v in values) or "'" in name:
        raise ValueError("custom arg names and values for Email Activity must not contain quotes")
    return " OR ".join(f"unique_args['{name}']=\"{v}\"" for v in values)


def _reason(body: bytes | str | None) -> str:
    if not body:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return text[:500]
    errors = data.get("errors") if isinstance(data, dict) else None
    if isinstance(errors, list):
        parts = []
        for e in errors:
            if isinstance(e, dict):
                field = f"{e['field']}: " if e.get("field") else ""
                parts.append(f"{field}{e.get('message', '')}")
        return "; ".join(parts)[:500]
    return text[:500]


def _classify_http(err: http_exc.HTTPError) -> TransportError:
    status = int(err.status_code)
    reason = _reason(err.body) or str(err.reason)
    if status == 429:
        reset = err.headers.get("X-RateLimit-Reset") if err.headers else None
        try:
            reset_at = float(reset) if reset else None
        except ValueError:
            reset_at = None
        return RateLimited(reset_at)
    if status in (502, 504):
        # A gateway answered, not SendGrid's mail service: it may have taken the message.
        return Uncertain(f"HTTP {status}: {reason}")
    if status >= 500:
        return ServerError(status, reason)
    return Rejected(status, reason)


def _classify_network(err: BaseException) -> TransportError:
    if isinstance(err, urllib.error.URLError) and isinstance(err.reason, ConnectionRefusedError):
        return NotSent(f"connection refused: {err.reason}")
    if isinstance(err, ConnectionRefusedError):
        return NotSent(f"connection refused: {err}")
    return Uncertain(f"{type(err).__name__}: {err}")


class SendGridTransport:
    """:class:`MailTransport` on ``sendgrid.SendGridAPIClient`` with the configured host.

    One instance per thread: the client's header dict is shared state.
    """

    def __init__(self, config: MailConfig) -> None:
        self._config = config
        self._client = SendGridAPIClient(api_key=config.api_key, host=config.base_url)

    def __repr__(self) -> str:
        return f"SendGridTransport(base_url={self._config.base_url!r})"

    def send(self, payload: dict[str, Any]) -> str:
        try:
            response = self._client.client.mail.send.post(
                request_body=payload, timeout=self._config.timeout
            )
        except http_exc.HTTPError as err:
            raise _classify_http(err) from None
        except (OSError, http.client.HTTPException) as err:
            raise _classify_network(err) from None
        message_id = response.headers.get("X-Message-Id")
        if response.status_code == 200 and self._config.sandbox:
            # Sandbox mode: validated, not sent; SendGrid answers 200 and keeps no message.
            return str(message_id or f"sandbox-{uuid.uuid4().hex}")
        if response.status_code != 202:
            raise Uncertain(f"unexpected HTTP {response.status_code}")
        if not message_id:
            raise Uncertain("202 without X-Message-Id")
        return str(message_id)

    def find_by_custom_args(self, name: str, values: Sequence[str]) -> list[ActivityMessage]:
        if not self._config.activity_api:
            raise ActivityUnavailable("Email Activity API not configured")
        if not values:
            return []
        query = activity_query(name, values)
        try:
            response = self._client.client.messages.get(
                query_params={"query": query, "limit": ACTIVITY_LIMIT},
                timeout=self._config.timeout,
            )
        except http_exc.HTTPError as err:
            if int(err.status_code) in (401, 403, 404):
                raise ActivityUnavailable(
                    f"Email Activity API: HTTP {err.status_code} {_reason(err.body)}"
                ) from None
            raise _classify_http(err) from None
        except (OSError, http.client.HTTPException) as err:
            raise _classify_network(err) from None
        data = json.loads(response.body or b"{}")
        return [
            ActivityMessage(
                msg_id=str(m.get("msg_id", "")),
                status=str(m.get("status", "")),
                to_email=str(m.get("to_email", "")),
            )
            for m in data.get("messages", [])
        ]


def sendgrid_transport(config: MailConfig) -> MailTransport:
    """The default :data:`TransportFactory`."""
    return SendGridTransport(config)
