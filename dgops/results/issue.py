"""Issuing result letters for a released run: numbers, dates, and which letter corrects which.

:func:`issue_result_letters` gives every agency of the released run (those scored and those
enrolled that did not respond) one ``result_letter`` row with an official number, in the
caller's transaction; issuing again for the same run changes nothing. When a later run is
released, an agency that was already issued a letter gets a **correction letter** (its own
number, referring to the earlier letter by number and date) — unless its results did not change,
in which case nothing is issued and the earlier letter stands.

:func:`letter_infos` gives what a letter prints besides the results: number, date, the
invitation letter it refers to, the letter it corrects and why, the head's title.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.db import record_audit
from dgops.letters import INVITATION, IssuerSettings, LetterKey, allocate_numbers, format_number
from dgops.letters.models import LetterNumber
from dgops.registry.models import Agency, Contact, ContactRole
from dgops.results.models import ResultLetter, ResultLetterKind, ScoreRun
from dgops.results.store import load_scores
from dgops.thai import local_date

__all__ = [
    "RESULT_KIND",
    "IssueReport",
    "ResultLetterInfo",
    "correction_kind",
    "issue_result_letters",
    "issued_frame",
    "letter_infos",
    "standing_letters",
]

RESULT_KIND = "result"
"""Letter-number kind (and mail kind) of a first result letter."""


def correction_kind(run_id: int) -> str:
    """Letter-number kind of the correction letter that a released run ``run_id`` causes."""
    return f"result-fix-{run_id}"


@dataclass(frozen=True)
class ResultLetterInfo:
    """What a result letter prints besides the agency's results."""

    number: str
    issued_on: dt.date
    invitation: tuple[str, dt.date] | None = None
    """The invitation letter referred to (อ้างถึง): number and date."""
    corrects: tuple[str, dt.date] | None = None
    """For a correction letter: the letter it replaces, number and date."""
    reason_th: str | None = None
    """Why the results were corrected (the run's supersede reason)."""
    head_title: str | None = None
    """The head's position title for เรียน (None: the letter uses a fallback)."""
    kind: str = ResultLetterKind.RESULT.value
    run_id: int = 0


@dataclass(frozen=True)
class IssueReport:
    """What :func:`issue_result_letters` did."""

    issued: int
    corrections: int
    already: int
    unchanged: list[str]
    """Agency codes already sent a letter whose results did not change: no new letter."""


def _changed(session: Session, old_run: int, new_run: int, agency_ids: Iterable[int]) -> set[int]:
    """Agencies whose scores or levels differ between two runs."""
    ids = set(agency_ids)
    if not ids:
        return set()
    cols = ["agency_id", "kind", "code", "score", "level"]
    only = ids if len(ids) <= 500 else None  # a few agencies: read only theirs
    old = load_scores(session, old_run, agency_ids=only)[cols]
    new = load_scores(session, new_run, agency_ids=only)[cols]
    old, new = old[old["agency_id"].isin(ids)], new[new["agency_id"].isin(ids)]
    both = old.merge(new, on=["agency_id", "kind", "code"], how="outer", suffixes=("_o", "_n"))
    so, sn = both["score_o"].to_numpy(dtype=float), both["score_n"].to_numpy(dtype=float)
    same_score = np.isclose(so, sn, rtol=0, atol=1e-9) | (np.isnan(so) & np.isnan(sn))
    lo = both["level_o"].astype("Float64").fillna(-1)
    ln = both["level_n"].astype("Float64").fillna(-1)
    differs = ~same_score | (lo != ln).to_numpy(dtype=bool)
    return {int(a) for a in both.loc[differs, "agency_id"]}


def issue_result_letters(
    session: Session,
    run: ScoreRun,
    agency_ids: Sequence[int],
    *,
    year_be: int,
    issuer: IssuerSettings,
    issued_on: dt.date,
    actor: str,
) -> IssueReport:
    """Give each of ``agency_ids`` its result (or correction) letter of the released ``run``.

    Runs in the caller's transaction. Numbers come from the issuer's gap-free counter of the
    survey year ``year_be`` (as the invitation letters' do). An agency that already has a
    letter for ``run`` keeps it.
    """
    if run.released_at is None:
        raise ValueError(f"run {run.id} is not released: its results cannot be sent")
    have = set(
        session.scalars(select(ResultLetter.agency_id).where(ResultLetter.run_id == run.id)).all()
    )
    todo = [a for a in dict.fromkeys(agency_ids) if a not in have]
    earlier: dict[int, ResultLetter] = {}
    for letter in session.scalars(
        select(ResultLetter)
        .where(ResultLetter.cycle_id == run.cycle_id, ResultLetter.run_id != run.id)
        .order_by(ResultLetter.created_at, ResultLetter.id)
    ):
        earlier[letter.agency_id] = letter  # the latest letter per agency wins
    by_run: dict[int, list[int]] = {}
    for agency_id in todo:
        if agency_id in earlier:
            by_run.setdefault(earlier[agency_id].run_id, []).append(agency_id)
    changed: set[int] = set()
    for old_run, ids in by_run.items():
        changed |= _changed(session, old_run, run.id, ids)
    unchanged_ids = [a for a in todo if a in earlier and a not in changed]
    todo = [a for a in todo if a not in earlier or a in changed]

    def kind_of(agency_id: int) -> str:
        return correction_kind(run.id) if agency_id in earlier else RESULT_KIND

    year = year_be
    keys = [LetterKey(run.cycle_id, a, kind_of(a)) for a in todo]
    numbers = allocate_numbers(session, issuer.number_unit, year, keys)
    rows = []
    for key in keys:
        correction = key.agency_id in earlier
        rows.append(
            ResultLetter(
                cycle_id=run.cycle_id,
                agency_id=key.agency_id,
                run_id=run.id,
                kind=ResultLetterKind.CORRECTION if correction else ResultLetterKind.RESULT,
                number=format_number(issuer.number_prefix, year, numbers[key]),
                issued_on=issued_on,
                corrects_id=earlier[key.agency_id].id if correction else None,
            )
        )
    session.add_all(rows)
    n_corr = sum(1 for r in rows if r.kind == ResultLetterKind.CORRECTION)
    codes = dict(
        session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(unchanged_ids))).all()
    )
    if rows or unchanged_ids:
        record_audit(
            session,
            actor=actor,
            action="issue_result_letters",
            entity="score_run",
            entity_key=str(run.id),
            cycle_id=run.cycle_id,
            details={
                "issued": len(rows),
                "corrections": n_corr,
                "unchanged": len(unchanged_ids),
                "issued_on": issued_on.isoformat(),
            },
        )
    session.flush()
    return IssueReport(
        issued=len(rows),
        corrections=n_corr,
        already=len(have & set(agency_ids)),
        unchanged=sorted(codes[a] for a in unchanged_ids),
    )


