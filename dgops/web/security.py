"""Server-side sessions (only token hashes stored), CSRF tokens and login throttling."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dgops.credentials.models import PortalAccount
from dgops.web.config import WebConfig
from dgops.web.models import LoginThrottle, WebSession


def new_token() -> str:
    """A fresh random token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a session token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_token(a: str | None, b: str | None) -> bool:
    """Constant-time equality of two tokens; a missing token never matches."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite gives back naive datetimes; everything stored is UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass(frozen=True)
class Principal:
    """Who is signed in: one portal account, hence one agency in one cycle."""

    session_id: int
    account_id: int
    username: str
    agency_id: int
    cycle_id: int
    csrf_token: str

    def __repr__(self) -> str:
        return f"Principal(username={self.username!r}, agency_id={self.agency_id})"


AGENCY = "agency"
"""The role of a portal account's session (staff sessions have their own roles)."""


def create_session(
    session: Session,
    *,
    account_id: int | None,
    role: str,
    now: dt.datetime,
    config: WebConfig,
) -> str:
    """Start a session (an agency's ``account_id``, or ``None`` for staff); returns the token
    for the cookie (stored only hashed) and lasts ``config.session_ttl``."""
    token = new_token()
    session.add(
        WebSession(
            token_hash=hash_token(token),
            account_id=account_id,
            role=role,
            csrf_token=new_token(),
            created_at=now,
            last_seen_at=now,
            expires_at=now + config.session_ttl,
        )
    )
    session.flush()
    return token


def live_session(
    session: Session, token: str | None, *, role: str, now: dt.datetime, config: WebConfig
) -> tuple[WebSession, PortalAccount | None] | None:
    """The live session of ``token`` with ``role`` and its portal account (None for staff).

    None when the token is unknown, of another role, revoked, expired or idle, or its account
    is locked or has no password. ``last_seen_at`` is written at most every ``touch_every``.
    """
    if not token or len(token) > 200:
        return None
    row = session.execute(
        select(WebSession, PortalAccount)
        .outerjoin(PortalAccount, PortalAccount.id == WebSession.account_id)
        .where(WebSession.token_hash == hash_token(token), WebSession.role == role)
    ).first()
    if row is None:
        return None
    web, account = row
    if web.revoked_at is not None or _utc(web.expires_at) <= now:
        return None
    if now - _utc(web.last_seen_at) > config.idle_timeout:
        return None
    if account is not None and (account.locked_at is not None or account.password_hash is None):
        return None
    if now - _utc(web.last_seen_at) >= config.touch_every:
        web.last_seen_at = now
        session.flush()
    return web, account


def load_session(
    session: Session, token: str | None, *, now: dt.datetime, config: WebConfig
) -> Principal | None:
    """The principal of a live agency session token, or None (see :func:`live_session`)."""
    found = live_session(session, token, role=AGENCY, now=now, config=config)
    if found is None:
        return None
    web, account = found
    if account is None:
        return None
    return Principal(
        session_id=web.id,
        account_id=account.id,
        username=account.username,
        agency_id=account.agency_id,
        cycle_id=account.cycle_id,
        csrf_token=web.csrf_token,
    )


def revoke_session(session: Session, token: str | None, *, now: dt.datetime) -> None:
    """End the session of ``token`` (logout); unknown tokens are ignored."""
    if not token:
        return
    session.execute(
        update(WebSession)
        .where(WebSession.token_hash == hash_token(token), WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def revoke_account_sessions(session: Session, account_ids: list[int], *, now: dt.datetime) -> int:
    """End every live session of these accounts (after a password reset); returns how many."""
    if not account_ids:
        return 0
    result = session.execute(
        update(WebSession)
        .where(WebSession.account_id.in_(account_ids), WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


class LoginThrottler:
    """Counts failed sign-ins per username and per client address in ``LoginThrottle``.

    A key with too many failures inside the window is locked for ``throttle_lock``. Unknown
    usernames are counted exactly like known ones, so the throttle reveals nothing.
    """

    def __init__(self, config: WebConfig) -> None:
        self.config = config

    def keys(self, username: str, address: str) -> dict[str, int]:
        """The throttle keys of an attempt and the failures each may have."""
        user = username.strip().upper()[:150]
        return {
            f"user:{user}": self.config.max_failures_per_username,
            f"addr:{address[:150]}": self.config.max_failures_per_address,
        }

    def locked(self, session: Session, keys: dict[str, int], *, now: dt.datetime) -> bool:
        """True when any key is locked now."""
        rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(list(keys))))
        return any(r.locked_until is not None and _utc(r.locked_until) > now for r in rows)

    def fail(self, session: Session, keys: dict[str, int], *, now: dt.datetime) -> None:
        """Count one failure on every key; lock the keys that reach their limit."""
        for key, limit in keys.items():
            row = session.get(LoginThrottle, key)
            if row is None:
                row = LoginThrottle(key=key, failures=0, window_start=now)
                session.add(row)
            elif now - _utc(row.window_start) > self.config.throttle_window:
                row.failures = 0
                row.window_start = now
            row.failures += 1
            if row.failures >= limit:
                row.locked_until = now + self.config.throttle_lock
                row.failures = 0
                row.window_start = now
        session.flush()

    def succeed(self, session: Session, keys: dict[str, int]) -> None:
        """Forget the username's failures after a successful sign-in (the address keeps its)."""
        for key in keys:
            if key.startswith("user:"):
                row = session.get(LoginThrottle, key)
                if row is not None:
                    session.delete(row)
        session.flush()
