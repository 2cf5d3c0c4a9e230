"""Demo answers: realistic, deterministic questionnaires for every agency of a cycle.

Each agency has a latent *readiness* (normal, shifted by level, type and mission); each pillar
adds its own shift, so that the shape of the 2023 national report (seed 002) comes out of the
scoring engine: Digital Capability is the weakest pillar and Policies & Practices the strongest;
policy/regulation agencies are more often at Defined or above than service agencies, which in
turn do better on Public Services and worse on Digital Capability; government agencies lead
state enterprises and public organisations. Items are answered with a probability that rises
with readiness and falls with the item's maturity level, so answers are consistent across
items. Every answer is within its question's domain, hidden questions (show_if) are left
unanswered and some optional answers are missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from dgops.framework import (
    BandsRule,
    Framework,
    OptionPointsRule,
    Pillar,
    Question,
    ValueWeightRule,
)
from dgops.registry.models import Agency, CycleAgency
from dgops.responses import EvidenceFile, EvidenceStorage
from dgops.responses.models import Answer, Response, ResponseEvent, ResponseStatus

__all__ = [
    "LEVEL_EFFECT",
    "LEVEL_THRESHOLDS",
    "MISSION_EFFECT",
    "PILLAR_EFFECT",
    "TYPE_EFFECT",
    "generate_responses",
    "store_demo_responses",
]

# Shifts of the latent readiness (in sd units). Calibrated to the 2566 deck: share at Defined+
# is 64% for government agencies, 46-49% for state enterprises and public organisations, more
# policy than service agencies at Defined+, Digital Capability weakest, Policies strongest.
LEVEL_EFFECT: dict[str, float] = {
    "department": 0.0,
    "provincial_cio": -0.1,
    "provincial_office": -0.45,
    "local_government": -0.8,
}
TYPE_EFFECT: dict[str, float] = {
    "government_agency": 0.15,
    "state_enterprise": -0.25,
    "public_organization": -0.2,
    "independent_organization": 0.1,
    "other": -0.3,
}
MISSION_EFFECT: dict[str, float] = {"policy": 0.15, "service": -0.05}
# pillar theme → (shift for everyone, extra for service-mission agencies)
PILLAR_EFFECT: dict[str, tuple[float, float]] = {
    "policy": (0.6, 0.0),
    "capability": (-0.55, -0.3),
    "services": (0.1, 0.45),
    "back_office": (0.2, 0.0),
    "infrastructure": (0.1, 0.0),
    "technology": (-0.3, 0.0),
    "data": (0.0, 0.0),
}
# Latent readiness above these reaches levels 2, 3, 4 and 5 of a pillar.
LEVEL_THRESHOLDS: tuple[float, ...] = (-0.9, -0.15, 0.9, 1.8)
_PILLAR_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("capabilit", "capability"),
    ("public service", "services"),
    ("polic", "policy"),
    ("back office", "back_office"),
    ("infrastructure", "infrastructure"),
    ("technolog", "technology"),
    ("data", "data"),
)
_TEXTS = (
    "หน่วยงานดำเนินการตามแผนปฏิบัติการด้านดิจิทัลที่ได้รับความเห็นชอบแล้ว",
    "มีการจัดทำรายงานผลการดำเนินงานและเผยแพร่บนเว็บไซต์ของหน่วยงาน",
    "อยู่ระหว่างการพัฒนาระบบและประสานงานกับหน่วยงานที่เกี่ยวข้อง",
    "ดำเนินการร่วมกับสำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)",
)


def pillar_theme(pillar: Pillar) -> str | None:
    """Which demo effect applies to a pillar, by its English (else Thai) name."""
    name = (pillar.name_en or "").lower()
    for keyword, theme in _PILLAR_KEYWORDS:
        if keyword in name:
            return theme
    thai = pillar.name_th
    for keyword, theme in (("ศักยภาพ", "capability"), ("บริการ", "services"), ("นโยบาย", "policy")):
        if keyword in thai:
            return theme
    return None


def _sigmoid(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _effect(values: pd.Series, table: Mapping[str, float]) -> npt.NDArray[np.float64]:
    return np.array([table.get(str(v), 0.0) for v in values], dtype=np.float64)


def _column(agencies: pd.DataFrame, name: str) -> pd.Series:
    if name in agencies.columns:
        return agencies[name].astype(object)
    return pd.Series([None] * len(agencies), index=agencies.index, dtype=object)


def _answers_for(
    q: Question,
    x: npt.NDArray[np.float64],
    rng: np.random.Generator,
    ids: npt.NDArray[np.int64],
    seed: int,
) -> list[Any]:
    """Answers of every agency to ``q`` given its propensity ``x`` in 0..1 (higher = better)."""
    n = len(x)
    hit = rng.random(n) < x
    rule = q.scoring
    if q.type == "yes_no":
        return ["yes" if h else "no" for h in hit]
    if q.type == "single_choice":
        options = q.option_ids()
        if isinstance(rule, OptionPointsRule):
            options = sorted(options, key=lambda o: (rule.points.get(o, 0.0), options.index(o)))
            draw = np.where(x >= 1.0, 0.999, np.clip(x + rng.normal(0, 0.15, n), 0, 0.999))
            return [options[int(d * len(options))] for d in draw]
        return [options[i] for i in rng.integers(0, len(options), n)]
    if q.type == "multiple_choice":
        options = q.option_ids()
        points = rule.points if isinstance(rule, OptionPointsRule) else {}
        good = [o for o in options if points.get(o, 1.0) > 0]
        weak = [o for o in options if o not in good]
        out: list[Any] = []
        for i in range(n):
            chosen = [o for o in good if rng.random() < x[i]]
            if not chosen and weak:
                chosen = [weak[0]]
            if not chosen:
                chosen = [good[int(rng.integers(0, len(good)))]]
            out.append([o for o in options if o in chosen])
        return out
    if q.type in ("number", "percentage"):
        draw = np.where(x >= 1.0, 1.0, np.clip(x + rng.normal(0, 0.1, n), 0, 1))
        if q.type == "percentage":
            return [round(float(v) * 100, 1) for v in draw]
        if isinstance(rule, ValueWeightRule):
            top = rule.max / (rule.weight or 1.0)
            return [round(float(v) * top * 1.2) for v in draw]
        if isinstance(rule, BandsRule):
            top = max(b.min for b in rule.bands) or 1.0
            return [round(float(v) * top * 1.3) for v in draw]
        return [int(v) for v in rng.poisson(lam=5 + 40 * draw)]
    if q.type == "text":
        # Required texts are always answered (the portal refuses to submit without them).
        return [
            str(_TEXTS[i % len(_TEXTS)]) if h or q.required else None for i, h in enumerate(hit)
        ]
    if q.type == "evidence":
        return [
            hashlib.sha256(f"demo:{seed}:{aid}:{q.id}".encode()).hexdigest()
            if h or q.required
            else None
            for aid, h in zip(ids, hit, strict=True)
        ]
    raise ValueError(f"{q.id}: unknown question type {q.type!r}")


def generate_responses(
    framework: Framework,
    agencies: pd.DataFrame,
    seed: int,
    *,
    missing_optional: float = 0.12,
) -> pd.DataFrame:
    """Answers of every agency of ``agencies`` (index: agency id; columns level, agency_type,
    mission — missing columns count as unknown) to ``framework``: the scoring engine's wide
    frame (object columns in questionnaire order, None = not answered). Same seed, same answers.
    """
    rng = np.random.default_rng([seed, 2566])
    ids = agencies.index.to_numpy(dtype=np.int64)
    n = len(ids)
    # Order-independent per agency: the latent draw is keyed by agency id.
    base = (
        np.array([np.random.default_rng([seed, int(a)]).normal() for a in ids], dtype=np.float64)
        * 0.85
    )
    mission = _column(agencies, "mission")
    readiness = (
        base
        + _effect(_column(agencies, "level"), LEVEL_EFFECT)
        + _effect(_column(agencies, "agency_type"), TYPE_EFFECT)
        + _effect(mission, MISSION_EFFECT)
    )
    is_service = np.array([str(m) == "service" for m in mission])
    columns: dict[str, list[Any]] = {}
    for pillar in framework.pillars:
        shift, service_extra = PILLAR_EFFECT.get(pillar_theme(pillar) or "", (0.0, 0.0))
        r_pillar = readiness + shift + service_extra * is_service + rng.normal(0, 0.35, n)
        # The level the agency has reached in this pillar: items of that level and below are
        # met (so the staged rule sees it), items above mostly not.
        target = 1 + (r_pillar[:, None] > np.asarray(LEVEL_THRESHOLDS)[None, :]).sum(axis=1)
        for sub in pillar.sub_indicators:
            r_sub = r_pillar + rng.normal(0, 0.25, n)
            for q in sub.questions:
                if q.level is not None:
                    slip = rng.random(n) < 0.003
                    x = np.where(
                        (q.level <= target) & ~slip,
                        1.0,
                        np.where(q.level == target + 1, 0.3, 0.1),
                    )
                else:
                    difficulty = rng.normal(0, 0.6)
                    x = _sigmoid(1.4 * (r_sub - difficulty + rng.normal(0, 0.5, n)))
                columns[q.id] = _answers_for(q, x, rng, ids, seed)
    frame = pd.DataFrame(columns, index=pd.Index(ids, name="agency_id"), dtype=object)

    # Optional answers left out first, then show_if: a question hidden by a missing answer
    # is not answered either (conditions cascade).
    values = frame.to_numpy(dtype=object, copy=True)
    qids = list(frame.columns)
    optional = np.array([not framework.question(q).required for q in qids])
    drop = (rng.random(values.shape) < missing_optional) & optional[None, :]
    values[drop] = None
    # show_if: hidden questions are not answered (evaluated per agency, cascading).
    has_conditions = any(q.show_if is not None for q in framework.questions)
    for i in range(n if has_conditions else 0):
        row = dict(zip(qids, values[i], strict=True))
        shown = framework.evaluate_show_if(row)
        for j, qid in enumerate(qids):
            if not shown[qid]:
                values[i, j] = None
    return pd.DataFrame(values, index=frame.index, columns=qids, dtype=object)


def store_demo_responses(
    session: Session,
    cycle_year: int,
    seed: int,
    *,
    share: float = 0.97,
    verified_share: float = 0.85,
    online_share: float = 0.9,
    framework: Framework | None = None,
    actor: str = "demo",
    respondents: Mapping[int, dt.datetime] | None = None,
    evidence_root: Path | None = None,
) -> dict[str, int]:
    """Write demo responses (submitted or verified, online or paper) with their answers.

    Responding agencies are ``share`` of the cycle's enrolled agencies (all active agencies
    when none are enrolled), chosen by ``seed``. Their earlier responses to this cycle are
    replaced. ``respondents`` (agency id → submission time, from the fieldwork simulation)
    fixes who responded and when instead. Runs in the caller's transaction; rows are inserted
    in bulk. Returns counts: agencies, responses, verified, submitted, answers.
    """
    from dgops.cycles import get_cycle
    from dgops.framework import load_framework

    cycle = get_cycle(session, cycle_year)
    fw = framework or load_framework(cycle.framework_version)
    enrolled = select(CycleAgency.agency_id).where(CycleAgency.cycle_id == cycle.id)
    stmt = select(Agency.id, Agency.level, Agency.agency_type, Agency.mission)
    if session.scalar(enrolled.limit(1)) is not None:
        stmt = stmt.where(Agency.id.in_(enrolled))
    else:
        stmt = stmt.where(Agency.active.is_(True))
    rows = session.execute(stmt.order_by(Agency.id)).all()
    agencies = pd.DataFrame(
        [[r[0], *(getattr(v, "value", v) for v in r[1:])] for r in rows],
        columns=["id", "level", "agency_type", "mission"],
    ).set_index("id")
    rng = np.random.default_rng([seed, cycle.year_be, 7])
    respond = rng.random(len(agencies)) < share
    if respondents is not None:
        respond = agencies.index.isin(list(respondents))
    agencies = agencies[respond]
    answers = generate_responses(fw, agencies, seed)

    ids = [int(a) for a in agencies.index]
    if ids:
        session.execute(
            delete(Response).where(Response.cycle_id == cycle.id, Response.agency_id.in_(ids))
        )
    start = dt.datetime.combine(cycle.open_date, dt.time(9), tzinfo=dt.UTC)
    span = max((cycle.deadline - cycle.open_date).days, 1) * 86_400
    verified = rng.random(len(ids)) < verified_share
    online = rng.random(len(ids)) < online_share
    offsets = rng.integers(0, span, len(ids))
    submitted_at = [start + dt.timedelta(seconds=int(o)) for o in offsets]
    if respondents is not None:
        submitted_at = [respondents.get(a, at) for a, at in zip(ids, submitted_at, strict=True)]
    response_rows: list[dict[str, Any]] = [
        {
            "cycle_id": cycle.id,
            "agency_id": aid,
            "status": ResponseStatus.VERIFIED if verified[i] else ResponseStatus.SUBMITTED,
            "channel": "online" if online[i] else "paper",
            "submitted_at": submitted_at[i],
            "submitted_by": actor,
        }
        for i, aid in enumerate(ids)
    ]
    response_id: dict[int, int] = {}
    for chunk_start in range(0, len(response_rows), 2_000):
        chunk = response_rows[chunk_start : chunk_start + 2_000]
        result = session.execute(insert(Response).returning(Response.id, Response.agency_id), chunk)
        response_id.update({int(a): int(r) for r, a in result.all()})

    events: list[dict[str, Any]] = []
    for i, row in enumerate(response_rows):
        rid = response_id[ids[i]]
        at = submitted_at[i]
        events.append(
            {
                "response_id": rid,
                "at": at,
                "actor": actor,
                "from_status": "in_progress",
                "to_status": "submitted",
                "channel": row["channel"],
                "reason": "demo",
            }
        )
        if verified[i]:
            events.append(
                {
                    "response_id": rid,
                    "at": at + dt.timedelta(days=3),
                    "actor": actor,
                    "from_status": "submitted",
                    "to_status": "verified",
                    "channel": row["channel"],
                    "reason": "demo",
                }
            )
    if events:
        session.execute(insert(ResponseEvent), events)

    now = dt.datetime.now(dt.UTC)
    answer_rows: list[dict[str, Any]] = []
    values = answers.to_numpy(dtype=object)
    qids = list(answers.columns)
    for i, aid in enumerate(answers.index):
        rid = response_id[int(aid)]
        for j, value in enumerate(values[i]):
            if value is None:
                continue
            answer_rows.append(
                {"response_id": rid, "question_id": qids[j], "value": value, "updated_at": now}
            )
    for chunk_start in range(0, len(answer_rows), 10_000):
        session.execute(insert(Answer), answer_rows[chunk_start : chunk_start + 10_000])
    n_evidence = 0
    if evidence_root is not None:
        n_evidence = _attach_demo_evidence(
            session, fw, answers, response_id, EvidenceStorage(evidence_root), actor, now
        )
    n_verified = int(verified.sum())
    return {
        "agencies": len(rows),
        "responses": len(ids),
        "verified": n_verified,
        "submitted": len(ids) - n_verified,
        "answers": len(answer_rows),
        "evidence": n_evidence,
    }


def _demo_evidence_pdf() -> bytes:
    """A one-page PDF standing in for the documents agencies attach to their claims."""
    text = b"BT /F1 18 Tf 72 720 Td (dgops demo evidence) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _attach_demo_evidence(
    session: Session,
    framework: Framework,
    answers: pd.DataFrame,
    response_id: Mapping[int, int],
    storage: EvidenceStorage,
    actor: str,
    now: dt.datetime,
) -> int:
    """Attach the demo evidence file to every claim whose question requires evidence."""
    from dgops.framework import is_claim

    content = _demo_evidence_pdf()
    sha256 = storage.put(content)
    wanted = [q for q in framework.questions if q.evidence == "required" and q.id in answers]
    rows: list[dict[str, Any]] = []
    for q in wanted:
        column = answers[q.id]
        for aid, value in zip(column.index.tolist(), column.tolist(), strict=True):
            if is_claim(q, value):
                rows.append(
                    {
                        "response_id": response_id[int(aid)],
                        "question_id": q.id,
                        "sha256": sha256,
                        "filename": f"{q.id}.pdf",
                        "content_type": "application/pdf",
                        "size": len(content),
                        "uploaded_by": actor,
                        "uploaded_at": now,
                    }
                )
    for start in range(0, len(rows), 5_000):
        session.execute(insert(EvidenceFile), rows[start : start + 5_000])
    return len(rows)


def write_demo_external(
    session: Session, cycle_id: int, framework: Framework, path: Path, seed: int
) -> Path:
    """A CSV of the framework's external inputs (web accessibility audit, data catalogue, …)
    for every enrolled agency, as the central systems would deliver it: an ``agency`` column
    with codes and one 0..1 column per key; a few agencies have no value (not audited).
    UTF-8 with BOM so Excel shows Thai correctly."""
    codes = session.scalars(
        select(Agency.code)
        .join(CycleAgency, CycleAgency.agency_id == Agency.id)
        .where(CycleAgency.cycle_id == cycle_id)
        .order_by(Agency.code)
    ).all()
    rng = np.random.default_rng([seed, 17])
    frame = pd.DataFrame({"agency": list(codes)})
    for e in framework.external_inputs:
        values = np.round(rng.beta(4.0, 2.5, size=len(codes)), 3)
        missing = rng.random(len(codes)) < 0.04
        frame[e.key] = np.where(missing, np.nan, values)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path
