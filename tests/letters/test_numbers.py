from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, select

from dgops.db import Database
from dgops.letters.models import LetterNumber
from dgops.letters.numbers import LetterKey, allocate_numbers, format_number
from tests.letters.conftest import seed


def test_should_format_numbers_in_thai_digits_with_the_circular_mark() -> None:
    assert format_number("สพร", 2566, 123) == "สพร ๒๕๖๖/ว๑๒๓"
    assert format_number("สพร", 2566, 7, circular=False) == "สพร ๒๕๖๖/๗"


def test_should_allocate_consecutive_numbers_and_keep_them_on_re_render(engine: Engine) -> None:
    with Database(engine).begin() as s:
        cycle, agencies = seed(s, 3)
        keys = [LetterKey(cycle.id, a.id, "invitation") for a in agencies]
    with Database(engine).begin() as s:
        first = allocate_numbers(s, "สพร", 2566, keys[:2])
    with Database(engine).begin() as s:
        again = allocate_numbers(s, "สพร", 2566, keys)
        other_year = allocate_numbers(s, "สพร", 2567, [LetterKey(cycle.id, agencies[0].id, "x")])
    assert list(first.values()) == [1, 2]
    assert [again[k] for k in keys] == [1, 2, 3]
    assert list(other_year.values()) == [1]


def test_should_give_back_the_numbers_when_the_transaction_rolls_back(engine: Engine) -> None:
    with Database(engine).begin() as s:
        cycle, agencies = seed(s, 2)
        keys = [LetterKey(cycle.id, a.id, "invitation") for a in agencies]

    def failing_run() -> None:
        with Database(engine).begin() as s:
            allocate_numbers(s, "สพร", 2566, keys[:1])
            raise RuntimeError("rendering failed")

    with pytest.raises(RuntimeError):
        failing_run()
    with Database(engine).begin() as s:
        assert allocate_numbers(s, "สพร", 2566, keys[1:]) == {keys[1]: 1}


@pytest.mark.postgres
def test_should_neither_skip_nor_repeat_under_concurrent_runs(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite has a single writer)")
    with Database(engine).begin() as s:
        cycle, agencies = seed(s, 60)
        keys = [LetterKey(cycle.id, a.id, "invitation") for a in agencies]
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def worker(part: int) -> None:
        try:
            barrier.wait()
            mine = keys[part::6] + keys[:5]  # overlapping keys too
            for start in range(0, len(mine), 4):
                with Database(engine).begin() as s:
                    allocate_numbers(s, "สพร", 2566, mine[start : start + 4])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Database(engine).begin() as s:
        seqs = sorted(s.scalars(select(LetterNumber.seq)))
    assert seqs == list(range(1, 61))
