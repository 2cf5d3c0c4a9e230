"""Demo answers: deterministic, in domain, show_if respected, and shaped like the 2023 report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, insert, select

from dgops.cycles import create_cycle
from dgops.db import Database
from dgops.demo.responses import generate_responses, store_demo_responses
from dgops.framework import DATA_DIR, Framework, is_missing, load_framework
from dgops.registry.models import Agency, AgencyLevel
from dgops.responses.models import Answer, Response, ResponseStatus
from dgops.scoring import INPUT_REASONS, score

MINI = Path(__file__).resolve().parents[1] / "recommend" / "data" / "mini.yaml"
TYPES = ["government_agency", "state_enterprise", "public_organization"]


def _agencies(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "level": "department",
            "agency_type": rng.choice(TYPES, n, p=[0.6, 0.2, 0.2]),
            "mission": rng.choice(["policy", "service"], n, p=[0.4, 0.6]),
        },
        index=pd.Index(range(1, n + 1), name="agency_id"),
    )


def _frameworks() -> list[Framework]:
    shipped = [fid for fid in ("2565", "2566") if (DATA_DIR / f"{fid}.yaml").exists()]
    return [load_framework(MINI), *(load_framework(fid) for fid in shipped)]


@pytest.fixture(scope="module")
def mini() -> Framework:
    return load_framework(MINI)


def test_should_give_the_same_answers_for_the_same_seed(mini: Framework) -> None:
    agencies = _agencies(50)
    first = generate_responses(mini, agencies, seed=7)
    assert first.equals(generate_responses(mini, agencies, seed=7))
    assert not first.equals(generate_responses(mini, agencies, seed=8))
    # an agency's latent readiness does not depend on who else is in the frame
    alone = generate_responses(mini, agencies.iloc[:10], seed=7)
    assert list(alone.index) == list(range(1, 11))


@pytest.mark.parametrize("framework", _frameworks(), ids=lambda f: f.id)
def test_should_answer_every_question_within_its_domain(framework: Framework) -> None:
    answers = generate_responses(framework, _agencies(200), seed=11)
    assert list(answers.columns) == framework.question_ids
    # external inputs come from central systems, not from the answers: only values are judged
    assert [i for i in score(framework, answers).issues if i.reason not in INPUT_REASONS] == []
    for q in framework.questions:
        values = [v for v in answers[q.id] if not is_missing(v)]
        if q.type in ("yes_no", "single_choice"):
            assert set(values) <= set(q.option_ids()), q.id
        elif q.type == "multiple_choice":
            assert all(isinstance(v, list) and set(v) <= set(q.option_ids()) for v in values)
        elif q.type == "percentage":
            assert all(0 <= v <= 100 for v in values), q.id
        elif q.type == "number":
            assert all(isinstance(v, int | float) and v >= 0 for v in values), q.id
        else:
            assert all(isinstance(v, str) and v for v in values), q.id


@pytest.mark.parametrize("framework", _frameworks(), ids=lambda f: f.id)
def test_should_leave_hidden_questions_unanswered_and_some_optional_ones_missing(
    framework: Framework,
) -> None:
    answers = generate_responses(framework, _agencies(200), seed=12)
    hidden = 0
    for agency_id, row in answers.iterrows():
        shown = framework.evaluate_show_if(row.to_dict())
        for qid, visible in shown.items():
            if not visible:
                hidden += 1
                assert is_missing(row[qid]), (agency_id, qid)
    optional = [q.id for q in framework.questions if not q.required]
    if any(q.show_if is not None for q in framework.questions):
        assert hidden > 0
    if optional:
        assert answers[optional].isna().to_numpy().any()


def test_should_make_digital_capability_weakest_and_show_type_and_mission_gaps(
    mini: Framework,
) -> None:
    agencies = _agencies(600, seed=1)
    result = score(mini, generate_responses(mini, agencies, seed=3))
    pillars = result.pillars  # P1 policies, P2 digital capability, P3 public services
    assert pillars.mean().idxmin() == "P2"
    assert pillars.mean().idxmax() == "P1"
    by_mission = pillars.groupby(agencies["mission"]).mean()
    assert by_mission.loc["service", "P3"] > by_mission.loc["policy", "P3"]
    assert by_mission.loc["service", "P2"] < by_mission.loc["policy", "P2"]
    by_type = result.overall.groupby(agencies["agency_type"]).mean()
    assert by_type["government_agency"] > by_type["state_enterprise"]
    assert by_type["government_agency"] > by_type["public_organization"]


@pytest.mark.skipif(not (DATA_DIR / "2566.yaml").exists(), reason="2566 not shipped yet")
def test_should_shape_the_2566_pillar_levels_like_the_2023_report() -> None:
    framework = load_framework("2566")
    agencies = _agencies(400, seed=2)
    result = score(framework, generate_responses(framework, agencies, seed=4))
    names = {p.code: (p.name_en or "") for p in framework.pillars}
    capability = next(c for c, n in names.items() if "Capabilit" in n)
    share_initial = (result.pillar_levels == 1).mean()
    assert share_initial.idxmax() == capability
    defined_up = (result.pillar_levels >= 3).mean()
    assert defined_up[capability] < defined_up.drop(capability).min()


def test_should_store_responses_in_bulk_and_replace_them_on_rerun(engine: Engine) -> None:
    mini = load_framework(MINI)
    db = Database(engine)
    with db.begin() as session:
        create_cycle(
            session,
            year=2566,
            open_date=dt.date(2023, 7, 1),
            deadline=dt.date(2023, 8, 31),
            actor="t",
            framework_version="mini",
        )
        session.execute(
            insert(Agency),
            [
                {
                    "id": i,
                    "code": f"D{i}",
                    "name_th": f"กรม {i}",
                    "level": AgencyLevel.DEPARTMENT,
                    "active": True,
                }
                for i in range(1, 41)
            ],
        )
    with db.begin() as session:
        first = store_demo_responses(session, 2566, seed=1, share=0.9, framework=mini)
    with db.begin() as session:
        again = store_demo_responses(session, 2023, seed=1, share=0.9, framework=mini)
    assert first == again
    with db.begin() as session:
        statuses = session.scalars(select(Response.status)).all()
        channels = set(session.scalars(select(Response.channel)).all())
        n_answers = session.scalar(select(func.count()).select_from(Answer))
    assert len(statuses) == first["responses"] == first["verified"] + first["submitted"]
    assert 30 <= first["responses"] < 40
    assert set(statuses) <= {ResponseStatus.SUBMITTED, ResponseStatus.VERIFIED}
    assert channels <= {"online", "paper"}
    assert n_answers == first["answers"]
