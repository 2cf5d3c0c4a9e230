"""Reading a cycle's answers and agencies into the frames the scoring engine takes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.framework import Framework
from dgops.registry.models import Agency
from dgops.responses.models import Answer, Response, ResponseStatus

__all__ = ["AGENCY_COLUMNS", "load_agencies", "load_answers"]

AGENCY_COLUMNS = ("code", "name_th", "level", "agency_type", "mission", "ministry", "province")


def load_answers(
    session: Session,
    cycle_id: int,
    *,
    statuses: Iterable[ResponseStatus | str] = (ResponseStatus.VERIFIED,),
    framework: Framework | None = None,
) -> pd.DataFrame:
    """The engine's wide answer frame for a cycle, in one query.

    Index: agency id of every response whose status is in ``statuses`` (default: verified;
    the demo also takes submitted); one object column per question id (the framework's, in
    questionnaire order, when ``framework`` is given); None where not answered.
    """
    wanted = [ResponseStatus(s) for s in statuses]
    stmt = (
        select(Response.agency_id, Answer.question_id, Answer.value)
        .select_from(Response)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(Response.cycle_id == cycle_id, Response.status.in_(wanted))
        .order_by(Response.agency_id)
    )
    rows = session.execute(stmt).all()
    agency_ids = sorted({r[0] for r in rows})
    data: dict[str, dict[int, object]] = {}
    for agency_id, question_id, value in rows:
        if question_id is not None:
            data.setdefault(question_id, {})[agency_id] = value
    index = pd.Index(agency_ids, name="agency_id", dtype="int64")
    columns: Sequence[str] = framework.question_ids if framework is not None else sorted(data)
    frame = pd.DataFrame(
        {q: pd.Series(data.get(q, {}), dtype=object).reindex(index) for q in columns},
        index=index,
        columns=list(columns),
        dtype=object,
    )
    return frame.astype(object).where(frame.notna(), None)


def load_agencies(session: Session, ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Agencies indexed by id with code, name_th, level, agency_type, mission, ministry, province.

    Enum columns hold their string values (``department``, ``service``...); None where unset.
    """
    stmt = select(Agency.id, *(getattr(Agency, c) for c in AGENCY_COLUMNS))
    if ids is not None:
        stmt = stmt.where(Agency.id.in_(list(ids)))
    rows = session.execute(stmt.order_by(Agency.id)).all()
    frame = pd.DataFrame(
        [[r[0], *(getattr(v, "value", v) for v in r[1:])] for r in rows],
        columns=["id", *AGENCY_COLUMNS],
    ).set_index("id")
    return frame.astype(object).where(frame.notna(), None)
