"""The managers' dashboard as a FastAPI router: one overview page, XLSX exports, its assets.

Every link on the page is relative to ``…/dashboard/``, so the same router works at
``/dashboard/`` in ``dgops web`` and at ``/dgops/dashboard/`` inside the Airflow UI. Who may see
it is the caller's business: every route depends on the ``viewer`` dependency it is given.
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.parse
from collections.abc import Callable, Hashable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.cycles.models import SurveyCycle
from dgops.registry.models import Agency, CycleAgency
from dgops.results import letter_file_name
from dgops.settings import get_settings
from dgops.templating import environment
from dgops.thai import local_date
from dgops.web.dashboard.cache import FreshCache, data_fingerprint
from dgops.web.dashboard.source import LiveTracking, ProjectionLike, Tracking
from dgops.web.dashboard.views import (
    ENUMS,
    GROUP_FIELDS,
    TABLES,
    ChartFrame,
    DashboardQuery,
    Table,
    behind_table,
    bounced_table,
    cell,
    group_table,
    nonresponder_table,
    trend_svg,
    value_label,
)
from dgops.web.dashboard.xlsx import table_xlsx
from dgops.web.portal import font_dir
from dgops.web.results import (
    UNAVAILABLE,
    XLSX,
    LetterFiles,
    ResultDocuments,
    ResultsCache,
    download,
    letter_date_th,
)

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]
SessionFactory = Callable[[], AbstractContextManager[Session]]
ASSETS_DIR = ("static", "dashboard")
_ASSET_TYPES = {".css": "text/css; charset=utf-8", ".ttf": "font/ttf", ".svg": "image/svg+xml"}
_FONTS = ("Sarabun-Regular.ttf", "Sarabun-Bold.ttf")


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a signed-in manager of ``dgops web`` or an Airflow user."""

    name: str
    csrf_token: str | None = None
    logout_url: str | None = None
    """A relative URL of a POST form that signs out (None: sign-out is someone else's)."""


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def dashboard_environment(templates_dir: Path) -> jinja2.Environment:
    """The shared environment of ``templates/web`` (the portal's too) with the dashboard's
    ``cell`` filter and ``GROUP_FIELDS``; ``short_date`` is one of dgops' Thai filters."""
    env = environment(templates_dir / "web")
    env.filters["cell"] = cell
    env.globals["GROUP_FIELDS"] = GROUP_FIELDS
    return env


def latest_cycle(session: Session, year: int | None) -> SurveyCycle | None:
    """The cycle of ``year`` (BE or CE), or the newest one when no year is asked."""
    q = select(SurveyCycle).order_by(SurveyCycle.year_be.desc()).limit(1)
    if year is not None:
        year_be = year + 543 if year < 2400 else year
        q = select(SurveyCycle).where(SurveyCycle.year_be == year_be)
    return session.scalar(q)


def filter_options(session: Session, cycle_id: int) -> dict[str, list[tuple[str, str]]]:
    """For every group field, the (value, Thai label) pairs among the cycle's agencies."""
    enrolled = select(CycleAgency.agency_id).where(CycleAgency.cycle_id == cycle_id)
    out: dict[str, list[tuple[str, str]]] = {}
    for name in GROUP_FIELDS:
        column = getattr(Agency, name)
        values = session.scalars(
            select(column).distinct().where(Agency.id.in_(enrolled), column.is_not(None))
        )
        pairs = {str(getattr(v, "value", v)): value_label(name, v) for v in values}
        out[name] = sorted(pairs.items(), key=lambda kv: kv[1])
    return out


def agency_codes(session: Session, cycle_id: int, filters: Mapping[str, str]) -> set[str]:
    """Codes of the cycle's agencies matching ``filters`` (for lists without the group fields)."""
    q = (
        select(Agency.code)
        .join(CycleAgency, CycleAgency.agency_id == Agency.id)
        .where(CycleAgency.cycle_id == cycle_id)
    )
    for name, value in filters.items():
        enum = ENUMS.get(name)
        if enum is not None:
            try:
                q = q.where(getattr(Agency, name) == enum(value))
            except ValueError:
                return set()
        else:
            q = q.where(getattr(Agency, name) == value)
    return set(session.scalars(q))


