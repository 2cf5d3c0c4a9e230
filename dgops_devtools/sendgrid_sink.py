"""A local SendGrid-compatible endpoint for the demo, tests and benchmarks.

It answers ``POST /v3/mail/send`` like SendGrid (bearer auth, payload validation, 400 with
``{"errors": [...]}``, 202 with ``X-Message-Id`` and an empty body), keeps what it received
(in memory, and as JSON files in an outbox folder), serves Email Activity queries
(``GET /v3/messages?query=unique_args['k']="v"``) from that, signs and posts Event Webhook
events with its own P-256 key, and injects faults on demand.

Control endpoints (no auth; the sink listens on 127.0.0.1):

* ``POST /sink/faults`` ``{"faults": [{"kind": "429", "reset_after": 2}, {"kind": "drop"}],
  "activity": "ok|forbidden|not_found", "append": false}`` — each send request takes the next
  fault (``count`` repeats one). Kinds: ``none``, ``429``, ``500`` (or any ``status``),
  ``slow`` (store, then answer after ``delay`` s), ``drop`` (store, then close the connection
  without answering: the accepted-but-unknown case), ``drop_before`` (close without storing).
* ``DELETE /sink/faults``; ``GET``/``DELETE /sink/messages``; ``GET /sink/public-key``;
* ``POST /sink/events/emit`` ``{"url": ..., "event": "delivered", "x_message_ids": [...],
  "email": ..., "reason": ...}`` — signed events for stored mails, posted to ``url``.
"""

from __future__ import annotations

import base64
import binascii
import collections
import contextlib
import datetime as dt
import hashlib
import json
import re
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from math import ceil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

# SendGrid's Event Webhook signature headers. The sink plays SendGrid, so it spells them itself
# (from SendGrid's documentation) rather than borrowing dgops' constants: a typo on either side
# then fails the tests instead of agreeing with itself.
SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"

MAX_RECIPIENTS = 1000
MAX_CUSTOM_ARGS_BYTES = 10_000
MAX_BODY_BYTES = 30 * 1024 * 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Fault:
    """One scheduled misbehaviour of ``POST /v3/mail/send``."""

    kind: str = "none"
    count: int = 1
    delay: float = 0.0
    reset_after: float = 1.0
    status: int = 500


@dataclass
class StoredMail:
    """A mail the sink accepted (attachment bytes summarised, not kept in memory)."""

    x_message_id: str
    received_at: float
    from_email: str
    subject: str
    to: list[str]
    cc: list[str]
    custom_args: dict[str, str]
    categories: list[str]
    text: str
    html: str
    attachments: list[dict[str, Any]]
    sandbox: bool = False
    reply_to: str = ""
    tracking_settings: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "x_message_id": self.x_message_id,
            "received_at": self.received_at,
            "from": self.from_email,
            "subject": self.subject,
            "to": self.to,
            "cc": self.cc,
            "custom_args": self.custom_args,
            "categories": self.categories,
            "attachments": self.attachments,
            "sandbox": self.sandbox,
            "reply_to": self.reply_to,
            "tracking_settings": self.tracking_settings,
        }


def _err(message: str, field_name: str | None = None) -> dict[str, Any]:
    return {"message": message, "field": field_name, "help": None}


