"""The one unit of work: commit on success, roll back everything on error, rows readable after."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from dgops.cycles.models import SurveyCycle
from dgops.db import Database


def _cycle(year_be: int) -> SurveyCycle:
    return SurveyCycle(
        year_be=year_be,
        year_ce=year_be - 543,
        framework_version="2566",
        title_th="การสำรวจทดสอบ",
        open_date=dt.date(2023, 7, 3),
        deadline=dt.date(2023, 8, 31),
    )


def test_should_commit_when_the_block_ends_and_keep_rows_readable(engine: Engine) -> None:
    db = Database(engine)
    with db.begin() as session:
        cycle = _cycle(2601)
        session.add(cycle)

    assert cycle.title_th == "การสำรวจทดสอบ"  # not expired by the commit
    with db.begin() as session:
        assert session.scalar(select(func.count()).select_from(SurveyCycle)) == 1


def test_should_roll_back_everything_when_the_block_raises(engine: Engine) -> None:
    db = Database(engine)

    def add_then_fail() -> None:
        with db.begin() as session:
            session.add(_cycle(2602))
            session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        add_then_fail()

    with db.begin() as session:
        assert session.scalar(select(func.count()).select_from(SurveyCycle)) == 0


def test_should_dispose_its_pool_when_used_as_a_context_manager(tmp_path: Path) -> None:
    with Database.connect(f"sqlite:///{tmp_path / 'x.sqlite'}") as db:
        assert db.dialect == "sqlite"
        with db.begin() as session:
            assert session.scalar(select(1)) == 1
    assert db.engine.pool.checkedout() == 0
    assert "x.sqlite" in repr(db)
