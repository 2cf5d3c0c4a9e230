"""Last year's scores for year-on-year comparisons, in this year's codes.

Last year is the released run of the previous cycle when dgops ran that year, else the scores
DGA published for it and an operator imported (``dgops results import-previous``). Pillar and
sub-indicator codes go through the framework's year-on-year mapping file
(``mapping_<previous>_<current>.yaml``): a code with no counterpart (new this year) has no
previous score, never a score of an unrelated item with the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.cycles.models import SurveyCycle
from dgops.framework import Framework, YearMapping
from dgops.results.models import PublishedScore, ScoreKind
from dgops.results.release import released_run
from dgops.results.store import load_scores

__all__ = ["PREVIOUS_COLUMNS", "PreviousYear", "previous_year", "year_mapping"]

PREVIOUS_COLUMNS = ["agency_id", "kind", "code", "previous_code", "score", "level"]


@dataclass(frozen=True)
class PreviousYear:
    """Last year's scores of a cycle's agencies, keyed by this year's codes."""

    year_be: int
    source: str
    """``run`` (a released dgops run) or ``published`` (imported published results)."""
    label_th: str
    """How pages and letters name the comparison, e.g. ``ปี ๒๕๖๕`` sources included."""
    scores: pd.DataFrame
    """Long: agency_id, kind, code (this year's), previous_code, score, level."""
    mapping_notes: list[str] = field(default_factory=list)

    def of(self, agency_id: int) -> pd.DataFrame:
        """One agency's rows."""
        return self.scores[self.scores["agency_id"] == agency_id]


def year_mapping(previous_version: str, current: Framework) -> YearMapping | None:
    """The shipped mapping from ``previous_version`` to ``current`` (None: same codes)."""
    from dgops.framework import FrameworkError, load_mapping

    if previous_version == current.id:
        return None
    try:
        return load_mapping((previous_version, current.id))
    except FrameworkError:
        return None


def _to_current(
    before: pd.DataFrame, current: Framework, mapping: YearMapping | None
) -> pd.DataFrame:
    """Rows of ``before`` (previous codes) re-keyed to this year's codes; unmatched dropped."""
    targets: list[tuple[str, str, str | None]] = [("overall", "overall", "overall")]
    for pillar in current.pillars:
        prev = mapping.previous_pillar(pillar.code) if mapping else pillar.code
        targets.append((ScoreKind.PILLAR.value, pillar.code, prev))
        for sub in pillar.sub_indicators:
            prev_sub = mapping.previous_sub_indicator(sub.code) if mapping else sub.code
            targets.append((ScoreKind.SUB_INDICATOR.value, sub.code, prev_sub))
    keyed = pd.DataFrame(targets, columns=["kind", "code", "previous_code"]).dropna()
    merged = keyed.merge(
        before.rename(columns={"code": "previous_code"}),
        on=["kind", "previous_code"],
        how="inner",
    )
    return merged[PREVIOUS_COLUMNS].reset_index(drop=True)


def previous_year(session: Session, cycle: SurveyCycle, current: Framework) -> PreviousYear | None:
    """Last year's scores for ``cycle``'s comparisons, or None when there are none."""
    year = cycle.year_be - 1
    before_cycle = session.scalar(select(SurveyCycle).where(SurveyCycle.year_be == year))
    run = released_run(session, before_cycle.id) if before_cycle is not None else None
    if run is not None:
        raw = load_scores(session, run.id)[["agency_id", "kind", "code", "score", "level"]]
        mapping = year_mapping(run.framework_version, current)
        return PreviousYear(
            year_be=year,
            source="run",
            label_th=f"ปี {year}",
            scores=_to_current(raw, current, mapping),
            mapping_notes=list(mapping.notes_th) if mapping else [],
        )
    rows = session.execute(
        select(
            PublishedScore.agency_id,
            PublishedScore.kind,
            PublishedScore.code,
            PublishedScore.score,
            PublishedScore.level,
        ).where(PublishedScore.year_be == year)
    ).all()
    if not rows:
        return None
    raw = pd.DataFrame(
        [(r[0], getattr(r[1], "value", r[1]), r[2], r[3], r[4]) for r in rows],
        columns=["agency_id", "kind", "code", "score", "level"],
    )
    raw["score"] = raw["score"].astype(float)
    raw["level"] = raw["level"].astype("Int64")
    mapping = year_mapping(str(year), current)
    return PreviousYear(
        year_be=year,
        source="published",
        label_th=f"ปี {year} (ผลที่เผยแพร่)",
        scores=_to_current(raw, current, mapping),
        mapping_notes=list(mapping.notes_th) if mapping else [],
    )
