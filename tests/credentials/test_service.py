from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from dgops.credentials import (
    ActivationResult,
    CredentialPolicy,
    HashProfile,
    PasswordPolicyError,
    issue_credentials,
    set_password,
    verify_activation,
    verify_password,
)
from dgops.credentials.models import ActivationCodeRow, PortalAccount
from dgops.cycles.models import SurveyCycle
from dgops.db import Database
from dgops.db.schema import load_all_models
from dgops.registry.models import Agency
from tests.credentials.conftest import seed

NOW = dt.datetime(2023, 7, 1, 3, 0, tzinfo=dt.UTC)


def _load(engine: Engine) -> tuple[SurveyCycle, list[Agency]]:
    with Database(engine).begin() as s:
        return seed(s)


def _issue(engine: Engine, policy: CredentialPolicy, **kw: Any) -> dict[str, str]:
    with Database(engine).begin() as s:
        cycle = s.scalars(select(SurveyCycle)).one()
        agencies = list(s.scalars(select(Agency).order_by(Agency.code)))
        report = issue_credentials(s, cycle, agencies, actor="t", policy=policy, now=NOW, **kw)
        return {c.username: c.code.reveal() for c in report.issued}


def test_should_issue_stable_usernames_and_store_only_argon2id_hashes(
    engine: Engine, policy: CredentialPolicy
) -> None:
    _load(engine)
    codes = _issue(engine, policy)
    assert sorted(codes) == ["DG66-D0001", "DG66-D0002", "DG66-D0003"]
    with Database(engine).begin() as s:
        hashes = list(s.scalars(select(ActivationCodeRow.code_hash)))
        expiry = s.scalars(select(ActivationCodeRow.expires_at)).first()
    assert len(hashes) == 3
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert expiry is not None
    # end of the deadline day in Bangkok (UTC+7)
    assert expiry.replace(tzinfo=None) == dt.datetime(2023, 9, 30, 16, 59, 59)


def test_should_skip_agencies_with_a_live_code_unless_reissuing(
    engine: Engine, policy: CredentialPolicy
) -> None:
    _load(engine)
    first = _issue(engine, policy)
    assert _issue(engine, policy) == {}
    second = _issue(engine, policy, reissue=True)
    assert set(second) == set(first)
    with Database(engine).begin() as s:
        assert verify_activation(s, "DG66-D0001", first["DG66-D0001"], policy=policy, now=NOW) == (
            ActivationResult.INVALID
        )
        assert verify_activation(s, "DG66-D0001", second["DG66-D0001"], policy=policy, now=NOW) == (
            ActivationResult.OK
        )
        revoked = s.scalars(
            select(ActivationCodeRow).where(ActivationCodeRow.revoked_at.is_not(None))
        ).all()
    assert len(revoked) == 3


def test_should_accept_a_code_once_and_as_typed(engine: Engine, policy: CredentialPolicy) -> None:
    _load(engine)
    code = _issue(engine, policy)["DG66-D0002"]
    typed = code.replace("-", " ").lower()
    with Database(engine).begin() as s:
        assert verify_activation(s, "dg66-d0002", typed, policy=policy, now=NOW) == (
            ActivationResult.OK
        )
        assert verify_activation(s, "DG66-D0002", code, policy=policy, now=NOW) == (
            ActivationResult.INVALID
        )


def test_should_give_codes_issued_after_the_deadline_the_late_lifetime(
    engine: Engine, policy: CredentialPolicy
) -> None:
    _load(engine)
    late = dt.datetime(2023, 10, 5, tzinfo=dt.UTC)
    with Database(engine).begin() as s:
        cycle = s.scalars(select(SurveyCycle)).one()
        agencies = list(s.scalars(select(Agency)))
        report = issue_credentials(s, cycle, agencies, actor="t", policy=policy, now=late)
        again = issue_credentials(s, cycle, agencies, actor="t", policy=policy, now=late)
    assert {c.expires_at for c in report.issued} == {late + policy.late_ttl}
    assert again.skipped == 3