def validate_send(payload: Any) -> list[dict[str, Any]]:
    """SendGrid-style validation errors of a mail/send body (empty when it is acceptable)."""
    if not isinstance(payload, dict):
        return [_err("The request body must be a JSON object.")]
    errors: list[dict[str, Any]] = []
    template = bool(payload.get("template_id"))
    pers = payload.get("personalizations")
    if not isinstance(pers, list) or not pers:
        errors.append(_err("The personalizations field is required.", "personalizations"))
        pers = []
    total = 0
    subjects_everywhere = bool(pers)
    for i, p in enumerate(pers):
        if not isinstance(p, dict):
            errors.append(_err("Each personalization must be an object.", f"personalizations.{i}"))
            continue
        seen: set[str] = set()
        if not p.get("to"):
            errors.append(
                _err(
                    "The to array is required for all personalization objects.",
                    f"personalizations.{i}.to",
                )
            )
        for kind in ("to", "cc", "bcc"):
            items = p.get(kind) or []
            if not isinstance(items, list):
                errors.append(
                    _err(f"The {kind} field must be an array.", f"personalizations.{i}.{kind}")
                )
                continue
            for j, r in enumerate(items):
                email = r.get("email") if isinstance(r, dict) else None
                if not isinstance(email, str) or not _EMAIL.match(email):
                    errors.append(
                        _err(
                            "Does not contain a valid address.",
                            f"personalizations.{i}.{kind}.{j}.email",
                        )
                    )
                    continue
                total += 1
                if email.lower() in seen:
                    errors.append(
                        _err(
                            "Each email address in the personalization block should be unique "
                            "between to, cc, and bcc.",
                            f"personalizations.{i}.{kind}",
                        )
                    )
                seen.add(email.lower())
        if not p.get("subject"):
            subjects_everywhere = False
        errors += _check_custom_args(p.get("custom_args"), f"personalizations.{i}.custom_args")
    if total > MAX_RECIPIENTS or len(pers) > MAX_RECIPIENTS:
        errors.append(
            _err(
                "The personalizations field can't contain more than 1000 recipients.",
                "personalizations",
            )
        )
    sender = payload.get("from")
    if not isinstance(sender, dict) or not _EMAIL.match(str(sender.get("email", ""))):
        errors.append(_err("The from object must be provided for every email send.", "from.email"))
    if not template and not payload.get("subject") and not subjects_everywhere:
        errors.append(
            _err(
                "The subject is required. You can get around this requirement if you "
                "use a template with a subject defined or if every personalization "
                "has a subject defined.",
                "subject",
            )
        )
    reply_to = payload.get("reply_to")
    if reply_to is not None and (
        not isinstance(reply_to, dict) or not _EMAIL.match(str(reply_to.get("email", "")))
    ):
        errors.append(_err("The reply_to email does not contain a valid address.", "reply_to"))
    content = payload.get("content")
    if not template:
        if not isinstance(content, list) or not content:
            errors.append(
                _err(
                    "Unless a valid template_id is provided, the content parameter is required.",
                    "content",
                )
            )
        else:
            for i, c in enumerate(content):
                if not isinstance(c, dict) or not c.get("type") or not c.get("value"):
                    errors.append(
                        _err("Content must have a type and a non-empty value.", f"content.{i}")
                    )
            types = [c.get("type") for c in content if isinstance(c, dict)]
            if "text/plain" in types and types[0] != "text/plain":
                errors.append(_err("If present, text/plain content must be first.", "content"))
    for i, a in enumerate(payload.get("attachments") or []):
        if not isinstance(a, dict) or not a.get("filename"):
            errors.append(_err("The attachment filename is required.", f"attachments.{i}.filename"))
            continue
        try:
            base64.b64decode(str(a.get("content", "")), validate=True)
        except (binascii.Error, ValueError):
            errors.append(
                _err("The attachment content must be base64 encoded.", f"attachments.{i}.content")
            )
        if not a.get("content"):
            errors.append(_err("The attachment content is required.", f"attachments.{i}.content"))
    errors += _check_custom_args(payload.get("custom_args"), "custom_args")
    cats = payload.get("categories") or []
    if (
        not isinstance(cats, list)
        or len(cats) > 10
        or not all(isinstance(c, str) and len(c) <= 255 for c in cats)
    ):
        errors.append(
            _err("Categories: at most 10 strings of at most 255 characters.", "categories")
        )
    return errors


def _check_custom_args(args: Any, where: str) -> list[dict[str, Any]]:
    if args is None:
        return []
    if not isinstance(args, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in args.items()
    ):
        return [_err("Custom args must be an object of strings.", where)]
    if len(json.dumps(args).encode()) >= MAX_CUSTOM_ARGS_BYTES:
        return [_err("Custom args must be less than 10,000 bytes.", where)]
    return []


