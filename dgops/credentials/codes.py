"""Activation codes and argon2id hashing: plaintext only in memory, hidden from reprs and logs."""

from __future__ import annotations

import hmac
import secrets
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""32 symbols without look-alikes (no 0/O, 1/I/l): 5 bits each, 60 bits per 12-char code."""
CODE_GROUPS = 3
GROUP_LEN = 4
MASK = "****-****-****"


@dataclass(frozen=True)
class HashProfile:
    """argon2id cost parameters (memory in KiB).

    The default is OWASP's minimum argon2id setting (19 MiB, t=2, p=1), ~20 ms a hash here:
    an activation code carries 60 random bits and locks after a few failures, so the hash
    only has to make an offline attack on a stolen table expensive, and bulk issuing for
    10,000 agencies stays in minutes. Passwords use :data:`PASSWORD_PROFILE`.
    """

    time_cost: int = 2
    memory_cost: int = 19_456
    parallelism: int = 1

    def hasher(self) -> PasswordHasher:
        return PasswordHasher(
            time_cost=self.time_cost,
            memory_cost=self.memory_cost,
            parallelism=self.parallelism,
            type=Type.ID,
        )


def fast_hash_function(profile: HashProfile) -> Callable[[str], str]:
    """The quickest available maker of ``profile``'s argon2id hashes, as PHC strings.

    libsodium (through PyNaCl, when installed) computes the very same argon2id — same
    parameters, same ``$argon2id$v=19$m=…,t=…,p=1$salt$hash`` string, verified by argon2-cffi
    like any other — about twice as fast as argon2-cffi's portable build, because it picks
    AVX2/AVX-512 code at run time. It only does ``parallelism=1``; anything else, or no
    PyNaCl, uses argon2-cffi. Never a weaker hash: only the implementation changes.
    """
    if profile.parallelism == 1:
        try:
            from nacl.pwhash import argon2id
        except ImportError:
            pass
        else:
            opslimit, memlimit = profile.time_cost, profile.memory_cost * 1024

            def sodium(value: str) -> str:
                digest: bytes = argon2id.str(
                    value.encode("utf-8"), opslimit=opslimit, memlimit=memlimit
                )
                return digest.decode("ascii")

            return sodium
    return profile.hasher().hash


ACTIVATION_PROFILE = HashProfile()
PASSWORD_PROFILE = HashProfile(time_cost=3, memory_cost=65_536, parallelism=4)
"""RFC 9106's second recommended (low-memory) argon2id setting, argon2-cffi's default."""


class ActivationCode:
    """A one-time activation code in plaintext. ``str``/``repr``/``format`` never show it.

    Call :meth:`reveal` only where the code is written for the agency (the letter, the e-mail).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The plaintext code, ``XXXX-XXXX-XXXX``."""
        return self._value

    def __repr__(self) -> str:
        return f"ActivationCode('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ActivationCode):
            return NotImplemented
        return hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash((ActivationCode, self._value))

    def __reduce__(self) -> tuple[type[ActivationCode], tuple[str]]:
        # Letters render in worker processes: the code travels there by pickle, never by text.
        return (ActivationCode, (self._value,))


def new_activation_code() -> ActivationCode:
    """A fresh random code from :data:`ALPHABET` (``secrets``), grouped ``XXXX-XXXX-XXXX``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_GROUPS * GROUP_LEN))
    return ActivationCode("-".join(raw[i : i + GROUP_LEN] for i in range(0, len(raw), GROUP_LEN)))


def normalise_code(typed: str) -> str:
    """What an agency types, made comparable: upper case, spaces and dashes dropped, re-grouped."""
    raw = "".join(ch for ch in typed.upper() if ch.isalnum())
    return "-".join(raw[i : i + GROUP_LEN] for i in range(0, len(raw), GROUP_LEN))


def hash_many(values: Sequence[str], profile: HashProfile, *, workers: int = 1) -> list[str]:
    """argon2id hashes of ``values`` in order; ``workers`` threads (argon2 releases the GIL)."""
    hasher = profile.hasher()
    if workers <= 1 or len(values) < 2:
        return [hasher.hash(v) for v in values]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(hasher.hash, values))


class CodePipeline:
    """Fresh activation codes hashed ahead of need, in background threads.

    argon2id is the slow part of issuing codes (~20 ms of one core per code at
    :data:`ACTIVATION_PROFILE`). :meth:`prepare` starts hashing codes that will be needed soon
    and returns at once; :meth:`take` hands them out, waiting for any still hashing. A caller
    that prepares the next group before rendering and sending the current one keeps the cores
    hashing meanwhile (argon2 releases the GIL), with the same argon2id parameters.

    The plaintext codes stay in this object's memory (never on disk, never in a log); codes
    prepared but never taken are dropped by :meth:`close` and were never stored anywhere.
    """

    def __init__(
        self,
        profile: HashProfile,
        *,
        workers: int = 1,
        hash_function: Callable[[str], str] | None = None,
    ) -> None:
        self.profile = profile
        # ``hash_function`` is for tests (a hash that waits, to see what runs behind).
        self._hash = hash_function or fast_hash_function(profile)
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="argon2")
        self._ready: deque[tuple[ActivationCode, Future[str]]] = deque()

    def __enter__(self) -> CodePipeline:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def pending(self) -> int:
        """Codes prepared and not yet taken."""
        return len(self._ready)

    def prepare(self, n: int) -> None:
        """Start hashing ``n`` more fresh codes in the background; returns at once."""
        for _ in range(max(0, n)):
            code = new_activation_code()
            self._ready.append((code, self._pool.submit(self._hash, code.reveal())))

    def take(self, n: int) -> list[tuple[ActivationCode, str]]:
        """``n`` codes with their argon2id hashes, oldest prepared first (more are made when
        fewer were prepared); waits for hashes still being computed."""
        self.prepare(n - len(self._ready))
        taken = [self._ready.popleft() for _ in range(n)]
        return [(code, future.result()) for code, future in taken]

    def close(self) -> None:
        """Drop unused codes and stop the threads (pending hashes are cancelled)."""
        self._ready.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)


def verify_hash(hasher: PasswordHasher, stored: str, candidate: str) -> bool:
    """True when ``candidate`` matches ``stored``; False for a mismatch or a malformed hash."""
    try:
        return hasher.verify(stored, candidate)
    except (VerificationError, InvalidHashError):
        return False
