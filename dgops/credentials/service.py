"""Issuing, verifying and revoking portal credentials (usernames, activation codes, passwords)."""

from __future__ import annotations

import datetime as dt
import enum
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.orm import Session

from dgops.credentials.codes import (
    ACTIVATION_PROFILE,
    PASSWORD_PROFILE,
    ActivationCode,
    CodePipeline,
    HashProfile,
    new_activation_code,
    normalise_code,
    verify_hash,
)
from dgops.credentials.models import ActivationCodeRow, PortalAccount
from dgops.cycles.models import SurveyCycle
from dgops.db import record_audit
from dgops.registry.models import Agency
from dgops.thai import BANGKOK

log = logging.getLogger(__name__)

COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password12",
        "password123",
        "p@ssw0rd",
        "p@ssw0rd123",
        "passw0rd123",
        "1234567890",
        "0123456789",
        "12345678910",
        "1111111111",
        "0000000000",
        "qwertyuiop",
        "qwerty12345",
        "qwerty123456",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "abc1234567",
        "abcd123456",
        "iloveyou12",
        "admin12345",
        "administrator",
        "welcome123",
        "letmein123",
        "changeme123",
        "dga1234567",
        "thailand123",
        "bangkok123",
    }
)
"""A small list of passwords seen first in breach lists (compared in lower case)."""


class CredentialError(ValueError):
    """A credential operation cannot be done as asked (never carries a code or password)."""


class PasswordPolicyError(CredentialError):
    """A proposed password breaks the strength rules; ``reasons`` lists them (in Thai)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class ActivationResult(enum.StrEnum):
    """Outcome of :func:`verify_activation` (show the agency only ok / not ok)."""

    OK = "ok"
    INVALID = "invalid"
    EXPIRED = "expired"
    LOCKED = "locked"


@dataclass(frozen=True)
class CredentialPolicy:
    """How credentials are made and checked; inject a cheap ``HashProfile`` in tests."""

    activation_profile: HashProfile = ACTIVATION_PROFILE
    password_profile: HashProfile = PASSWORD_PROFILE
    max_failed_attempts: int | None = None
    """Lock the account (until an operator resets it) after this many failures; None: never
    (the portal slows repeated failures with expiring waits instead, ``dgops.web``)."""
    code_ttl: dt.timedelta | None = None
    """None: codes expire at the end of the cycle's deadline day (Bangkok time)."""
    late_ttl: dt.timedelta = dt.timedelta(days=14)
    """Lifetime of a code issued after the deadline (late entrants, extensions)."""
    username_prefix: str = "DG"
    min_password_length: int = 10
    hash_workers: int = 2


@dataclass(frozen=True)
class IssuedCredential:
    """A credential just issued; ``code`` is the only copy of the plaintext."""

    agency_id: int
    agency_code: str
    username: str
    code: ActivationCode
    expires_at: dt.datetime


@dataclass(frozen=True)
class IssueReport:
    """What :func:`issue_credentials` did; safe to print and log (no codes)."""

    issued: list[IssuedCredential] = field(repr=False)
    skipped: int
    revoked: int
    seconds: float

    @property
    def rate(self) -> float:
        """Credentials issued per second (hashing and writing)."""
        return len(self.issued) / self.seconds if self.seconds > 0 else 0.0


def make_username(cycle: SurveyCycle, agency: Agency, prefix: str = "DG") -> str:
    """``DG66-D0001``: prefix, the last two digits of the BE year, the agency code."""
    return f"{prefix}{cycle.year_be % 100:02d}-{agency.code}".upper()


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def default_expiry(cycle: SurveyCycle, policy: CredentialPolicy, now: dt.datetime) -> dt.datetime:
    """When a code issued ``now`` expires under ``policy``."""
    if policy.code_ttl is not None:
        return now + policy.code_ttl
    end = dt.datetime.combine(cycle.deadline, dt.time(23, 59, 59), tzinfo=BANGKOK)
    end_utc = end.astimezone(dt.UTC)
    return end_utc if end_utc > now else now + policy.late_ttl


