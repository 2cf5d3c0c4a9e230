from __future__ import annotations

import pickle

from dgops.credentials import ALPHABET, ActivationCode, HashProfile, new_activation_code
from dgops.credentials.codes import hash_many, normalise_code, verify_hash

CHEAP = HashProfile(time_cost=1, memory_cost=64, parallelism=1)


def test_should_draw_codes_from_the_readable_alphabet_in_three_groups() -> None:
    for _ in range(200):
        value = new_activation_code().reveal()
        groups = value.split("-")
        assert [len(g) for g in groups] == [4, 4, 4]
        assert set("".join(groups)) <= set(ALPHABET)
    assert not set("01OIl") & set(ALPHABET)


def test_should_never_show_the_code_in_repr_str_or_format() -> None:
    code = ActivationCode("ABCD-EFGH-JKLM")
    shown = [
        repr(code),
        str(code),
        f"{code}",
        f"{code!r}",
        "%s" % (code,),  # noqa: UP031
        repr([code]),
    ]
    assert all("ABCD" not in text for text in shown)
    assert code.reveal() == "ABCD-EFGH-JKLM"


def test_should_survive_pickling_for_worker_processes() -> None:
    code = new_activation_code()
    assert pickle.loads(pickle.dumps(code)) == code


def test_should_normalise_what_people_type() -> None:
    assert normalise_code(" abcd efgh-jkLM ") == "ABCD-EFGH-JKLM"


def test_should_hash_with_argon2id_and_verify_in_bulk() -> None:
    values = [new_activation_code().reveal() for _ in range(5)]
    hashes = hash_many(values, CHEAP, workers=2)
    assert all(h.startswith("$argon2id$") for h in hashes)
    hasher = CHEAP.hasher()
    assert all(verify_hash(hasher, h, v) for h, v in zip(hashes, values, strict=True))
    assert not verify_hash(hasher, hashes[0], values[1])
    assert not verify_hash(hasher, "not-a-hash", values[0])
