"""CodePipeline: codes hashed ahead in background threads, with unchanged argon2id strength."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, select

from dgops.credentials import (
    ACTIVATION_PROFILE,
    CodePipeline,
    CredentialError,
    CredentialPolicy,
    HashProfile,
    issue_credentials,
)
from dgops.credentials.codes import verify_hash
from dgops.credentials.models import ActivationCodeRow
from dgops.db import Database
from tests.credentials.conftest import CHEAP, seed


def test_should_hash_in_the_background_and_hand_out_codes_that_verify() -> None:
    gate = threading.Event()
    started = threading.Event()
    hasher = CHEAP.hasher()

    def slow(value: str) -> str:
        started.set()
        gate.wait(5)
        return hasher.hash(value)

    with CodePipeline(CHEAP, workers=2, hash_function=slow) as codes:
        codes.prepare(3)
        # prepare() returned while the hashing is still held at the gate: it runs behind.
        assert started.wait(5)
        assert codes.pending == 3
        gate.set()
        taken = codes.take(3)

    assert len({code.reveal() for code, _ in taken}) == 3
    assert all(verify_hash(hasher, h, code.reveal()) for code, h in taken)
    assert all(h.startswith("$argon2id$") for _, h in taken)


def test_should_make_more_codes_when_fewer_were_prepared_and_drop_unused_ones() -> None:
    codes = CodePipeline(CHEAP, workers=1)
    codes.prepare(2)

    taken = codes.take(5)
    codes.prepare(4)
    codes.close()

    assert len(taken) == 5
    assert codes.pending == 0  # prepared but never taken: gone with the pipeline


def test_should_store_hashes_with_the_unchanged_argon2id_parameters(engine: Engine) -> None:
    # Speed comes from overlap, never from a cheaper hash: m=19 MiB, t=2, p=1 as before.
    with Database(engine).begin() as s:
        cycle, agencies = seed(s, n=2)
        with CodePipeline(ACTIVATION_PROFILE, workers=2) as codes:
            codes.prepare(2)
            report = issue_credentials(
                s, cycle, agencies, actor="t", policy=CredentialPolicy(), codes=codes
            )
        stored = list(s.scalars(select(ActivationCodeRow.code_hash)))

    assert HashProfile(time_cost=2, memory_cost=19_456, parallelism=1) == ACTIVATION_PROFILE
    assert all(h.startswith("$argon2id$v=19$m=19456,t=2,p=1$") for h in stored)
    hasher = ACTIVATION_PROFILE.hasher()
    by_hash = sorted(stored)
    assert (
        sorted(
            next(h for h in by_hash if verify_hash(hasher, h, i.code.reveal()))
            for i in report.issued
        )
        == by_hash
    )


def test_should_refuse_a_pipeline_of_other_parameters(
    engine: Engine, policy: CredentialPolicy
) -> None:
    weaker = HashProfile(time_cost=1, memory_cost=8, parallelism=1)
    with Database(engine).begin() as s:
        cycle, agencies = seed(s, n=1)
        with CodePipeline(weaker) as codes, pytest.raises(CredentialError):
            issue_credentials(s, cycle, agencies, actor="t", policy=policy, codes=codes)
        assert list(s.scalars(select(ActivationCodeRow))) == []


def test_should_make_standard_argon2id_strings_whichever_implementation_runs() -> None:
    from dgops.credentials.codes import fast_hash_function

    for profile in (
        CHEAP,
        ACTIVATION_PROFILE,
        HashProfile(time_cost=1, memory_cost=64, parallelism=2),
    ):
        made = fast_hash_function(profile)("ABCD-EFGH-JKLM")
        params = f"m={profile.memory_cost},t={profile.time_cost},p={profile.parallelism}"

        assert made.startswith(f"$argon2id$v=19${params}$")
        assert verify_hash(profile.hasher(), made, "ABCD-EFGH-JKLM")
        assert not verify_hash(profile.hasher(), made, "ABCD-EFGH-JKLN")


def test_should_use_libsodium_when_pynacl_is_installed() -> None:
    argon2id = pytest.importorskip("nacl.pwhash.argon2id")
    from dgops.credentials.codes import fast_hash_function

    made = fast_hash_function(ACTIVATION_PROFILE)("ABCD-EFGH-JKLM")

    # libsodium verifies it too: the same hash, made by the faster implementation.
    assert argon2id.verify(made.encode(), b"ABCD-EFGH-JKLM")
    assert fast_hash_function(ACTIVATION_PROFILE) is not ACTIVATION_PROFILE.hasher().hash
    assert fast_hash_function(ACTIVATION_PROFILE).__name__ == "sodium"