def issue_credentials(
    session: Session,
    cycle: SurveyCycle,
    agencies: Sequence[Agency],
    *,
    actor: str,
    policy: CredentialPolicy | None = None,
    reissue: bool = False,
    now: dt.datetime | None = None,
    codes: CodePipeline | None = None,
) -> IssueReport:
    """Give each agency a username and a fresh activation code for ``cycle``, in bulk.

    Agencies that already hold a live code are skipped unless ``reissue`` is true; then their
    old codes are revoked. Only argon2id hashes are written. The returned report carries the
    plaintext codes for letter and e-mail production; nothing else ever sees them.
    ``codes``: a :class:`CodePipeline` whose codes were hashed ahead (with
    ``policy.activation_profile``); without one they are made and hashed here.
    """
    policy = policy or CredentialPolicy()
    now = now or dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    expires = default_expiry(cycle, policy, now)

    by_agency = {
        acc.agency_id: acc
        for acc in session.scalars(
            select(PortalAccount).where(
                PortalAccount.cycle_id == cycle.id,
                PortalAccount.agency_id.in_([a.id for a in agencies]),
            )
        )
    }
    live = set(
        session.scalars(
            select(ActivationCodeRow.account_id).where(
                ActivationCodeRow.account_id.in_([a.id for a in by_agency.values()]),
                ActivationCodeRow.revoked_at.is_(None),
                ActivationCodeRow.used_at.is_(None),
                ActivationCodeRow.expires_at > now,
            )
        )
    )
    targets: list[Agency] = []
    skipped = 0
    for agency in agencies:
        account = by_agency.get(agency.id)
        if account is not None and account.id in live and not reissue:
            skipped += 1
            continue
        targets.append(agency)

    missing = [a for a in targets if a.id not in by_agency]
    if missing:
        session.execute(
            insert(PortalAccount),
            [
                {
                    "cycle_id": cycle.id,
                    "agency_id": a.id,
                    "username": make_username(cycle, a, policy.username_prefix),
                    "failed_attempts": 0,
                    "created_at": now,
                }
                for a in missing
            ],
        )
        for acc in session.scalars(
            select(PortalAccount).where(
                PortalAccount.cycle_id == cycle.id,
                PortalAccount.agency_id.in_([a.id for a in missing]),
            )
        ):
            by_agency[acc.agency_id] = acc

    account_ids = [by_agency[a.id].id for a in targets]
    revoked = 0
    if account_ids:
        result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(ActivationCodeRow)
            .where(
                ActivationCodeRow.account_id.in_(account_ids),
                ActivationCodeRow.revoked_at.is_(None),
                ActivationCodeRow.used_at.is_(None),
            )
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
        revoked = result.rowcount
        session.execute(
            update(PortalAccount)
            .where(PortalAccount.id.in_(account_ids))
            .values(failed_attempts=0, locked_at=None)
            .execution_options(synchronize_session=False)
        )

    if codes is not None and codes.profile != policy.activation_profile:
        raise CredentialError("the code pipeline hashes with other argon2id parameters")
    if codes is None:
        with CodePipeline(policy.activation_profile, workers=policy.hash_workers) as own:
            made = own.take(len(targets))
    else:
        made = codes.take(len(targets))
    fresh = [code for code, _ in made]
    hashes = [h for _, h in made]
    del made
    if targets:
        session.execute(
            insert(ActivationCodeRow),
            [
                {
                    "account_id": by_agency[a.id].id,
                    "code_hash": h,
                    "issued_at": now,
                    "issued_by": actor,
                    "expires_at": expires,
                }
                for a, h in zip(targets, hashes, strict=True)
            ],
        )
        record_audit(
            session,
            actor=actor,
            action="reissue" if reissue else "issue",
            entity="portal_account",
            entity_key=str(cycle.year_be),
            cycle_id=cycle.id,
            details={
                "issued": len(targets),
                "skipped": skipped,
                "revoked": revoked,
                "agencies": [a.code for a in targets][:50],
            },
        )
    issued = [
        IssuedCredential(
            agency_id=a.id,
            agency_code=a.code,
            username=by_agency[a.id].username,
            code=c,
            expires_at=expires,
        )
        for a, c in zip(targets, fresh, strict=True)
    ]
    report = IssueReport(
        issued=issued, skipped=skipped, revoked=revoked, seconds=time.perf_counter() - started
    )
    log.info(
        "cycle %s: issued %d credentials (%d skipped, %d revoked) at %.1f/s",
        cycle.year_be,
        len(issued),
        skipped,
        revoked,
        report.rate,
    )
    return report


class _Dummy:
    # One hash per profile, made once per process, verified against when there is no real one,
    # so that unknown usernames cost the same time as known ones.
    _cache: dict[tuple[int, int, int], str] = {}  # noqa: RUF012

    @classmethod
    def hash(cls, profile: HashProfile) -> str:
        key = (profile.time_cost, profile.memory_cost, profile.parallelism)
        if key not in cls._cache:
            cls._cache[key] = profile.hasher().hash(new_activation_code().reveal())
        return cls._cache[key]


