"""A released cycle for the results tests: 30 agencies enrolled, 27 answered, scored, advised."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, insert, select

from dgops.db import Database
from dgops.demo.responses import store_demo_responses
from dgops.framework import Framework
from dgops.registry.models import Contact, ContactRole, CycleAgency
from dgops.responses.models import ResponseStatus
from dgops.results import (
    current_run,
    pipeline,
    recommend_cycle,
    release_run,
    score_cycle,
)

MINI_DIR = Path(__file__).resolve().parents[1] / "recommend" / "data"
STATUSES = (ResponseStatus.VERIFIED, ResponseStatus.SUBMITTED)


def source(mini: Framework) -> pipeline.FrameworkSource:
    return pipeline.FrameworkSource(framework=mini, rules=MINI_DIR / "rules_mini.yaml")


def answered_cycle(engine: Engine, cycle_id: int, mini: Framework) -> None:
    """Enrol the 30 agencies with a head and a coordinator; 90 % of them answer."""
    with Database(engine).begin() as session:
        session.execute(
            insert(CycleAgency), [{"cycle_id": cycle_id, "agency_id": i} for i in range(1, 31)]
        )
        session.execute(
            insert(Contact),
            [
                {
                    "agency_id": i,
                    "role": role,
                    "name": f"{role.value} {i}",
                    "title": f"อธิบดีกรมทดสอบที่ {i}" if role == ContactRole.HEAD else "",
                    "email": f"{role.value}{i}@agency{i}.go.th",
                }
                for i in range(1, 31)
                for role in (ContactRole.HEAD, ContactRole.COORDINATOR)
            ],
        )
        store_demo_responses(session, 2566, seed=5, share=0.9, framework=mini)


def score_and_advise(
    engine: Engine,
    mini: Framework,
    *,
    supersede: bool = False,
    reason: str | None = None,
) -> int:
    with Database(engine).begin() as session:
        out = score_cycle(
            session,
            2566,
            actor="t",
            statuses=STATUSES,
            source=source(mini),
            supersede=supersede,
            reason=reason,
        )
    with Database(engine).begin() as session:
        recommend_cycle(session, 2566, source=source(mini))
    return out.run_id


def release_current(engine: Engine, cycle_id: int, actor: str = "ops") -> int:
    with Database(engine).begin() as session:
        run = current_run(session, cycle_id)
        assert run is not None
        release_run(session, cycle_id, run.id, actor=actor)
        return run.id


def released_cycle(engine: Engine, cycle_id: int, mini: Framework) -> int:
    answered_cycle(engine, cycle_id, mini)
    score_and_advise(engine, mini)
    return release_current(engine, cycle_id)


def respondents(engine: Engine, cycle_id: int) -> set[int]:
    from dgops.responses.models import Response

    with Database(engine).begin() as session:
        return set(session.scalars(select(Response.agency_id).where(Response.cycle_id == cycle_id)))
