"""One-time password-reset links: issued to an account, stored hashed, redeemed once.

The plaintext token exists only in the string :func:`issue_reset_token` returns (for the
e-mail); the database keeps its SHA-256. A token carries 256 random bits, so a fast hash is
enough and lets a link be found by its hash. Issuing a new token revokes the account's earlier
ones; redeeming one sets the new password, and revokes every other live token and activation
code of the account.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dgops.credentials.models import ActivationCodeRow, PasswordResetToken, PortalAccount
from dgops.credentials.service import (
    CredentialError,
    CredentialPolicy,
    PasswordPolicyError,
    password_problems,
)
from dgops.db import record_audit

RESET_PATH = "/password/reset"
"""Where the portal serves the reset page; the link is ``{portal_url}{RESET_PATH}?token=...``."""
DEFAULT_RESET_TTL = dt.timedelta(minutes=60)
TOKEN_BYTES = 32


class ResetTokenProblem(enum.StrEnum):
    """Why a reset link cannot be used (show the agency one plain message for all)."""

    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"


class ResetTokenError(CredentialError):
    """The reset link is unknown, revoked, expired or already used; ``problem`` says which."""

    def __init__(self, problem: ResetTokenProblem) -> None:
        super().__init__(f"reset link {problem.value}")
        self.problem = problem


def token_hash(token: str) -> str:
    """The stored form of a reset token (SHA-256, hex)."""
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def reset_link(portal_url: str, token: str) -> str:
    """The link an e-mail carries: ``{portal_url}/password/reset?token=<token>``."""
    return f"{portal_url.rstrip('/')}{RESET_PATH}?token={quote(token, safe='')}"


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def issue_reset_token(
    session: Session,
    account: PortalAccount,
    ttl: dt.timedelta = DEFAULT_RESET_TTL,
    *,
    actor: str = "dgops",
    now: dt.datetime | None = None,
) -> str:
    """A new one-time reset token for ``account``, valid for ``ttl``; earlier ones are revoked.

    Returns the plaintext token, once: only its hash is stored.
    """
    if ttl <= dt.timedelta(0):
        raise ValueError("ttl must be positive")
    now = now or dt.datetime.now(dt.UTC)
    session.execute(
        update(PasswordResetToken)
        .where(
            PasswordResetToken.account_id == account.id,
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        PasswordResetToken(
            account_id=account.id,
            token_hash=token_hash(token),
            issued_at=now,
            issued_by=actor,
            expires_at=now + ttl,
        )
    )
    session.flush()
    return token


def _live_row(session: Session, token: str, now: dt.datetime) -> PasswordResetToken:
    row = session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token))
    )
    if row is None or row.revoked_at is not None:
        raise ResetTokenError(ResetTokenProblem.INVALID)
    if row.used_at is not None:
        raise ResetTokenError(ResetTokenProblem.USED)
    if _utc(row.expires_at) <= now:
        raise ResetTokenError(ResetTokenProblem.EXPIRED)
    return row


def check_reset_token(
    session: Session, token: str, *, now: dt.datetime | None = None
) -> PortalAccount:
    """The account a live reset token belongs to, without using it up (to show the form).

    Raises :class:`ResetTokenError` when the link cannot be used.
    """
    row = _live_row(session, token, now or dt.datetime.now(dt.UTC))
    account = session.get(PortalAccount, row.account_id)
    assert account is not None  # the foreign key cascades
    return account


def redeem_reset_token(
    session: Session,
    token: str,
    new_password: str,
    *,
    policy: CredentialPolicy | None = None,
    now: dt.datetime | None = None,
) -> PortalAccount:
    """Use a reset token: store the argon2id hash of ``new_password`` and spend the token.

    Raises :class:`ResetTokenError` for an unusable link, :class:`PasswordPolicyError` for a
    weak password (the link stays usable then). On success the account is unlocked, its other
    reset tokens and unused activation codes are revoked, and the change is audited. The
    caller ends the account's open sessions (the portal owns them).
    """
    policy = policy or CredentialPolicy()
    now = now or dt.datetime.now(dt.UTC)
    row = _live_row(session, token, now)
    account = session.get(PortalAccount, row.account_id)
    assert account is not None
    problems = password_problems(new_password, account.username, policy)
    if problems:
        raise PasswordPolicyError(problems)
    # Spend the token with a guarded update so two concurrent redemptions cannot both win.
    spent = session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise ResetTokenError(ResetTokenProblem.USED)
    session.execute(
        update(PasswordResetToken)
        .where(
            PasswordResetToken.account_id == account.id,
            PasswordResetToken.id != row.id,
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(ActivationCodeRow)
        .where(
            ActivationCodeRow.account_id == account.id,
            ActivationCodeRow.used_at.is_(None),
            ActivationCodeRow.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    account.password_hash = policy.password_profile.hasher().hash(new_password)
    account.password_set_at = now
    account.failed_attempts = 0
    account.locked_at = None
    record_audit(
        session,
        actor=account.username,
        action="password_reset_redeemed",
        entity="portal_account",
        entity_key=account.username,
        cycle_id=account.cycle_id,
        details={"token_id": row.id},
    )
    session.flush()
    return account
