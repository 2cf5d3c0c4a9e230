"""Server-side sessions (only token hashes stored), CSRF tokens, login throttling (delays that
grow and expire, never a lock), known-device cookies, and the interface of password-reset links."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from dgops.credentials import CredentialPolicy, check_reset_token, redeem_reset_token
from dgops.credentials.models import PortalAccount
from dgops.db import record_audit
from dgops.web.config import WebConfig
from dgops.web.middleware import BodyTooLarge
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


# -- known devices ---------------------------------------------------------------------------


def _device_mac(account: PortalAccount, nonce: str) -> str:
    # Keyed by the account's password hash (secret, salted, server-side): a device mark cannot
    # be forged without the database, and every mark dies with a password change.
    key = (account.password_hash or "").encode("utf-8")
    return hmac.new(key, f"{account.username}|{nonce}".encode(), hashlib.sha256).hexdigest()[:40]


def device_mark(account: PortalAccount) -> str:
    """The value of the known-device cookie for a browser that just signed in to ``account``."""
    nonce = secrets.token_urlsafe(12)
    return f"{nonce}.{_device_mac(account, nonce)}"


def known_device(session: Session, username: str, mark: str | None) -> str | None:
    """The throttle key of this browser when ``mark`` is a valid device mark of ``username``'s
    account (it signed in there before with the current password), else None."""
    if not mark or len(mark) > 120 or "." not in mark or not username:
        return None
    nonce, mac = mark.split(".", 1)
    account = session.scalar(
        select(PortalAccount).where(PortalAccount.username == username.strip().upper())
    )
    if account is None or account.password_hash is None:
        return None
    if not same_token(mac, _device_mac(account, nonce)):
        return None
    return f"dev:{account.username}:{hash_token(mark)[:16]}"


# -- throttling ------------------------------------------------------------------------------


USER, ADDRESS, DEVICE = "user:", "addr:", "dev:"
"""Prefixes of the throttle keys: a username, a client address, a known browser."""


class LoginThrottler:
    """Slows repeated failed sign-ins with waits that grow and expire; it never locks.

    Failures are counted in ``LoginThrottle`` per key: the username (unknown ones exactly like
    known ones, so the throttle reveals nothing), the client address, and a known browser
    (:func:`known_device`). Once a key has had its ``max_failures_per_*`` failures, each
    failure makes the key wait ``throttle_base_delay``, doubled per further failure, at most
    ``throttle_max_delay``; a key's failures are forgotten ``throttle_forget_after`` after its
    last one. Who can make whom wait: anyone can slow a *username* down, so a browser that
    signed in to the account before is judged only by its own failures (an attacker elsewhere
    cannot keep the agency out), and a live session is never touched.
    """

    def __init__(self, config: WebConfig) -> None:
        self.config = config

    def keys(
        self, username: str | None, address: str, *, device: str | None = None
    ) -> dict[str, int]:
        """The throttle keys of an attempt and the free failures of each.

        ``device`` (from :func:`known_device`) replaces the username and address keys: a known
        browser waits only for its own failures. ``username`` None: only the address counts
        (activation codes and reset links are random and long; guessing them is hopeless).
        """
        if device is not None:
            return {device: self.config.max_failures_per_device}
        keys = {f"{ADDRESS}{address[:150]}": self.config.max_failures_per_address}
        if username is not None:
            keys[f"{USER}{username.strip().upper()[:150]}"] = self.config.max_failures_per_username
        return keys

    def wait(self, session: Session, keys: Mapping[str, int], *, now: dt.datetime) -> dt.timedelta:
        """How long the attempt must wait (zero when it may go ahead)."""
        rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(list(keys))))
        wait = dt.timedelta(0)
        for row in rows:
            if row.locked_until is not None:
                wait = max(wait, _utc(row.locked_until) - now)
        return wait

    def locked(self, session: Session, keys: Mapping[str, int], *, now: dt.datetime) -> bool:
        """True when the attempt must wait now."""
        return self.wait(session, keys, now=now) > dt.timedelta(0)

    def delay(self, failures_over: int) -> dt.timedelta:
        """The wait after the ``failures_over``-th failure counted from the limit (1: base)."""
        doubled = self.config.throttle_base_delay * (1 << min(max(failures_over - 1, 0), 30))
        return min(doubled, self.config.throttle_max_delay)

    def fail(self, session: Session, keys: Mapping[str, int], *, now: dt.datetime) -> None:
        """Count one failure on every key; a key past its free failures must wait."""
        for key, free in keys.items():
            row = session.get(LoginThrottle, key)
            if row is None:
                row = LoginThrottle(key=key, failures=0, window_start=now)
                session.add(row)
            elif now - _utc(row.window_start) > self.config.throttle_forget_after:
                row.failures = 0
                row.locked_until = None
            row.failures += 1
            row.window_start = now  # the last failure: forgetting counts from here
            if row.failures >= free:
                row.locked_until = now + self.delay(row.failures - free + 1)
        session.flush()

    def succeed(self, session: Session, keys: Mapping[str, int]) -> None:
        """Forget the username's or the device's failures after a successful sign-in (the
        address keeps its count: one right password does not excuse many wrong ones)."""
        for key in keys:
            if key.startswith((USER, DEVICE)):
                row = session.get(LoginThrottle, key)
                if row is not None:
                    session.delete(row)
        session.flush()


@dataclass(frozen=True)
class ThrottleEntry:
    """One throttle key for the operators' view."""

    kind: str
    """``username``, ``address``, ``device`` or ``locked account`` (an old permanent lock)."""
    who: str
    failures: int
    last_failure: dt.datetime | None
    wait_until: dt.datetime | None
    """None: not waiting now (failures are still counted)."""


