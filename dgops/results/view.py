"""What an agency is shown of a released run: the one reading of results for letters, the
results page, the operators' export and the manager view.

:func:`load_results` reads a run once (scores, peer means, ranks, recommendations, last year)
into frames; :meth:`ResultSet.agency` builds one agency's :class:`AgencyResult` from them. A
released run never changes, so a reader may keep a ``ResultSet`` for as long as the run is the
released one (the portal does).

Peers are the agencies of the same level, type and mission (the run's ``peer_by``); a group of
fewer than ``MIN_PEERS`` scored agencies falls back to the same level, then to all agencies, and
the label says which comparison was made. Every missing value has a defined meaning: an agency
with no response has ``scored=False``; a pillar whose items were all dropped has ``score=None``
and a note; no last year leaves ``previous`` None with ``previous_label_th`` None.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.cycles.models import SurveyCycle
from dgops.framework import Framework
from dgops.recommend import CLASS_LABELS_TH
from dgops.registry import LEVEL_LABELS_TH, MISSION_LABELS_TH, TYPE_LABELS_TH
from dgops.registry.models import CycleAgency
from dgops.results.answers import load_agencies
from dgops.results.models import ScoreKind, ScoreRun
from dgops.results.previous import PreviousYear, previous_year
from dgops.results.release import require_released
from dgops.results.store import load_recommendations, load_scores

__all__ = [
    "CLASS_ORDER",
    "MIN_PEERS",
    "Advice",
    "AgencyResult",
    "ResultSet",
    "ScoreLine",
    "load_results",
]

MIN_PEERS = 5
"""Fewest scored agencies a peer mean is computed over (else the next wider group)."""
CLASS_ORDER = ("outstanding", "fairly_outstanding", "accelerate")


@dataclass(frozen=True)
class ScoreLine:
    """One score an agency is shown: overall, a pillar or a sub-indicator."""

    kind: str
    code: str
    name_th: str
    score: float | None
    level: int | None
    level_name_th: str | None
    peer_mean: float | None
    rank_peer: int | None
    peer_size: int | None
    previous: float | None
    pillar: str | None = None

    @property
    def delta(self) -> float | None:
        """This year minus last year (None when either is missing)."""
        if self.score is None or self.previous is None:
            return None
        return self.score - self.previous


@dataclass(frozen=True)
class Advice:
    """A sub-indicator sorted into a recommendation class, with DGA's advice."""

    sub_indicator: str
    name_th: str
    pillar: str
    rec_class: str
    score: float | None
    peer_mean: float | None
    advice_th: str
    lead_unit: str
    support_units: tuple[str, ...]


@dataclass(frozen=True)
class AgencyResult:
    """Everything one agency is shown of a released run."""

    agency_id: int
    code: str
    name_th: str
    year_be: int
    run_id: int
    scored: bool
    """False: the agency did not respond (or was not scored); no scores below."""
    peer_label_th: str
    overall: ScoreLine | None
    pillars: tuple[ScoreLine, ...]
    sub_indicators: tuple[ScoreLine, ...]
    advice: dict[str, tuple[Advice, ...]]
    """By class, in :data:`CLASS_ORDER`; every class present (maybe empty)."""
    previous_label_th: str | None
    notes_th: tuple[str, ...] = ()

    def class_label_th(self, rec_class: str) -> str:
        return CLASS_LABELS_TH[rec_class]