def _head_titles(session: Session, agency_ids: Sequence[int]) -> dict[int, str]:
    rows = session.execute(
        select(Contact.agency_id, Contact.title).where(
            Contact.agency_id.in_(agency_ids), Contact.role == ContactRole.HEAD
        )
    ).all()
    return {int(a): t.strip() for a, t in rows if t and t.strip()}


def letter_infos(
    session: Session, run: ScoreRun, issuer: IssuerSettings, agency_ids: Sequence[int] | None = None
) -> dict[int, ResultLetterInfo]:
    """The issued letters of ``run`` (optionally only some agencies), by agency id."""
    stmt = select(ResultLetter).where(ResultLetter.run_id == run.id)
    if agency_ids is not None:
        stmt = stmt.where(ResultLetter.agency_id.in_(list(agency_ids)))
    letters = list(session.scalars(stmt))
    ids = [x.agency_id for x in letters]
    if not ids:
        return {}
    invitations: dict[int, tuple[str, dt.date]] = {}
    for number in session.scalars(
        select(LetterNumber).where(
            LetterNumber.cycle_id == run.cycle_id,
            LetterNumber.kind == INVITATION,
            LetterNumber.agency_id.in_(ids),
        )
    ):
        # The invitation is dated the day its number was allocated (the day it was issued).
        invitations[number.agency_id] = (
            format_number(issuer.number_prefix, number.year_be, number.seq),
            local_date(number.allocated_at),
        )
    corrected_ids = [x.corrects_id for x in letters if x.corrects_id is not None]
    corrected = {
        x.id: (x.number, x.issued_on)
        for x in session.scalars(select(ResultLetter).where(ResultLetter.id.in_(corrected_ids)))
    }
    heads = _head_titles(session, ids)
    return {
        x.agency_id: ResultLetterInfo(
            number=x.number,
            issued_on=x.issued_on,
            invitation=invitations.get(x.agency_id),
            corrects=corrected.get(x.corrects_id) if x.corrects_id is not None else None,
            reason_th=run.supersede_reason if x.corrects_id is not None else None,
            head_title=heads.get(x.agency_id),
            kind=x.kind.value,
            run_id=run.id,
        )
        for x in letters
    }


def standing_letters(
    session: Session, run: ScoreRun, issuer: IssuerSettings, agency_ids: Sequence[int]
) -> dict[int, ResultLetterInfo]:
    """The letter that stands for each agency under the released ``run``: its letter for the
    run, else — when its results did not change from an earlier released run — the earlier
    letter it was sent (``run_id`` is that letter's run). An agency whose results changed and
    whose correction letter is not issued yet has none."""
    found = letter_infos(session, run, issuer, agency_ids)
    missing = [a for a in agency_ids if a not in found]
    if not missing:
        return found
    earlier: dict[int, ResultLetter] = {}
    for letter in session.scalars(
        select(ResultLetter)
        .where(
            ResultLetter.cycle_id == run.cycle_id,
            ResultLetter.run_id != run.id,
            ResultLetter.agency_id.in_(missing),
        )
        .order_by(ResultLetter.created_at, ResultLetter.id)
    ):
        earlier[letter.agency_id] = letter
    by_run: dict[int, list[int]] = {}
    for agency_id, letter in earlier.items():
        by_run.setdefault(letter.run_id, []).append(agency_id)
    for old_run_id, ids in by_run.items():
        old_run = session.get(ScoreRun, old_run_id)
        if old_run is None:
            continue
        changed = _changed(session, old_run_id, run.id, ids)
        kept = [a for a in ids if a not in changed]
        found.update(letter_infos(session, old_run, issuer, kept))
    return found


def issued_frame(session: Session, cycle_id: int) -> pd.DataFrame:
    """Every result letter of the cycle: agency_id, run_id, kind, number, issued_on."""
    rows = session.execute(
        select(
            ResultLetter.agency_id,
            ResultLetter.run_id,
            ResultLetter.kind,
            ResultLetter.number,
            ResultLetter.issued_on,
        ).where(ResultLetter.cycle_id == cycle_id)
    ).all()
    return pd.DataFrame(
        [(a, r, getattr(k, "value", k), n, d) for a, r, k, n, d in rows],
        columns=["agency_id", "run_id", "kind", "number", "issued_on"],
    )