def create_dashboard_router(
    *,
    sessions: SessionFactory,
    viewer: Callable[..., Any],
    templates_dir: Path,
    tracking: Tracking | None = None,
    clock: Clock | None = None,
    page_size: int = 100,
    bounced_limit: int = 200,
    cache: FreshCache | None = None,
    fingerprint: Callable[[Session], Hashable] = data_fingerprint,
    results: ResultsCache | None = None,
    documents: ResultDocuments | None = None,
) -> APIRouter:
    """The dashboard routes under ``/dashboard``.

    ``sessions`` opens a read-only database session; ``viewer`` is a FastAPI dependency that
    returns a :class:`Viewer` or refuses the request (sign-in in ``dgops web``, Airflow's
    ``requires_authenticated()`` in the plugin); ``tracking`` defaults to ``dgops.fieldwork``.
    The page's figures are cached under the database's ``fingerprint`` (read on every request),
    so an unchanged database is served from memory and any change is seen at once.
    ``results`` and ``documents`` serve the per-agency results view (``/dashboard/results``,
    the agencies' own results page as managers see it; defaults: read the released run with
    the framework it was scored with; the letters as they were sent, ``LetterFiles``).
    """
    source: Tracking = tracking or LiveTracking()
    released = results or ResultsCache()
    docs: ResultDocuments = documents or LetterFiles(get_settings())
    memo = cache or FreshCache()
    now = clock or _utcnow
    env = dashboard_environment(templates_dir)
    assets = templates_dir / "web" / Path(*ASSETS_DIR)
    router = APIRouter(prefix="/dashboard")
    who_dep = Depends(viewer)

    def today() -> dt.date:
        return local_date(now())

    def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status)

    def no_cycle(who: Viewer) -> HTMLResponse:
        return render("dashboard/empty.html.j2", 404, viewer=who)

    def figures(s: Session, cycle: SurveyCycle, q: DashboardQuery, day: dt.date) -> _Figures:
        year = cycle.year_be
        flt = dict(q.filters) or None
        field, value = q.chart_group
        return _Figures(
            overall=source.response_rates(s, year, filters=flt),
            groups=group_table(source.response_rates(s, year, by=q.by, filters=flt), q.by),
            current=source.trend(s, year, by=field, value=value),
            previous=source.previous_trend(s, year, by=field, value=value),
            projection=source.project_rate(s, year, by=field, value=value, today=day),
            behind=behind_table(source.behind_groups(s, year, day), q.filters),
            progress=source.agency_progress(
                s, year, filters=flt, only_nonresponders=True, today=day
            ),
            bounced=bounced_table(
                source.corrections(s),
                agency_codes(s, cycle.id, q.filters) if q.filters else None,
                limit=bounced_limit,
            ),
            options=filter_options(s, cycle.id),
        )

    @router.get("/")
    def overview(request: Request, who: Viewer = who_dep) -> Response:
        q = DashboardQuery.parse(request.query_params)
        day = today()
        with sessions() as s:
            cycle = latest_cycle(s, q.year)
            if cycle is None:
                return no_cycle(who)
            year = cycle.year_be
            title = cycle.title_th
            open_date, deadline = cycle.open_date, cycle.deadline
            key = (year, q.by, tuple(sorted(q.filters.items())), day, fingerprint(s))
            data = memo.get(key, lambda: figures(s, cycle, q, day))
        overall, projection = data.overall, data.projection
        current, previous = data.current, data.previous
        groups, behind, bounced, options = data.groups, data.behind, data.bounced, data.options
        nonresponders = nonresponder_table(data.progress, page=q.page, page_size=page_size)
        field, value = q.chart_group
        total = overall.iloc[0] if len(overall) else None
        target = _float(total["target"]) if total is not None else None
        frame = ChartFrame(
            today=(day - open_date).days,
            deadline=(day - open_date).days + int(projection.days_to_deadline),
            target=target,
        )
        chart = trend_svg(current, previous, projection, frame, previous_label=f"ปี {year - 1}")
        pages = max(1, -(-nonresponders.total // page_size))
        return render(
            "dashboard/overview.html.j2",
            viewer=who,
            q=q,
            year=year,
            title=title,
            today=day,
            open_date=open_date,
            deadline=deadline,
            overall=_row(total),
            projection=projection,
            chart=chart,
            chart_group=(
                f"{GROUP_FIELDS[field]}: {value_label(field, value)}" if field else "ทุกหน่วยงาน"
            ),
            groups=groups,
            behind=behind,
            nonresponders=nonresponders,
            page=min(q.page, pages),
            pages=pages,
            bounced=bounced,
            options=options,
            filter_labels={k: value_label(k, v) for k, v in q.filters.items()},
        )

    def export_table(s: Session, key: str, q: DashboardQuery, year: int, cycle_id: int) -> Table:
        flt = dict(q.filters) or None
        if key == "groups":
            return group_table(source.response_rates(s, year, by=q.by, filters=flt), q.by)
        if key == "behind":
            return behind_table(source.behind_groups(s, year, today()), q.filters)
        if key == "nonresponders":
            progress = source.agency_progress(
                s, year, filters=flt, only_nonresponders=True, today=today()
            )
            return nonresponder_table(progress, page=1, page_size=None)
        codes = agency_codes(s, cycle_id, q.filters) if q.filters else None
        return bounced_table(source.corrections(s), codes, limit=None)

    @router.get("/export/{table}.xlsx")
    def export(request: Request, table: str, who: Viewer = who_dep) -> Response:
        if table not in TABLES:
            return render("dashboard/empty.html.j2", 404, viewer=who)
        q = DashboardQuery.parse(request.query_params)
        with sessions() as s:
            cycle = latest_cycle(s, q.year)
            if cycle is None:
                return no_cycle(who)
            data = export_table(s, table, q, cycle.year_be, cycle.id)
            year = cycle.year_be
        labels = ", ".join(f"{GROUP_FIELDS[k]}={value_label(k, v)}" for k, v in q.filters.items())
        content = table_xlsx(data, subtitle=f"{year} {labels}".strip())
        filename = f"dgops-{year}-{table}.xlsx"
        quoted = urllib.parse.quote(f"{data.title} {year}.xlsx", safe="")
        return Response(
            content,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"; '
                f"filename*=UTF-8''{quoted}"
            },
        )

    def agency_result(s: Session, cycle: SurveyCycle, code: str) -> dict[str, Any] | None:
        agency = s.scalar(select(Agency).where(Agency.code == code.strip().upper()))
        if agency is None:
            return None
        run = released.released(s, cycle)
        page = released.page(s, cycle, run, agency.id) if run is not None else None
        letter = released.letter(s, run, agency.id) if run is not None and page else None
        return {
            "agency": agency,
            "released": run is not None,
            "page": page,
            "letter": letter,
            "letter_date": letter_date_th(letter) if letter else "",
        }

    @router.get("/results")
    def results_view(request: Request, who: Viewer = who_dep) -> Response:
        q = ResultsQuery.parse(request.query_params)
        with sessions() as s:
            cycle = latest_cycle(s, q.year)
            if cycle is None:
                return no_cycle(who)
            found = agency_result(s, cycle, q.agency) if q.agency else None
            matches = [] if found else find_agencies(s, cycle.id, q.search or q.agency)
        query = urllib.parse.urlencode({"agency": q.agency, **({"year": q.year} if q.year else {})})
        return render(
            "dashboard/results.html.j2",
            200 if found or not q.agency else 404,
            viewer=who,
            cycle=cycle,
            q=q,
            matches=matches,
            letter_url=f"results/letter.pdf?{query}",
            plan_url=f"results/action-plan.xlsx?{query}",
            **(found or {"agency": None, "released": False, "page": None, "letter": None}),
            **({} if found else {"letter_date": ""}),
        )

    def result_file(request: Request, who: Viewer, kind: str) -> Response:
        q = ResultsQuery.parse(request.query_params)
        with sessions() as s:
            cycle = latest_cycle(s, q.year)
            found = agency_result(s, cycle, q.agency) if cycle and q.agency else None
            year = cycle.year_be if cycle else 0
        page = found["page"] if found else None
        if found is None or page is None or not page.scored:
            return render("dashboard/empty.html.j2", 404, viewer=who)
        code = found["agency"].code
        letter = found["letter"]
        if kind == "letter" and letter is None:
            return render("dashboard/empty.html.j2", 404, viewer=who)
        try:
            if kind == "letter":
                content = docs.letter_pdf(page.result, letter)
                name, media = letter_file_name(code, letter), "application/pdf"
                title = f"หนังสือแจ้งผลการสำรวจ {year} {code}.pdf"
            else:
                content = docs.action_plan_xlsx(page.result)
                name, media = f"action-plan-{code}-{year}.xlsx", XLSX
                title = f"แผนปฏิบัติการ {year} {code}.xlsx"
        except Exception:  # the trace goes to the log; the manager gets a plain answer
            log.exception("%s of agency %s could not be produced", kind, code)
            return Response(UNAVAILABLE, 503, media_type="text/plain; charset=utf-8")
        return download(content, media, name, title)

    @router.get("/results/letter.pdf")
    def result_letter(request: Request, who: Viewer = who_dep) -> Response:
        return result_file(request, who, "letter")

    @router.get("/results/action-plan.xlsx")
    def result_plan(request: Request, who: Viewer = who_dep) -> Response:
        return result_file(request, who, "plan")

    @router.get("/assets/{name}")
    def asset(name: str, who: Viewer = who_dep) -> Response:
        folder = font_dir() if name in _FONTS else assets
        path = (folder / name) if folder is not None else None
        allowed = name in _FONTS or (path is not None and path.parent == assets)
        if path is None or not allowed or "/" in name or not path.is_file():
            return Response("not found", status_code=404, media_type="text/plain")
        return Response(
            path.read_bytes(),
            media_type=_ASSET_TYPES.get(path.suffix, "application/octet-stream"),
            headers={"Cache-Control": "private, max-age=3600"},
        )

    return router


@dataclass(frozen=True)
class ResultsQuery:
    """The results view's query: the agency's code, a search text and the year."""

    agency: str = ""
    search: str = ""
    year: int | None = None

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> ResultsQuery:
        """Read ``?agency=&q=&year=`` (bounded; a bad year is ignored)."""
        year = params.get("year", "")
        return cls(
            agency=params.get("agency", "").strip()[:32],
            search=params.get("q", "").strip()[:100],
            year=int(year) if year.isdigit() and len(year) == 4 else None,
        )


def find_agencies(
    session: Session, cycle_id: int, text: str, limit: int = 50
) -> list[tuple[str, str]]:
    """(code, name) of the cycle's agencies whose code or name contains ``text``."""
    if not text:
        return []
    like = f"%{text.replace('%', '').replace('_', '')}%"
    rows = session.execute(
        select(Agency.code, Agency.name_th)
        .join(CycleAgency, CycleAgency.agency_id == Agency.id)
        .where(CycleAgency.cycle_id == cycle_id)
        .where(Agency.code.ilike(like) | Agency.name_th.ilike(like))
        .order_by(Agency.code)
        .limit(limit)
    ).all()
    return [(str(c), str(n)) for c, n in rows]


@dataclass(frozen=True)
class _Figures:
    """What one (year, grouping, filters, day) needs from the tracking API."""

    overall: pd.DataFrame
    groups: Table
    current: pd.DataFrame
    previous: pd.DataFrame
    projection: ProjectionLike
    behind: Table
    progress: pd.DataFrame
    bounced: Table
    options: dict[str, list[tuple[str, str]]]


def _float(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if out != out else out


def _row(series: Any) -> dict[str, Any]:
    if series is None:
        return {"total": 0, "responded": 0, "rate": None, "target": None, "gap": None}
    return {
        "total": int(series["total"]),
        "responded": int(series["responded"]),
        "rate": _float(series["rate"]),
        "target": _float(series["target"]),
        "gap": _float(series["gap"]),
    }