def test_should_refuse_an_expired_code(engine: Engine, policy: CredentialPolicy) -> None:
    _load(engine)
    code = _issue(engine, policy)["DG66-D0001"]
    later = NOW + dt.timedelta(days=120)
    with Database(engine).begin() as s:
        assert verify_activation(s, "DG66-D0001", code, policy=policy, now=later) == (
            ActivationResult.EXPIRED
        )


def test_should_lock_after_the_configured_number_of_failures(
    engine: Engine, policy: CredentialPolicy
) -> None:
    _load(engine)
    code = _issue(engine, policy)["DG66-D0003"]
    with Database(engine).begin() as s:
        results = [
            verify_activation(s, "DG66-D0003", "AAAA-BBBB-CCCC", policy=policy, now=NOW)
            for _ in range(3)
        ]
        assert results[-1] == ActivationResult.LOCKED
        assert verify_activation(s, "DG66-D0003", code, policy=policy, now=NOW) == (
            ActivationResult.LOCKED
        )
    # reissuing unlocks with a fresh code
    fresh = _issue(engine, policy, reissue=True)["DG66-D0003"]
    with Database(engine).begin() as s:
        assert verify_activation(s, "DG66-D0003", fresh, policy=policy, now=NOW) == (
            ActivationResult.OK
        )


@dataclass(frozen=True)
class CountingProfile(HashProfile):
    calls: list[str] | None = None

    def hasher(self) -> PasswordHasher:
        calls = self.calls
        assert calls is not None

        class Counting(PasswordHasher):
            def verify(self, hash: str | bytes, password: str | bytes) -> bool:
                calls.append("verify")
                return super().verify(hash, password)

        return Counting(time_cost=1, memory_cost=64, parallelism=1)


def test_should_run_a_hash_verification_even_for_unknown_users(engine: Engine) -> None:
    _load(engine)
    calls: list[str] = []
    counting = CountingProfile(calls=calls)
    policy = CredentialPolicy(activation_profile=counting, password_profile=counting)
    with Database(engine).begin() as s:
        assert verify_activation(s, "NOBODY", "AAAA-BBBB-CCCC", policy=policy) == (
            ActivationResult.INVALID
        )
        assert verify_password(s, "NOBODY", "whatever-long", policy=policy) is False
    assert calls == ["verify", "verify"]


def test_should_set_and_verify_a_strong_password_only(
    engine: Engine, policy: CredentialPolicy
) -> None:
    _load(engine)
    _issue(engine, policy)
    with Database(engine).begin() as s:
        for weak in ("short1", "xxDG66-D0001xx", "Password123"):
            with pytest.raises(PasswordPolicyError) as info:
                set_password(s, "DG66-D0001", weak, policy=policy)
            assert weak not in str(info.value)
            assert weak not in repr(info.value)
        set_password(s, "DG66-D0001", "ข้าวเหนียวมะม่วง-2566", policy=policy)
        stored = s.scalars(select(PortalAccount.password_hash)).all()
        assert any(h and h.startswith("$argon2id$") for h in stored)
        assert verify_password(s, "DG66-D0001", "ข้าวเหนียวมะม่วง-2566", policy=policy)
        assert not verify_password(s, "DG66-D0001", "ข้าวเหนียวมะม่วง-2565", policy=policy)


def test_should_leave_no_plaintext_in_database_logs_or_reports(
    engine: Engine, policy: CredentialPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    _load(engine)
    caplog.set_level(logging.DEBUG)
    with Database(engine).begin() as s:
        cycle = s.scalars(select(SurveyCycle)).one()
        agencies = list(s.scalars(select(Agency)))
        report = issue_credentials(s, cycle, agencies, actor="t", policy=policy, reissue=True)
        printed = repr(report) + str(report.issued) + repr(report.issued[0])
        secrets = [c.code.reveal() for c in report.issued]
        verify_activation(s, "DG66-D0001", "WRON-GCOD-EXXX", policy=policy)
    variants = {v for code in secrets for v in (code, code.replace("-", ""))}
    dump: list[str] = []
    with engine.connect() as conn:
        for table in load_all_models().sorted_tables:
            for row in conn.execute(table.select()):
                dump.extend(str(value) for value in row)
    text = "\n".join(dump) + caplog.text + printed
    assert dump  # the scan saw rows
    assert not [v for v in variants if v in text]
