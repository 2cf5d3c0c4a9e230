"""A small released cycle on the mini framework: 40 agencies, demo answers, coded texts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, insert, select, update

from dgops.cycles import create_cycle
from dgops.db import Database
from dgops.demo.responses import store_demo_responses
from dgops.framework import Framework, load_framework
from dgops.registry.models import (
    Agency,
    AgencyLevel,
    AgencyType,
    Contact,
    ContactRole,
    CycleAgency,
    Mission,
)
from dgops.responses.models import Answer, Response, ResponseStatus
from dgops.results import pipeline, recommend_cycle, release_run, score_cycle

DATA = Path(__file__).resolve().parents[1] / "recommend" / "data"
TYPES = [AgencyType.GOVERNMENT_AGENCY, AgencyType.STATE_ENTERPRISE, AgencyType.PUBLIC_ORGANIZATION]
PROVINCES = ["เชียงใหม่", "ขอนแก่น", "ภูเก็ต", "ชลบุรี"]
TEXTS = [
    "ไม่มีงบประมาณสำหรับการสำรวจ",
    "ขาดบุคลากรที่มีความรู้",
    "อยู่ระหว่างการจัดทำแผน",
    "เรื่องอื่นที่ไม่เกี่ยวข้อง",
]
FRAMES = """
frames:
  - question: Q223
    title_th: เหตุผลที่ระบุในหมายเหตุ
    codes:
      - {code: budget, label_th: ขาดงบประมาณ, keywords: [งบประมาณ]}
      - {code: staff, label_th: ขาดบุคลากร, keywords: [บุคลากร]}
      - {code: plan, label_th: อยู่ระหว่างจัดทำแผน, keywords: [แผน]}
"""


@pytest.fixture(scope="session")
def mini() -> Framework:
    return load_framework(DATA / "mini.yaml")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A publication config: one choice question, the coded text, one unknown question."""
    (tmp_path / "frames.yaml").write_text(FRAMES, encoding="utf-8")
    path = tmp_path / "publication-mini.yaml"
    path.write_text(
        "fact_finding: [Q111, Q223, Q999]\ncode_frames: frames.yaml\n", encoding="utf-8"
    )
    return path


def _agencies(n: int = 40) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i in range(1, n + 1):
        dept = i <= 28
        rows.append(
            {
                "id": i,
                "code": f"A{i:03d}",
                "name_th": f"{'กรม' if dept else 'คณะกรรมการ CIO จังหวัด'}ทดสอบที่ {i}",
                "level": AgencyLevel.DEPARTMENT if dept else AgencyLevel.PROVINCIAL_CIO,
                "agency_type": TYPES[i % 3] if dept else None,
                # Missions: 3 policy agencies only (a group under 5).
                "mission": (Mission.POLICY if i <= 3 else Mission.SERVICE) if dept else None,
                "ministry": "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม" if dept else "กระทรวงมหาดไทย",
                "province": None if dept else PROVINCES[i % 4] if i < 40 else "น่าน",
                "active": True,
            }
        )
    return rows


def make_cycle(engine: Engine, mini: Framework, *, release: bool = True, n: int = 40) -> int:
    """Cycle 2566 of ``n`` agencies scored (and released) on the mini framework; returns the
    run id."""
    db = Database(engine)
    with db.begin() as session:
        cycle = create_cycle(
            session,
            year=2566,
            open_date=dt.date(2023, 7, 1),
            deadline=dt.date(2023, 8, 31),
            actor="test",
            framework_version="mini",
        )
        session.execute(insert(Agency), _agencies(n))
        session.execute(
            insert(Contact),
            [
                {
                    "agency_id": i,
                    "role": ContactRole.COORDINATOR,
                    "name": f"สมชาย ผู้ประสาน{i}",
                    "title": "ผู้ประสานงาน",
                    "email": f"somchai{i}@agency{i}.go.th",
                    "phone": f"02-555-{i:04d}",
                }
                for i in range(1, n + 1)
            ],
        )
        session.execute(
            insert(CycleAgency), [{"cycle_id": cycle.id, "agency_id": i} for i in range(1, n + 1)]
        )
        cycle_id = cycle.id
    with db.begin() as session:
        store_demo_responses(session, 2566, seed=5, share=0.9, framework=mini)
        # Every responding agency gets a known text for Q223 (the coded question).
        responses = session.execute(
            select(Response.id, Response.agency_id).where(Response.cycle_id == cycle_id)
        ).all()
        session.execute(
            delete(Answer).where(
                Answer.question_id == "Q223", Answer.response_id.in_([r[0] for r in responses])
            )
        )
        session.execute(
            insert(Answer),
            [
                {"response_id": rid, "question_id": "Q223", "value": TEXTS[aid % 4]}
                for rid, aid in responses
            ],
        )
        session.execute(
            update(Response)
            .where(Response.cycle_id == cycle_id)
            .values(status=ResponseStatus.VERIFIED)
        )
    source = pipeline.FrameworkSource(framework=mini, rules=DATA / "rules_mini.yaml")
    with db.begin() as session:
        out = score_cycle(session, 2566, actor="t", source=source)
    with db.begin() as session:
        recommend_cycle(session, 2566, source=source, top_themes=2)
        if release:
            release_run(session, cycle_id, out.run_id, actor="t")
    return out.run_id


@pytest.fixture
def make() -> Callable[..., int]:
    """:func:`make_cycle` (call it with the engine and the framework)."""
    return make_cycle