def _account(session: Session, username: str) -> PortalAccount | None:
    return session.scalar(
        select(PortalAccount).where(PortalAccount.username == username.strip().upper())
    )


def verify_activation(
    session: Session,
    username: str,
    code: str,
    *,
    policy: CredentialPolicy | None = None,
    now: dt.datetime | None = None,
) -> ActivationResult:
    """Check a typed activation code; a match consumes the code.

    Always runs one argon2 verification (against a dummy hash for unknown users or accounts
    without a live code), counts failures and locks the account after
    ``policy.max_failed_attempts``.
    """
    policy = policy or CredentialPolicy()
    now = now or dt.datetime.now(dt.UTC)
    hasher = policy.activation_profile.hasher()
    account = _account(session, username)
    row: ActivationCodeRow | None = None
    if account is not None:
        row = session.scalar(
            select(ActivationCodeRow)
            .where(
                ActivationCodeRow.account_id == account.id,
                ActivationCodeRow.revoked_at.is_(None),
                ActivationCodeRow.used_at.is_(None),
            )
            .order_by(ActivationCodeRow.id.desc())
            .limit(1)
        )
    matched = verify_hash(
        hasher,
        row.code_hash if row is not None else _Dummy.hash(policy.activation_profile),
        normalise_code(code),
    )
    if account is None:
        return ActivationResult.INVALID
    if account.locked_at is not None:
        return ActivationResult.LOCKED
    if row is None or not matched:
        account.failed_attempts += 1
        if policy.max_failed_attempts and account.failed_attempts >= policy.max_failed_attempts:
            account.locked_at = now
            log.warning("portal account %s locked after failed attempts", account.username)
        session.flush()
        return (
            ActivationResult.LOCKED if account.locked_at is not None else ActivationResult.INVALID
        )
    if _utc(row.expires_at) <= now:
        return ActivationResult.EXPIRED
    row.used_at = now
    account.failed_attempts = 0
    session.flush()
    return ActivationResult.OK


def password_problems(password: str, username: str, policy: CredentialPolicy) -> list[str]:
    """Why ``password`` is too weak (Thai messages; empty when it is acceptable)."""
    problems: list[str] = []
    if len(password) < policy.min_password_length:
        problems.append(f"รหัสผ่านต้องยาวอย่างน้อย {policy.min_password_length} ตัวอักษร")
    lowered = password.lower()
    if username and username.lower() in lowered:
        problems.append("รหัสผ่านต้องไม่มีชื่อผู้ใช้อยู่ในนั้น")
    if lowered in COMMON_PASSWORDS:
        problems.append("รหัสผ่านนี้เป็นรหัสที่ใช้กันทั่วไป เดาได้ง่าย")
    return problems


def set_password(
    session: Session,
    username: str,
    password: str,
    *,
    policy: CredentialPolicy | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Store the argon2id hash of a new password after checking the strength rules."""
    policy = policy or CredentialPolicy()
    account = _account(session, username)
    if account is None:
        raise CredentialError(f"ไม่พบบัญชีผู้ใช้ {username!r} (unknown username)")
    problems = password_problems(password, account.username, policy)
    if problems:
        raise PasswordPolicyError(problems)
    account.password_hash = policy.password_profile.hasher().hash(password)
    account.password_set_at = now or dt.datetime.now(dt.UTC)
    account.failed_attempts = 0
    account.locked_at = None
    session.flush()


def verify_password(
    session: Session,
    username: str,
    password: str,
    *,
    policy: CredentialPolicy | None = None,
) -> bool:
    """True when ``password`` is the account's; runs one argon2 verification whatever happens.

    A locked account never verifies. Failures count towards the lock. A hash made with older
    cost parameters is upgraded on success.
    """
    policy = policy or CredentialPolicy()
    hasher = policy.password_profile.hasher()
    account = _account(session, username)
    stored = account.password_hash if account is not None else None
    matched = verify_hash(hasher, stored or _Dummy.hash(policy.password_profile), password)
    if account is None or stored is None or account.locked_at is not None:
        return False
    if not matched:
        account.failed_attempts += 1
        if policy.max_failed_attempts and account.failed_attempts >= policy.max_failed_attempts:
            account.locked_at = dt.datetime.now(dt.UTC)
        session.flush()
        return False
    account.failed_attempts = 0
    if hasher.check_needs_rehash(stored):
        account.password_hash = hasher.hash(password)
    session.flush()
    return True
