"""One-time password-reset links: stored hashed, short-lived, used once, then gone."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from dgops.credentials import (
    CredentialPolicy,
    PasswordPolicyError,
    ResetTokenError,
    ResetTokenProblem,
    check_reset_token,
    issue_credentials,
    issue_reset_token,
    redeem_reset_token,
    reset_link,
    verify_activation,
    verify_password,
)
from dgops.credentials.models import PasswordResetToken, PortalAccount
from dgops.db import Database
from dgops.db.models import AuditLog
from tests.credentials.conftest import seed

NOW = dt.datetime(2023, 7, 10, 3, 0, tzinfo=dt.UTC)
NEW_PASSWORD = "ม้าลายกินหญ้า-2566"


def _account(engine: Engine, policy: CredentialPolicy) -> tuple[int, str]:
    """An account with a live activation code: (account id, the code)."""
    with Database(engine).begin() as s:
        cycle, agencies = seed(s, n=1)
        report = issue_credentials(s, cycle, agencies, actor="t", policy=policy, now=NOW)
        account = s.scalars(select(PortalAccount)).one()
        return account.id, report.issued[0].code.reveal()


def _issue(engine: Engine, account_id: int, **kw: object) -> str:
    with Database(engine).begin() as s:
        account = s.get(PortalAccount, account_id)
        assert account is not None
        return issue_reset_token(s, account, actor="operator1", now=NOW, **kw)  # type: ignore[arg-type]


def test_should_store_only_a_hash_of_the_token(engine: Engine, policy: CredentialPolicy) -> None:
    account_id, _ = _account(engine, policy)
    token = _issue(engine, account_id, ttl=dt.timedelta(minutes=30))
    assert len(token) >= 40
    with Database(engine).begin() as s:
        row = s.scalars(select(PasswordResetToken)).one()
        assert token not in row.token_hash
        assert row.expires_at.replace(tzinfo=dt.UTC) == NOW + dt.timedelta(minutes=30)
        assert check_reset_token(s, token, now=NOW).id == account_id


def test_should_set_the_password_once_and_refuse_the_link_afterwards(
    engine: Engine, policy: CredentialPolicy
) -> None:
    account_id, code = _account(engine, policy)
    token = _issue(engine, account_id)
    later = NOW + dt.timedelta(minutes=5)
    with Database(engine).begin() as s:
        account = redeem_reset_token(s, token, NEW_PASSWORD, policy=policy, now=later)
        username = account.username
    with Database(engine).begin() as s:
        assert verify_password(s, username, NEW_PASSWORD, policy=policy)
        with pytest.raises(ResetTokenError) as err:
            redeem_reset_token(s, token, NEW_PASSWORD + "x", policy=policy, now=later)
        assert err.value.problem is ResetTokenProblem.USED
        # The letter's activation code no longer opens the account either.
        assert verify_activation(s, username, code, policy=policy, now=later).value != "ok"
        actions = list(s.scalars(select(AuditLog.action)))
        assert "password_reset_redeemed" in actions


def test_should_refuse_an_expired_or_superseded_or_unknown_link(
    engine: Engine, policy: CredentialPolicy
) -> None:
    account_id, _ = _account(engine, policy)
    first = _issue(engine, account_id, ttl=dt.timedelta(minutes=15))
    second = _issue(engine, account_id, ttl=dt.timedelta(minutes=15))
    with Database(engine).begin() as s:
        for token, at, problem in (
            (first, NOW, ResetTokenProblem.INVALID),  # revoked by the second one
            (second, NOW + dt.timedelta(minutes=16), ResetTokenProblem.EXPIRED),
            ("not-a-token", NOW, ResetTokenProblem.INVALID),
        ):
            with pytest.raises(ResetTokenError) as err:
                redeem_reset_token(s, token, NEW_PASSWORD, policy=policy, now=at)
            assert err.value.problem is problem
        assert check_reset_token(s, second, now=NOW).id == account_id


def test_should_keep_the_link_usable_after_a_weak_password(
    engine: Engine, policy: CredentialPolicy
) -> None:
    account_id, _ = _account(engine, policy)
    token = _issue(engine, account_id)
    with Database(engine).begin() as s, pytest.raises(PasswordPolicyError):
        redeem_reset_token(s, token, "short", policy=policy, now=NOW)
    with Database(engine).begin() as s:
        assert redeem_reset_token(s, token, NEW_PASSWORD, policy=policy, now=NOW).id == account_id


def test_should_build_the_link_the_portal_serves() -> None:
    assert (
        reset_link("https://survey.example.go.th/", "a-b_c")
        == "https://survey.example.go.th/password/reset?token=a-b_c"
    )