def _parse_query(query: str) -> list[list[tuple[str, str, str]]] | None:
    """``a AND b OR c`` → [[a, b], [c]] (OR of ANDs) of (field, op, value); None if unknown.

    Terms: ``unique_args['k']="v"``, ``msg_id="..."`` (and ``to_email``, ``from_email``,
    ``subject``, ``status``), ``msg_id LIKE 'x%'``.
    """
    alternatives = []
    for alternative in re.split(r"\s+OR\s+", query.strip(), flags=re.IGNORECASE):
        terms = []
        for part in re.split(r"\s+AND\s+", alternative.strip(), flags=re.IGNORECASE):
            part = part.strip().strip("()").strip()
            if m := re.fullmatch(r"unique_args\['([^']+)'\]\s*=\s*\"([^\"]*)\"", part):
                terms.append(("unique_args:" + m[1], "=", m[2]))
            elif m := re.fullmatch(
                r"(msg_id|to_email|from_email|subject|status)\s*=\s*\"([^\"]*)\"", part
            ):
                terms.append((m[1], "=", m[2]))
            elif m := re.fullmatch(r"msg_id\s+LIKE\s+'([^'%]*)%'", part, flags=re.IGNORECASE):
                terms.append(("msg_id", "prefix", m[1]))
            else:
                return None
        alternatives.append(terms)
    return alternatives


UNVERIFIED_SENDER = (
    "The from address does not match a verified Sender Identity. Mail cannot be sent until "
    "this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/"
    "sender-identity/ to see the Sender Identity requirements"
)
"""SendGrid's 403 answer to a ``from`` address that is not a verified sender."""