_KINDS = {USER: "username", ADDRESS: "address", DEVICE: "device"}


def throttled(session: Session, *, now: dt.datetime, config: WebConfig) -> list[ThrottleEntry]:
    """Every key that waits or still counts failures, and accounts under an old permanent lock
    (``portal_account.locked_at``, set before delays replaced locks); forgotten keys are
    deleted on the way."""
    session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.window_start < now - config.throttle_forget_after)
        .execution_options(synchronize_session=False)
    )
    out: list[ThrottleEntry] = []
    for row in session.scalars(select(LoginThrottle).order_by(LoginThrottle.key)):
        prefix = next((p for p in _KINDS if row.key.startswith(p)), "")
        until = _utc(row.locked_until) if row.locked_until is not None else None
        out.append(
            ThrottleEntry(
                kind=_KINDS.get(prefix, "other"),
                who=row.key.removeprefix(prefix),
                failures=row.failures,
                last_failure=_utc(row.window_start),
                wait_until=until if until is not None and until > now else None,
            )
        )
    for account in session.scalars(
        select(PortalAccount)
        .where(PortalAccount.locked_at.is_not(None))
        .order_by(PortalAccount.username)
    ):
        out.append(
            ThrottleEntry(
                kind="locked account",
                who=account.username,
                failures=account.failed_attempts,
                last_failure=_utc(account.locked_at) if account.locked_at else None,
                wait_until=None,
            )
        )
    return out


def clear_throttle(session: Session, who: str | None, *, actor: str) -> int:
    """Let ``who`` (a username or a client address; None: everyone) sign in again at once.

    Deletes its throttle keys (a username's known browsers too) and lifts an old permanent
    lock of that account. Audited. Returns how many keys and locks were cleared.
    """
    condition: ColumnElement[bool]
    lock: ColumnElement[bool]
    if who is None:
        condition = LoginThrottle.key.is_not(None)
        lock = PortalAccount.locked_at.is_not(None)
    else:
        name = who.strip()
        upper = name.upper()
        condition = LoginThrottle.key.in_([f"{USER}{upper}", f"{ADDRESS}{name}"]) | (
            LoginThrottle.key.startswith(f"{DEVICE}{upper}:", autoescape=True)
        )
        lock = (PortalAccount.username == upper) & PortalAccount.locked_at.is_not(None)
    keys = session.execute(
        delete(LoginThrottle).where(condition).execution_options(synchronize_session=False)
    )
    unlocked = session.execute(
        update(PortalAccount)
        .where(lock)
        .values(locked_at=None, failed_attempts=0)
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(keys, "rowcount", 0) or 0) + int(getattr(unlocked, "rowcount", 0) or 0)
    record_audit(
        session,
        actor=actor,
        action="web_throttle_cleared",
        entity="login_throttle",
        entity_key=who or "*",
        details={"cleared": count},
    )
    return count


# -- password-reset links --------------------------------------------------------------------


class ResetTokens(Protocol):
    """The one-time password-reset links of ``dgops.credentials`` (issued and e-mailed by the
    operators' reset): ``check_reset_token`` finds the account of a live link without using it
    up, ``redeem_reset_token`` sets the new password and spends the link. Both raise
    ``CredentialError`` for an unknown, expired or used link, and ``redeem_reset_token``
    raises ``PasswordPolicyError`` for a weak password (the link stays usable)."""

    def check_reset_token(
        self, session: Session, token: str, *, now: dt.datetime | None = None
    ) -> PortalAccount:
        """The account of a live link (raises ``CredentialError`` otherwise)."""
        ...

    def redeem_reset_token(
        self,
        session: Session,
        token: str,
        new_password: str,
        *,
        policy: CredentialPolicy | None = None,
        now: dt.datetime | None = None,
    ) -> PortalAccount:
        """Set ``new_password`` and spend the link; returns the account."""
        ...


# -- request bodies --------------------------------------------------------------------------


async def bounded_form(request: Request, config: WebConfig) -> FormData:
    """The request's form within the ``WebConfig`` bounds on fields, files and field size;
    too many or too large raises :class:`BodyTooLarge` (the body itself is capped by
    ``BodyLimit`` while it streams)."""
    try:
        return await request.form(
            max_files=config.max_form_files,
            max_fields=config.max_form_fields,
            max_part_size=config.max_field_bytes,
        )
    except HTTPException as exc:  # Starlette's answer to a MultiPartException
        if exc.status_code == 400:
            raise BodyTooLarge from exc
        raise


class CredentialResetTokens:
    """The real :class:`ResetTokens`: the links of ``dgops.credentials``."""

    def check_reset_token(
        self, session: Session, token: str, *, now: dt.datetime | None = None
    ) -> PortalAccount:
        """The account of a live link (raises ``ResetTokenError`` otherwise)."""
        return check_reset_token(session, token, now=now)

    def redeem_reset_token(
        self,
        session: Session,
        token: str,
        new_password: str,
        *,
        policy: CredentialPolicy | None = None,
        now: dt.datetime | None = None,
    ) -> PortalAccount:
        """Set the new password and spend the link."""
        return redeem_reset_token(session, token, new_password, policy=policy, now=now)