def _f(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    v = float(value)
    return None if math.isnan(v) else v


def _i(value: Any) -> int | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return int(value)


def _label(column: str, value: Any) -> str:
    labels: dict[Any, str]
    if column == "level":
        labels = {k.value: v for k, v in LEVEL_LABELS_TH.items()}
    elif column == "agency_type":
        labels = {k.value: v for k, v in TYPE_LABELS_TH.items()}
    elif column == "mission":
        labels = {k.value: v for k, v in MISSION_LABELS_TH.items()}
    else:
        return str(value)
    return labels.get(value, str(value))


def _group_key(agencies: pd.DataFrame, by: Sequence[str]) -> pd.Series:
    if not by:
        return pd.Series("*", index=agencies.index, dtype=object)
    parts = [agencies[c].astype(object).where(agencies[c].notna(), "-").astype(str) for c in by]
    key = parts[0]
    for part in parts[1:]:
        key = key + "|" + part
    return key


@dataclass
class ResultSet:
    """A released run read once: build agencies' results with :meth:`agency`."""

    cycle: SurveyCycle
    run: ScoreRun
    framework: Framework
    scores: pd.DataFrame
    """Long: agency_id, kind, code, score, level, rank_peer, peer_size, peer_mean, previous."""
    recommendations: pd.DataFrame
    agencies: pd.DataFrame
    """Index agency id: code, name_th, level, agency_type, mission, ministry, province and
    peer_label_th."""
    enrolled: set[int]
    previous: PreviousYear | None
    _rows: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    _recs: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        by_agency: dict[Any, Any] = self.scores.groupby("agency_id", sort=False).indices
        self._rows = {int(k): np.asarray(v) for k, v in by_agency.items()}
        recs_by: dict[Any, Any] = self.recommendations.groupby("agency_id", sort=False).indices
        self._recs = {int(k): np.asarray(v) for k, v in recs_by.items()}
        self._names = {"overall": "คะแนนภาพรวม"}
        self._pillar_of: dict[str, str] = {}
        self._pillar_levels: dict[str, list[str] | None] = {}
        for pillar in self.framework.pillars:
            self._names[pillar.code] = pillar.name_th
            self._pillar_levels[pillar.code] = pillar.levels
            for sub in pillar.sub_indicators:
                self._names[sub.code] = sub.name_th
                self._pillar_of[sub.code] = pillar.code
        self._level_names = {lv.level: lv.name_th for lv in self.framework.levels}
        self._order = {code: i for i, code in enumerate(self._names)}

    @property
    def year_be(self) -> int:
        return self.cycle.year_be

    def agency_ids(self) -> list[int]:
        """Agencies of the cycle with a result or enrolled (sorted by agency code)."""
        ids = set(self._rows) | self.enrolled
        known = [i for i in ids if i in self.agencies.index]
        return sorted(known, key=lambda i: str(self.agencies.at[i, "code"]))

    def level_name(self, code: str, level: int | None) -> str | None:
        """The level's name: the pillar's own level names where it has them."""
        if level is None:
            return None
        names = self._pillar_levels.get(code)
        general = self._level_names.get(level)
        if names and 1 <= level <= len(names):
            return f"{general} ({names[level - 1]})" if general else names[level - 1]
        return general

    def _line(self, row: Any) -> ScoreLine:
        kind, code = row.kind, row.code
        level = _i(row.level)
        return ScoreLine(
            kind=kind,
            code=code,
            name_th=self._names.get(code, code),
            score=_f(row.score),
            level=level,
            level_name_th=self.level_name(code if kind != "overall" else "", level),
            peer_mean=_f(row.peer_mean),
            rank_peer=_i(row.rank_peer),
            peer_size=_i(row.peer_size),
            previous=_f(row.previous),
            pillar=self._pillar_of.get(code),
        )

    def agency(self, agency_id: int) -> AgencyResult | None:
        """One agency's result (None when the agency is not part of this cycle)."""
        if agency_id not in self.agencies.index:
            return None
        if agency_id not in self._rows and agency_id not in self.enrolled:
            return None
        info = self.agencies.loc[agency_id]
        rows = self.scores.iloc[self._rows.get(agency_id, [])]
        lines = [self._line(r) for r in rows.itertuples(index=False)]
        lines.sort(key=lambda line: self._order.get(line.code, len(self._order)))
        overall = next((x for x in lines if x.kind == "overall"), None)
        pillars = tuple(x for x in lines if x.kind == ScoreKind.PILLAR.value)
        subs = tuple(x for x in lines if x.kind == ScoreKind.SUB_INDICATOR.value)
        notes = [
            f"ไม่มีคะแนน{p.name_th} เนื่องจากไม่มีข้อคำถามในมิตินี้ที่นำมาคิดคะแนนได้"
            for p in pillars
            if p.score is None
        ]
        advice: dict[str, list[Advice]] = {c: [] for c in CLASS_ORDER}
        recs = self.recommendations.iloc[self._recs.get(agency_id, [])]
        r: Any
        for r in recs.itertuples(index=False):
            advice.setdefault(str(r.rec_class), []).append(
                Advice(
                    sub_indicator=r.sub_indicator,
                    name_th=self._names.get(str(r.sub_indicator), str(r.sub_indicator)),
                    pillar=r.pillar,
                    rec_class=str(r.rec_class),
                    score=_f(r.score),
                    peer_mean=_f(r.peer_mean),
                    advice_th=r.advice_th or "",
                    lead_unit=r.lead_unit or "",
                    support_units=tuple(str(u) for u in (r.support_units or ())),
                )
            )
        has_previous = self.previous is not None and bool(
            (self.previous.scores["agency_id"] == agency_id).any()
        )
        return AgencyResult(
            agency_id=agency_id,
            code=str(info["code"]),
            name_th=str(info["name_th"]),
            year_be=self.year_be,
            run_id=self.run.id,
            scored=overall is not None,
            peer_label_th=str(info["peer_label_th"]),
            overall=overall,
            pillars=pillars,
            sub_indicators=subs,
            advice={k: tuple(v) for k, v in advice.items()},
            previous_label_th=self.previous.label_th if has_previous and self.previous else None,
            notes_th=tuple(notes),
        )

    def __iter__(self) -> Iterator[AgencyResult]:
        for agency_id in self.agency_ids():
            result = self.agency(agency_id)
            if result is not None:
                yield result


def _peer_stats(
    scores: pd.DataFrame, agencies: pd.DataFrame, peer_by: Sequence[str]
) -> tuple[pd.DataFrame, pd.Series]:
    """Each score row's peer mean (of the narrowest group with ``MIN_PEERS`` scored agencies)
    and each agency's peer label."""
    scored = scores["agency_id"].isin(scores.loc[scores["kind"] == "overall", "agency_id"])
    chains = [tuple(peer_by)]
    if tuple(peer_by) != ("level",) and "level" in peer_by:
        chains.append(("level",))
    chains.append(())
    overall_ids = scores.loc[(scores["kind"] == "overall") & scores["score"].notna(), "agency_id"]
    chosen = pd.Series(len(chains) - 1, index=agencies.index)
    for depth in range(len(chains) - 1, -1, -1):
        key = _group_key(agencies, chains[depth])
        size = key[key.index.isin(overall_ids)].value_counts()
        big = key.map(size).fillna(0) >= MIN_PEERS
        chosen = chosen.where(~big, depth)
    labels = pd.Series("หน่วยงานที่ตอบแบบสำรวจทั้งหมด", index=agencies.index, dtype=object)
    for depth, by in enumerate(chains):
        mask = chosen == depth
        if not mask.any():
            continue
        if by:
            labels.loc[mask] = [  # type: ignore[call-overload]
                " ".join(_label(c, agencies.at[i, c]) for c in by if agencies.at[i, c] is not None)
                for i in agencies.index[mask]
            ]
    frame = scores.copy()
    depth_of = frame["agency_id"].map(chosen)
    for col in ("peer_mean", "rank_peer", "peer_size"):
        frame[col] = np.nan
    # Mean, rank and size over every scored agency of the group the label names (a fallback
    # group takes in the agencies of the narrower groups too).
    own = frame["score"].where(scored)
    for depth, by in enumerate(chains):
        rows = depth_of == depth
        if not rows.any():
            continue
        key = frame["agency_id"].map(_group_key(agencies, by))
        grouped = own.groupby([key, frame["kind"], frame["code"]], sort=False)
        frame.loc[rows, "peer_mean"] = grouped.transform("mean")[rows]
        frame.loc[rows, "rank_peer"] = grouped.rank(method="min", ascending=False)[rows]
        frame.loc[rows, "peer_size"] = grouped.transform("count")[rows]
    frame["peer_size"] = frame["peer_size"].where(frame["score"].notna())
    frame["rank_peer"] = frame["rank_peer"].astype("Int64")
    frame["peer_size"] = frame["peer_size"].astype("Int64")
    return frame, labels


def load_results(
    session: Session,
    cycle: SurveyCycle,
    *,
    run: ScoreRun | None = None,
    framework: Framework | None = None,
) -> ResultSet:
    """Read the cycle's released run (or ``run``) for letters, pages and exports.

    Raises :class:`dgops.results.ReleaseError` when the cycle has no released run.
    """
    from dgops.framework import load_framework

    run = run or require_released(session, cycle.id, cycle.year_be)
    fw = framework or load_framework(run.framework_version)
    scores = load_scores(session, run.id)
    enrolled = set(
        session.scalars(select(CycleAgency.agency_id).where(CycleAgency.cycle_id == cycle.id)).all()
    )
    ids = sorted(set(scores["agency_id"].astype(int)) | enrolled)
    agencies = load_agencies(session, ids)
    peer_by = tuple(run.params.get("peer_by", ("level",)))
    scores, labels = _peer_stats(scores, agencies, peer_by)
    agencies = agencies.assign(peer_label_th=labels.reindex(agencies.index).fillna(""))
    previous = previous_year(session, cycle, fw)
    if previous is not None and len(previous.scores):
        prev = previous.scores.set_index(["agency_id", "kind", "code"])["score"]
        keys = pd.MultiIndex.from_arrays([scores["agency_id"], scores["kind"], scores["code"]])
        scores["previous"] = prev.reindex(keys).to_numpy()
    else:
        scores["previous"] = np.nan
    recs = load_recommendations(session, run.id)
    return ResultSet(
        cycle=cycle,
        run=run,
        framework=fw,
        scores=scores.reset_index(drop=True),
        recommendations=recs.reset_index(drop=True),
        agencies=agencies,
        enrolled=enrolled,
        previous=previous,
    )