class SinkState:
    """What the sink received, its fault schedule and its signing key (thread-safe)."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        outbox: Path | None = None,
        activity_lag: float = 0.0,
        activity_per_minute: int | None = None,
        verified_senders: frozenset[str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.api_key = api_key
        self.activity_lag = activity_lag
        """Seconds before an accepted mail shows in Email Activity (SendGrid takes minutes)."""
        self.activity_per_minute = activity_per_minute
        """Email Activity requests allowed per minute (None: no limit); more get 429."""
        self.verified_senders = (
            None if verified_senders is None else frozenset(e.lower() for e in verified_senders)
        )
        """``from`` addresses SendGrid would accept (None: any); others get 403."""
        self.clock = clock
        self.activity_requests: list[float] = []
        """When each Email Activity request arrived (the rate-limit window)."""
        self.outbox = outbox
        if outbox is not None:
            outbox.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()
        self.mails: list[StoredMail] = []
        self.faults: collections.deque[Fault] = collections.deque()
        self.activity = "ok"
        self.requests = 0
        self.applied: collections.Counter[str] = collections.Counter()
        """How many send requests met each fault kind ("none" included)."""
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        der = self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_key = base64.b64encode(der).decode("ascii")
        """The verification key, as SendGrid shows it (base64 DER, no PEM armour)."""
        self.auto_events_url: str | None = None
        self.auto_events: tuple[str, ...] = ("processed", "delivered")

    # -- faults -------------------------------------------------------------------------------
    def set_faults(
        self, faults: list[Fault], *, activity: str | None = None, append: bool = False
    ) -> None:
        with self.lock:
            if not append:
                self.faults.clear()
            self.faults.extend(faults)
            if activity is not None:
                self.activity = activity

    def next_fault(self) -> Fault:
        with self.lock:
            self.requests += 1
            if not self.faults:
                self.applied["none"] += 1
                return Fault()
            fault = self.faults[0]
            self.applied[fault.kind] += 1
            fault.count -= 1
            if fault.count <= 0:
                self.faults.popleft()
            return fault

    # -- mail -----------------------------------------------------------------------------------
    def store(self, payload: dict[str, Any]) -> StoredMail:
        xid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        p0 = payload["personalizations"][0]
        args = dict(payload.get("custom_args") or {})
        args.update(p0.get("custom_args") or {})
        content = {c.get("type"): c.get("value", "") for c in payload.get("content") or []}
        attachments = []
        for a in payload.get("attachments") or []:
            raw = base64.b64decode(a["content"])
            attachments.append(
                {
                    "filename": a["filename"],
                    "type": a.get("type", ""),
                    "size": len(raw),
                    "sha256": hashlib.sha256(raw).hexdigest(),
                }
            )
        mail = StoredMail(
            x_message_id=xid,
            received_at=self.clock(),
            from_email=payload["from"]["email"],
            subject=str(p0.get("subject") or payload.get("subject") or ""),
            to=[r["email"] for p in payload["personalizations"] for r in p.get("to") or []],
            cc=[r["email"] for p in payload["personalizations"] for r in p.get("cc") or []],
            custom_args=args,
            categories=list(payload.get("categories") or []),
            text=content.get("text/plain", ""),
            html=content.get("text/html", ""),
            attachments=attachments,
            sandbox=bool(
                ((payload.get("mail_settings") or {}).get("sandbox_mode") or {}).get("enable")
            ),
            reply_to=str((payload.get("reply_to") or {}).get("email", "")),
            tracking_settings=dict(payload.get("tracking_settings") or {}),
        )
        with self.lock:
            self.mails.append(mail)
        if self.outbox is not None:
            stamp = dt.datetime.fromtimestamp(mail.received_at, dt.UTC).strftime("%Y%m%dT%H%M%S")
            record = {**mail.summary(), "text": mail.text, "html": mail.html, "payload": payload}
            (self.outbox / f"{stamp}-{xid}.json").write_text(
                json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        return mail

    def received(self) -> list[StoredMail]:
        with self.lock:
            return list(self.mails)

    def activity_reset_at(self) -> float | None:
        """Record one Email Activity request; when over the limit, the epoch second the
        window frees a slot (the request is then refused)."""
        if self.activity_per_minute is None:
            return None
        now = self.clock()
        with self.lock:
            self.activity_requests = [t for t in self.activity_requests if t > now - 60.0]
            if len(self.activity_requests) >= self.activity_per_minute:
                return self.activity_requests[0] + 60.0
            self.activity_requests.append(now)
            return None

    def clear(self) -> None:
        with self.lock:
            self.mails.clear()

    def activity_rows(
        self, alternatives: list[list[tuple[str, str, str]]], limit: int
    ) -> list[dict[str, Any]]:
        rows = []
        listed_before = self.clock() - self.activity_lag
        for mail in self.received():
            if mail.sandbox:
                continue  # SendGrid does not keep sandbox mail
            if mail.received_at > listed_before:
                continue  # not indexed yet: Email Activity lags behind mail/send
            for i, email in enumerate(mail.to + mail.cc):
                row = {
                    "from_email": mail.from_email,
                    "msg_id": f"{mail.x_message_id}.sink{i}.0",
                    "subject": mail.subject,
                    "to_email": email,
                    "status": "delivered",
                    "opens_count": 0,
                    "clicks_count": 0,
                    "last_event_time": dt.datetime.fromtimestamp(mail.received_at, dt.UTC).strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    ),
                }
                if any(all(_match(mail, row, t) for t in terms) for terms in alternatives):
                    rows.append(row)
        return rows[:limit]

    # -- events ---------------------------------------------------------------------------------
    def build_events(
        self,
        event: str,
        *,
        x_message_ids: list[str] | None = None,
        email: str | None = None,
        reason: str = "",
    ) -> list[dict[str, Any]]:
        out = []
        for mail in self.received():
            if x_message_ids is not None and mail.x_message_id not in x_message_ids:
                continue
            for i, addr in enumerate(mail.to + mail.cc):
                if email is not None and addr.lower() != email.lower():
                    continue
                ev: dict[str, Any] = {
                    "email": addr,
                    "timestamp": int(time.time()),
                    "event": event,
                    "sg_event_id": secrets.token_urlsafe(16),
                    "sg_message_id": f"{mail.x_message_id}.sink{i}.0",
                    "smtp-id": f"<{mail.x_message_id}@sink.local>",
                    "category": mail.categories,
                    **mail.custom_args,
                }
                if event in ("bounce", "dropped", "deferred"):
                    ev["reason"] = (
                        reason
                        or {
                            "bounce": "550 5.1.1 The email account does not exist",
                            "dropped": "Bounced Address",
                            "deferred": "421 4.7.0 Try again later",
                        }[event]
                    )
                if event == "bounce":
                    ev["type"] = "bounce"
                out.append(ev)
        return out

    def sign(self, body: bytes, timestamp: str) -> str:
        sig = self.private_key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return base64.b64encode(sig).decode("ascii")

    def post_events(
        self, url: str, events: list[dict[str, Any]], *, timestamp: str | None = None
    ) -> int:
        """POST ``events`` to ``url`` signed with the sink's key; the HTTP status."""
        body = json.dumps(events).encode("utf-8")
        ts = timestamp or str(int(time.time()))
        req = urllib.request.Request(  # noqa: S310 - the operator's own webhook URL
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                SIGNATURE_HEADER: self.sign(body, ts),
                TIMESTAMP_HEADER: ts,
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)


