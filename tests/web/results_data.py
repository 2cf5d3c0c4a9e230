"""A released scoring run on the portal's test world, and a stand-in for the letter module.

Agency A (D0001) is scored with a partial response: pillar P1 has a score, pillar P2 has none
(its only sub-indicator was dropped); a third agency (D0003, no portal sign-in) is its peer.
Agency B (D0002) is enrolled but did not respond (no scores). Last year's published scores
exist for A only when asked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from fastapi import FastAPI

from dgops.registry.models import Agency, AgencyLevel, CycleAgency
from dgops.results import AgencyResult, ResultLetterInfo
from dgops.results.models import (
    AgencyRecommendation,
    PublishedScore,
    RecommendationClass,
    ResultLetter,
    ResultLetterKind,
    ScoreKind,
    ScoreRun,
    ScoreRunStatus,
    ScoreValue,
)
from dgops.web import WebConfig, create_app
from tests.web.conftest import World

LETTER_NUMBER = "สพร 0105/ว 123"
LETTER_DATE = dt.date(2024, 1, 15)
ADVICE_P1 = "ควรเผยแพร่แผนปฏิบัติการดิจิทัลให้บุคลากรทุกระดับรับทราบ"
ADVICE_P2 = "ควรจัดทำแผนพัฒนาบุคลากรด้านดิจิทัลประจำปี"

# (kind, code, score, level) per agency key; None: no score.
A_SCORES = [
    (ScoreKind.OVERALL, "overall", 62.5, 3),
    (ScoreKind.PILLAR, "P1", 75.0, 4),
    (ScoreKind.PILLAR, "P2", None, None),
    (ScoreKind.SUB_INDICATOR, "P1.1", 75.0, 4),
    (ScoreKind.SUB_INDICATOR, "P2.1", None, None),
]
PEER_SCORES = [
    (ScoreKind.OVERALL, "overall", 40.0, 2),
    (ScoreKind.PILLAR, "P1", 30.0, 2),
    (ScoreKind.PILLAR, "P2", 50.0, 3),
    (ScoreKind.SUB_INDICATOR, "P1.1", 30.0, 2),
    (ScoreKind.SUB_INDICATOR, "P2.1", 50.0, 3),
]


B_SCORES = [
    (ScoreKind.OVERALL, "overall", 33.33, 2),
    (ScoreKind.PILLAR, "P1", 21.21, 2),
    (ScoreKind.PILLAR, "P2", 44.44, 3),
    (ScoreKind.SUB_INDICATOR, "P1.1", 21.21, 2),
    (ScoreKind.SUB_INDICATOR, "P2.1", 44.44, 3),
]


def add_run(
    world: World, *, release: bool = True, reason: str | None = None, score_b: bool = False
) -> int:
    """A scoring run of the world's cycle (A, the peer; B enrolled, scored only with
    ``score_b``)."""
    with world.db.begin() as s:
        peer = s.query(Agency).filter_by(code="D0003").one_or_none()
        if peer is None:
            peer = Agency(code="D0003", name_th="กรมเพื่อนร่วมกลุ่ม", level=AgencyLevel.DEPARTMENT)
            s.add(peer)
            s.flush()
            for agency_id in (
                world.agencies["A"].agency_id,
                world.agencies["B"].agency_id,
                peer.id,
            ):
                s.add(CycleAgency(cycle_id=world.cycle_id, agency_id=agency_id))
        for old in s.query(ScoreRun).filter_by(
            cycle_id=world.cycle_id, status=ScoreRunStatus.CURRENT
        ):
            old.status = ScoreRunStatus.SUPERSEDED
        s.flush()
        run = ScoreRun(
            cycle_id=world.cycle_id,
            framework_version="webtest",
            actor="test",
            n_agencies=2,
            params={"peer_by": ["level"]},
            supersede_reason=reason,
        )
        s.add(run)
        s.flush()
        a = world.agencies["A"].agency_id
        scored = [(a, A_SCORES), (peer.id, PEER_SCORES)]
        if score_b:
            scored.append((world.agencies["B"].agency_id, B_SCORES))
        for agency_id, rows in scored:
            for kind, code, score, level in rows:
                s.add(
                    ScoreValue(
                        run_id=run.id,
                        agency_id=agency_id,
                        kind=kind,
                        code=code,
                        score=score,
                        level=level,
                    )
                )
        for sub, pillar, cls, advice, score in (
            ("P1.1", "P1", RecommendationClass.OUTSTANDING, ADVICE_P1, 75.0),
            ("P2.1", "P2", RecommendationClass.ACCELERATE, ADVICE_P2, None),
        ):
            s.add(
                AgencyRecommendation(
                    run_id=run.id,
                    agency_id=a,
                    sub_indicator=sub,
                    pillar=pillar,
                    rec_class=cls,
                    score=score,
                    peer_mean=40.0,
                    advice_th=advice,
                    lead_unit="กองยุทธศาสตร์และแผนงาน",
                    support_units=["ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร"],
                )
            )
        if release:
            run.released_at = dt.datetime.now(dt.UTC)
            run.released_by = "test"
        return run.id


def add_previous(world: World) -> None:
    """Last year's (2565) published scores of agency A."""
    with world.db.begin() as s:
        a = world.agencies["A"].agency_id
        for kind, code, score in (
            (ScoreKind.OVERALL, "overall", 55.0),
            (ScoreKind.PILLAR, "P1", 80.0),
        ):
            s.add(PublishedScore(year_be=2565, agency_id=a, kind=kind, code=code, score=score))


def issue_letter(
    world: World,
    run_id: int,
    key: str = "A",
    *,
    number: str = LETTER_NUMBER,
    issued_on: dt.date = LETTER_DATE,
    corrects: int | None = None,
) -> int:
    """The result letter (a correction when it ``corrects`` a letter) of ``key`` for
    ``run_id``; returns its id."""
    with world.db.begin() as s:
        row = ResultLetter(
            cycle_id=world.cycle_id,
            agency_id=world.agencies[key].agency_id,
            run_id=run_id,
            kind=ResultLetterKind.CORRECTION if corrects else ResultLetterKind.RESULT,
            number=number,
            issued_on=issued_on,
            corrects_id=corrects,
        )
        s.add(row)
        s.flush()
        return row.id


@dataclass
class FakeDocuments:
    """``dgops.results.letter`` as the page uses it: records what it was asked to render."""

    letters: list[tuple[str, ResultLetterInfo]] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)

    def letter_pdf(self, result: AgencyResult, letter: ResultLetterInfo) -> bytes:
        self.letters.append((result.code, letter))
        return b"%PDF-1.7 letter of " + result.code.encode()

    def action_plan_xlsx(self, result: AgencyResult) -> bytes:
        self.plans.append(result.code)
        return b"PK\x03\x04 plan of " + result.code.encode()


def results_app(world: World, documents: FakeDocuments, **kwargs: object) -> FastAPI:
    """The portal with the stand-in documents."""
    return create_app(
        world.settings,
        db=world.db,
        clock=world.clock,
        policy=world.policy,
        config=WebConfig(),
        frameworks=lambda _version: world.framework,
        storage=world.storage,
        documents=documents,
        **kwargs,  # type: ignore[arg-type]
    )