def _match(mail: StoredMail, row: dict[str, Any], term: tuple[str, str, str]) -> bool:
    name, op, value = term
    if name.startswith("unique_args:"):
        return mail.custom_args.get(name.split(":", 1)[1]) == value
    actual = str(row.get(name, ""))
    return actual.startswith(value) if op == "prefix" else actual == value


class _Handler(BaseHTTPRequestHandler):
    server: _SinkHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    # -- helpers ------------------------------------------------------------------------------
    def _send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        body = b"" if data is None else json.dumps(data, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _authorised(self) -> bool:
        auth = self.headers.get("Authorization", "")
        key = self.server.state.api_key
        ok = auth.startswith("Bearer ") and len(auth) > 7
        if ok and key:
            ok = secrets.compare_digest(auth[7:], key)
        if not ok:
            self._send_json(
                401,
                {
                    "errors": [
                        _err("The provided authorization grant is invalid, expired, or revoked")
                    ]
                },
            )
        return ok

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    # -- routes -------------------------------------------------------------------------------
    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path == "/v3/mail/send":
            self._mail_send()
        elif path == "/sink/faults":
            self._set_faults()
        elif path == "/sink/events/emit":
            self._emit()
        else:
            self._body()
            self._send_json(404, {"errors": [_err("not found")]})

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        state = self.server.state
        if url.path == "/v3/messages":
            self._activity(parse_qs(url.query))
        elif url.path == "/sink/messages":
            self._send_json(200, {"messages": [m.summary() for m in state.received()]})
        elif url.path == "/sink/public-key":
            self._send_json(200, {"public_key": state.public_key})
        elif url.path == "/healthz":
            self._send_json(200, {"ok": True, "received": len(state.received())})
        else:
            self._send_json(404, {"errors": [_err("not found")]})

    def do_DELETE(self) -> None:
        path = urlsplit(self.path).path
        if path == "/sink/faults":
            self.server.state.set_faults([], activity="ok")
            self._send_json(200, {"ok": True})
        elif path == "/sink/messages":
            self.server.state.clear()
            self._send_json(200, {"ok": True})
        else:
            self._send_json(404, {"errors": [_err("not found")]})

    def _mail_send(self) -> None:
        raw = self._body()
        if not self._authorised():
            return
        state = self.server.state
        if len(raw) > MAX_BODY_BYTES:
            self._send_json(413, {"errors": [_err("Payload too large (30 MB).")]})
            return
        try:
            payload = json.loads(raw)
        except ValueError:
            self._send_json(400, {"errors": [_err("Bad Request: body is not JSON")]})
            return
        errors = validate_send(payload)
        if errors:
            self._send_json(400, {"errors": errors})
            return
        sender = str(payload["from"]["email"]).lower()
        if state.verified_senders is not None and sender not in state.verified_senders:
            self._send_json(403, {"errors": [_err(UNVERIFIED_SENDER, "from")]})
            return
        fault = state.next_fault()
        if fault.kind == "429":
            reset = int(time.time() + fault.reset_after)
            self._send_json(
                429,
                {"errors": [_err("too many requests")]},
                {
                    "X-RateLimit-Limit": "600",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": str(reset),
                },
            )
            return
        if fault.kind in ("500", "status"):
            self._send_json(
                fault.status if fault.kind == "status" else 500,
                {"errors": [_err("Internal server error (injected)")]},
            )
            return
        if fault.kind == "drop_before":
            self._drop()
            return
        mail = state.store(payload)
        if fault.kind == "drop":
            self._drop()
            return
        if fault.kind == "slow":
            time.sleep(fault.delay)
        if mail.sandbox:
            self._send_json(200, None)
        else:
            self._send_json(202, None, {"X-Message-Id": mail.x_message_id})
        if state.auto_events_url and not mail.sandbox:
            url = state.auto_events_url
            threading.Thread(
                target=self._auto_events, args=(url, mail.x_message_id), daemon=True
            ).start()

    def _auto_events(self, url: str, xid: str) -> None:
        state = self.server.state
        for event in state.auto_events:
            try:
                state.post_events(url, state.build_events(event, x_message_ids=[xid]))
            except OSError:
                return

    def _activity(self, params: dict[str, list[str]]) -> None:
        if not self._authorised():
            return
        state = self.server.state
        if state.activity == "forbidden":
            self._send_json(403, {"errors": [_err("access forbidden")]})
            return
        if state.activity == "not_found":
            self._send_json(404, {"errors": [_err("resource not found")]})
            return
        reset_at = state.activity_reset_at()
        if reset_at is not None:
            self._send_json(
                429,
                {"errors": [_err("too many requests")]},
                {
                    "X-RateLimit-Limit": str(state.activity_per_minute),
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": str(ceil(reset_at)),
                },
            )
            return
        terms = _parse_query(params.get("query", [""])[0]) if params.get("query") else [[]]
        if terms is None:
            self._send_json(400, {"errors": [_err("invalid query", "query")]})
            return
        try:
            limit = min(1000, max(1, int(params.get("limit", ["10"])[0])))
        except ValueError:
            limit = 10
        self._send_json(200, {"messages": state.activity_rows(terms, limit)})

    def _set_faults(self) -> None:
        try:
            data = json.loads(self._body() or b"{}")
            faults = [Fault(**f) for f in data.get("faults", [])]
        except (ValueError, TypeError) as exc:
            self._send_json(400, {"errors": [_err(f"bad fault schedule: {exc}")]})
            return
        self.server.state.set_faults(
            faults, activity=data.get("activity"), append=bool(data.get("append"))
        )
        self._send_json(200, {"ok": True, "scheduled": len(self.server.state.faults)})

    def _emit(self) -> None:
        try:
            data = json.loads(self._body() or b"{}")
            url = str(data["url"])
        except (ValueError, KeyError):
            self._send_json(400, {"errors": [_err('need {"url": ..., "event": ...}')]})
            return
        state = self.server.state
        events = data.get("events") or state.build_events(
            str(data.get("event", "delivered")),
            x_message_ids=data.get("x_message_ids"),
            email=data.get("email"),
            reason=str(data.get("reason", "")),
        )
        status = state.post_events(url, events)
        self._send_json(200, {"posted": len(events), "status": status})


class _SinkHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: SinkState) -> None:
        super().__init__(address, _Handler)
        self.state = state


@dataclass
class SinkServer:
    """The sink on a background thread: ``with SinkServer() as sink: sink.url``.

    ``port=0`` picks a free port.
    """

    host: str = "127.0.0.1"
    port: int = 0
    api_key: str | None = None
    outbox: Path | None = None
    activity_lag: float = 0.0
    activity_per_minute: int | None = None
    verified_senders: frozenset[str] | None = None
    clock: Callable[[], float] = time.time
    state: SinkState = field(init=False)
    _server: _SinkHTTPServer | None = field(default=None, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.state = SinkState(
            api_key=self.api_key,
            outbox=self.outbox,
            activity_lag=self.activity_lag,
            activity_per_minute=self.activity_per_minute,
            verified_senders=self.verified_senders,
            clock=self.clock,
        )

    @property
    def url(self) -> str:
        assert self._server is not None, "sink not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SinkServer:
        self._server = _SinkHTTPServer((self.host, self.port), self.state)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="dgops-sendgrid-sink",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def serve_forever(self) -> None:
        """Run in the foreground (the CLI) until interrupted."""
        self._server = _SinkHTTPServer((self.host, self.port), self.state)
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def __enter__(self) -> SinkServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_faults(self, faults: list[Fault], *, activity: str | None = None) -> None:
        self.state.set_faults(faults, activity=activity)

    def received(self) -> list[StoredMail]:
        return self.state.received()

    def emit(self, url: str, event: str, **kwargs: Any) -> int:
        """Post signed ``event`` events (for all mails, or ``x_message_ids``/``email``)."""
        return self.state.post_events(url, self.state.build_events(event, **kwargs))


def main(argv: list[str] | None = None) -> None:
    """``python -m dgops_devtools.sendgrid_sink --port 8025 [--outbox DIR] [--api-key KEY]``."""
    import argparse

    parser = argparse.ArgumentParser(description="Local SendGrid-compatible mail sink")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--outbox", type=Path)
    parser.add_argument("--api-key")
    args = parser.parse_args(argv)
    sink = SinkServer(host=args.host, port=args.port, api_key=args.api_key, outbox=args.outbox)
    print(f"sink listening on http://{args.host}:{args.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        sink.serve_forever()


if __name__ == "__main__":
    main()
