"""The results page of the portal: after a cycle's run is released, a signed-in agency sees its
own scores, levels, the comparison with its peers and with last year, DGA's recommendations, and
downloads its result letter and the action-plan workbook. Before the release it sees only that
the results are not published yet (never a draft number).

The same reading of an agency's result (:class:`AgencyPage`, :func:`results_chart`) serves the
managers' view in the dashboard (``dgops.web.dashboard``). A released run never changes, so
:class:`ResultsCache` reads it once per (cycle, released run) and only checks, per request, which
run is the released one (one indexed query): a new release shows up at once.

Letters and workbooks come from a :class:`ResultDocuments` (``create_app(documents=...)``); the
default, :class:`LetterFiles`, serves the letter exactly as it was sent.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, cast

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import escape
from sqlalchemy.orm import Session

from dgops.cycles.models import SurveyCycle
from dgops.framework import Framework
from dgops.letters import IssuerSettings, load_issuer
from dgops.recommend import CLASS_LABELS_TH
from dgops.registry.models import Agency
from dgops.results import (
    CLASS_ORDER,
    AgencyResult,
    ResultLetterInfo,
    ResultSet,
    ScoreLine,
    action_plan_xlsx,
    letter_dir,
    letter_file_name,
    load_results,
    render_result_letter,
    standing_letters,
)
from dgops.results import released_run as find_released_run
from dgops.results.models import ResultLetterKind, ScoreRun
from dgops.settings import Settings
from dgops.thai import thai_date
from dgops.web.portal import NotFound, Portal, PortalDep
from dgops.web.security import Principal

log = logging.getLogger(__name__)

__all__ = [
    "LABEL_CHARS",
    "NO_SCORE",
    "UNAVAILABLE",
    "AgencyPage",
    "LetterFiles",
    "LineView",
    "ResultDocuments",
    "ResultsCache",
    "agency_page",
    "chart_series",
    "download",
    "fit_label",
    "issued_letter",
    "letter_date_th",
    "results_chart",
    "router",
    "unavailable",
]

NO_SCORE = "ไม่มีคะแนน"
"""What a score cell says when there is no score (never "None" or "nan")."""
DASH = "–"
MAX_SCORE = 100.0
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- letters and workbooks ---------------------------------------------------------------------


class ResultDocuments(Protocol):
    """Gives an agency's result letter (PDF) and its action-plan workbook (XLSX)."""

    def letter_pdf(self, result: AgencyResult, info: ResultLetterInfo) -> bytes:
        """The result letter issued with ``info`` (its number and date)."""
        ...

    def action_plan_xlsx(self, result: AgencyResult) -> bytes:
        """The action-plan template prefilled with the agency's recommendations."""
        ...


class LetterFiles:
    """The default: the letter exactly as it was sent (the PDF ``dgops results send`` keeps
    under ``var/results/<year>/run-<id>/``), rendered again only when that file is gone;
    the workbook from ``action_plan_xlsx``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def letter_pdf(self, result: AgencyResult, info: ResultLetterInfo) -> bytes:
        """The stored letter, else ``render_result_letter``."""
        folder = letter_dir(self.settings, result.year_be, info.run_id or result.run_id)
        path = folder / letter_file_name(result.code, info)
        if path.is_file():
            return path.read_bytes()
        return render_result_letter(result, info, fmt="pdf")

    def action_plan_xlsx(self, result: AgencyResult) -> bytes:
        """The workbook of ``action_plan_xlsx``."""
        return action_plan_xlsx(result)


def issued_letter(
    session: Session, run: ScoreRun, agency_id: int, issuer: IssuerSettings
) -> ResultLetterInfo | None:
    """The letter that stands for ``agency_id`` under the released ``run``: issued for it, or
    an earlier letter whose results did not change (None: not issued yet)."""
    return standing_letters(session, run, issuer, [agency_id]).get(agency_id)


def letter_date_th(info: ResultLetterInfo) -> str:
    """The letter's date as the letter prints it."""
    return thai_date(info.issued_on)


# -- what a page shows ------------------------------------------------------------------------


def _number(value: float | None) -> str:
    return DASH if value is None else f"{value:.2f}"


def _delta(value: float | None) -> tuple[str, str]:
    if value is None:
        return DASH, ""
    if round(value, 2) == 0:
        return "0.00", "same"
    return (f"+{value:.2f}", "up") if value > 0 else (f"−{-value:.2f}", "down")


@dataclass(frozen=True)
class LineView:
    """One score as text for the page: every cell is a string, never "None" or "nan"."""

    code: str
    name_th: str
    has_score: bool
    score: str
    level: str
    peer_mean: str
    rank: str
    previous: str
    delta: str
    delta_class: str
    """``up``, ``down``, ``same`` or "" (no comparison)."""
    pillar: str | None
    line: ScoreLine


def line_view(line: ScoreLine) -> LineView:
    """The text of one :class:`ScoreLine`."""
    if line.level is None:
        level = DASH
    elif line.level_name_th:
        level = f"ระดับ {line.level} {line.level_name_th}"
    else:
        level = f"ระดับ {line.level}"
    rank = (
        f"{line.rank_peer} จาก {line.peer_size}"
        if line.rank_peer is not None and line.peer_size is not None
        else DASH
    )
    delta, delta_class = _delta(line.delta)
    return LineView(
        code=line.code,
        name_th=line.name_th,
        has_score=line.score is not None,
        score=NO_SCORE if line.score is None else f"{line.score:.2f}",
        level=level if line.score is not None else DASH,
        peer_mean=_number(line.peer_mean),
        rank=rank if line.score is not None else DASH,
        previous=_number(line.previous),
        delta=delta,
        delta_class=delta_class,
        pillar=line.pillar,
        line=line,
    )


@dataclass(frozen=True)
class AdviceView:
    """One recommendation as the page lists it."""

    name_th: str
    score: str
    peer_mean: str
    advice_th: str
    lead_unit: str
    support_units: str


@dataclass(frozen=True)
class AdviceGroup:
    """The sub-indicators of one recommendation class, with the class's Thai label."""

    rec_class: str
    label_th: str
    items: tuple[AdviceView, ...]


@dataclass(frozen=True)
class AgencyPage:
    """Everything the results page shows of one agency's released result."""

    result: AgencyResult
    overall: LineView | None
    pillars: tuple[LineView, ...]
    sub_indicators: dict[str, tuple[LineView, ...]]
    """By pillar code, in the framework's order."""
    advice: tuple[AdviceGroup, ...]
    chart: str
    """The SVG (built here with every text escaped; the template marks it safe)."""
    chart_series: tuple[tuple[str, str], ...]
    """The chart's legend: (CSS class, Thai name) of each bar."""
    has_previous: bool

    @property
    def scored(self) -> bool:
        """False: the agency has no scores this year (it did not respond)."""
        return self.result.scored


def agency_page(result: AgencyResult) -> AgencyPage:
    """The page's reading of ``result``."""
    pillars = tuple(line_view(p) for p in result.pillars)
    subs: dict[str, list[LineView]] = {p.code: [] for p in result.pillars}
    for sub in result.sub_indicators:
        subs.setdefault(sub.pillar or "", []).append(line_view(sub))
    groups = tuple(
        AdviceGroup(
            rec_class=c,
            label_th=CLASS_LABELS_TH.get(c, c),
            items=tuple(
                AdviceView(
                    name_th=a.name_th,
                    score=NO_SCORE if a.score is None else f"{a.score:.2f}",
                    peer_mean=_number(a.peer_mean),
                    advice_th=a.advice_th,
                    lead_unit=a.lead_unit,
                    support_units=", ".join(a.support_units),
                )
                for a in result.advice.get(c, ())
            ),
        )
        for c in CLASS_ORDER
    )
    lines = ([result.overall] if result.overall else []) + list(result.pillars)
    return AgencyPage(
        result=result,
        overall=line_view(result.overall) if result.overall else None,
        pillars=pillars,
        sub_indicators={k: tuple(v) for k, v in subs.items()},
        advice=groups,
        chart=results_chart(lines, result.peer_label_th, result.previous_label_th),
        chart_series=tuple(chart_series(result.peer_label_th, result.previous_label_th)),
        has_previous=result.previous_label_th is not None,
    )


LABEL_CHARS = 44
"""Spacing characters of a bar group's label that fit the chart's width at its font size."""


def fit_label(text: str, limit: int = LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` spacing characters with "…" (Thai vowel and tone marks take
    no width); the full name is in the chart's description and the table."""
    width = 0
    out: list[str] = []
    for ch in text:
        spacing = unicodedata.category(ch) != "Mn"
        if spacing and width == limit - 1:
            return "".join(out).rstrip() + "…"
        width += spacing
        out.append(ch)
    return text


def chart_series(peer_label_th: str, previous_label_th: str | None) -> list[tuple[str, str]]:
    """The chart's bars (CSS class, Thai name) in drawing order: the agency, its peers' mean
    and, when there is one, last year."""
    out = [("agency", "คะแนนของหน่วยงาน"), ("peer", f"ค่าเฉลี่ยกลุ่ม {peer_label_th}")]
    if previous_label_th:
        out.append(("previous", f"คะแนน{previous_label_th}"))
    return out


def results_chart(
    lines: Sequence[ScoreLine], peer_label_th: str, previous_label_th: str | None
) -> str:
    """Bars of the agency's score, its peers' mean and last year's score (overall and each
    pillar, 0–100) as an inline SVG with a title and a description; the page's table below it
    carries the same numbers."""
    width, left, right = 340, 2, 40
    bar_h, gap, label_h, legend_h = 12, 3, 20, 4
    getters: dict[str, Callable[[ScoreLine], float | None]] = {
        "agency": lambda x: x.score,
        "peer": lambda x: x.peer_mean,
        "previous": lambda x: x.previous,
    }
    series = [
        (cls, name, getters[cls]) for cls, name in chart_series(peer_label_th, previous_label_th)
    ]
    group_h = label_h + len(series) * (bar_h + gap) + 12
    height = legend_h + group_h * len(lines) + 20
    plot = width - left - right

    def x(value: float) -> float:
        return left + plot * min(max(value, 0.0), MAX_SCORE) / MAX_SCORE

    out = [
        f'<svg class="results-chart" viewBox="0 0 {width} {height}" '
        'xmlns="http://www.w3.org/2000/svg" role="img" '
        'aria-labelledby="results-chart-title results-chart-desc">',
        '<title id="results-chart-title">คะแนนของหน่วยงานเทียบกับค่าเฉลี่ยกลุ่ม'
        f"{'และปีที่แล้ว' if previous_label_th else ''} (คะแนนเต็ม 100)</title>",
        '<desc id="results-chart-desc">'
        + str(
            escape(
                " ; ".join(
                    f"{line.name_th}: "
                    + ", ".join(f"{name} {_number(get(line))}" for _, name, get in series)
                    for line in lines
                )
            )
        )
        + "</desc>",
    ]
    top = legend_h
    for pct in (0, 25, 50, 75, 100):
        out.append(
            f'<line class="grid" x1="{x(pct):.1f}" x2="{x(pct):.1f}" y1="{top}" '
            f'y2="{height - 18}"/><text class="axis" x="{x(pct):.1f}" y="{height - 4}" '
            f'text-anchor="middle">{pct}</text>'
        )
    for i, line in enumerate(lines):
        y0 = top + i * group_h
        label = escape(fit_label(line.name_th))
        out.append(f'<text class="group" x="{left}" y="{y0 + 15}">{label}</text>')
        for j, (cls, _name, get) in enumerate(series):
            value = get(line)
            y = y0 + label_h + j * (bar_h + gap)
            if value is None:
                missing, note = (NO_SCORE, " missing") if cls == "agency" else (DASH, "")
                out.append(
                    f'<text class="value{note}" x="{left + 4}" y="{y + bar_h - 2}">{missing}</text>'
                )
                continue
            end = x(value)
            out.append(
                f'<rect class="bar {cls}" x="{left}" y="{y}" width="{end - left:.1f}" '
                f'height="{bar_h}"/><text class="value" x="{end + 4:.1f}" '
                f'y="{y + bar_h - 2}">{value:.2f}</text>'
            )
    out.append("</svg>")
    return "".join(out)


# -- the released run, read once ---------------------------------------------------------------


@dataclass
class _Entry:
    results: ResultSet
    pages: dict[int, AgencyPage | None]
    letters: dict[int, ResultLetterInfo] = field(default_factory=dict)
    """Letters found issued for this run (an issued letter never changes)."""


class ResultsCache:
    """The released run of each cycle, read once (``load_results``), and each agency's page
    built once from it. Every lookup asks the database which run is released, so a new release
    replaces the cached one at the next request."""

    def __init__(
        self,
        frameworks: Callable[[str], Framework] | None = None,
        issuer: Callable[[], IssuerSettings] = load_issuer,
    ) -> None:
        self._frameworks = frameworks
        self._issuer_source = issuer
        self._issuer: IssuerSettings | None = None
        self._entries: dict[int, tuple[int, _Entry]] = {}
        self._lock = threading.Lock()
        self._build = threading.Lock()
        self.builds = 0
        """How many times a run was read (for tests and the benchmark)."""

    def _entry(self, session: Session, cycle: SurveyCycle, run: ScoreRun) -> _Entry:
        with self._lock:
            found = self._entries.get(cycle.id)
            if found is not None and found[0] == run.id:
                return found[1]
        # One reader builds; concurrent first requests wait for it instead of reading too.
        with self._build:
            with self._lock:
                found = self._entries.get(cycle.id)
                if found is not None and found[0] == run.id:
                    return found[1]
            framework = self._frameworks(run.framework_version) if self._frameworks else None
            entry = _Entry(load_results(session, cycle, run=run, framework=framework), {})
            self.builds += 1
            with self._lock:
                self._entries[cycle.id] = (run.id, entry)
            return entry

    def letter(self, session: Session, run: ScoreRun, agency_id: int) -> ResultLetterInfo | None:
        """The letter issued to ``agency_id`` for ``run`` (None: not issued yet). Once found it
        is kept with the run (an issued letter never changes); until then every call asks the
        database, so a letter sent a minute ago is offered at once."""
        with self._lock:
            found = self._entries.get(run.cycle_id)
            entry = found[1] if found is not None and found[0] == run.id else None
            if entry is not None and agency_id in entry.letters:
                return entry.letters[agency_id]
            if self._issuer is None:
                self._issuer = self._issuer_source()
            issuer = self._issuer
        info = issued_letter(session, run, agency_id, issuer)
        if info is not None and entry is not None:
            with self._lock:
                entry.letters[agency_id] = info
        return info

    def released(self, session: Session, cycle: SurveyCycle) -> ScoreRun | None:
        """The cycle's released run (None before the first release)."""
        return find_released_run(session, cycle.id)

    def page(
        self, session: Session, cycle: SurveyCycle, run: ScoreRun, agency_id: int
    ) -> AgencyPage | None:
        """``agency_id``'s page of the released ``run`` (None: not part of the cycle)."""
        entry = self._entry(session, cycle, run)
        with self._lock:
            if agency_id in entry.pages:
                return entry.pages[agency_id]
        result = entry.results.agency(agency_id)
        page = agency_page(result) if result is not None else None
        with self._lock:
            entry.pages[agency_id] = page
        return page


# -- the portal's routes -----------------------------------------------------------------------


def results_cache_of(request: Request) -> ResultsCache:
    """The application's :class:`ResultsCache`."""
    return cast(ResultsCache, request.app.state.results)


def documents_of(request: Request) -> ResultDocuments:
    """The application's :class:`ResultDocuments`."""
    return cast(ResultDocuments, request.app.state.result_documents)


def download(content: bytes, media_type: str, filename: str, title_th: str) -> Response:
    """A file to save: an ASCII ``filename`` and the Thai ``title_th`` for browsers that
    understand it."""
    quoted = urllib.parse.quote(title_th, safe="")
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quoted}"
        },
    )


UNAVAILABLE = (
    "ขออภัย ระบบยังจัดเตรียมเอกสารนี้ไม่ได้ในขณะนี้ กรุณาลองใหม่อีกครั้งภายหลัง หากยังไม่ได้ กรุณาติดต่อทีมงานโครงการ"
)


def unavailable(portal: Portal, request: Request) -> Response:
    """The Thai error page of a document that could not be produced (HTTP 503)."""
    return portal.render(request, "error.html.j2", 503, message=UNAVAILABLE)


router = APIRouter()


@dataclass(frozen=True)
class _Signed:
    cycle: SurveyCycle
    agency: Agency
    run: ScoreRun | None
    page: AgencyPage | None
    letter: ResultLetterInfo | None


def _signed_in(request: Request, portal: Portal, session: Session) -> tuple[Principal, _Signed]:
    principal = portal.principal(request, session)
    cycle = session.get(SurveyCycle, principal.cycle_id)
    agency = session.get(Agency, principal.agency_id)
    if cycle is None or agency is None:
        raise NotFound
    cache = results_cache_of(request)
    run = cache.released(session, cycle)
    if run is None:
        return principal, _Signed(cycle, agency, None, None, None)
    page = cache.page(session, cycle, run, agency.id)
    letter = cache.letter(session, run, agency.id) if page is not None else None
    return principal, _Signed(cycle, agency, run, page, letter)


@router.get("/results")
def results_page(request: Request, portal: PortalDep) -> Response:
    """The signed-in agency's results (or the notice that they are not published yet)."""
    with portal.db.begin() as s:
        principal, found = _signed_in(request, portal, s)
    return portal.render(
        request,
        "results.html.j2",
        principal=principal,
        csrf_token=principal.csrf_token,
        cycle=found.cycle,
        agency=found.agency,
        released=found.run is not None,
        page=found.page,
        letter=found.letter,
        letter_date=letter_date_th(found.letter) if found.letter else "",
        letter_url="/results/letter.pdf",
        plan_url="/results/action-plan.xlsx",
    )


@router.get("/results/letter.pdf")
def letter_pdf(request: Request, portal: PortalDep) -> Response:
    """The signed-in agency's result letter, once it was issued."""
    with portal.db.begin() as s:
        _principal, found = _signed_in(request, portal, s)
    if found.page is None or found.letter is None:
        raise NotFound
    try:
        content = documents_of(request).letter_pdf(found.page.result, found.letter)
    except Exception:  # the page stays usable; the operators see the trace in the log
        log.exception("result letter of agency %s could not be produced", found.agency.code)
        return unavailable(portal, request)
    code = found.agency.code
    correction = found.letter.kind == ResultLetterKind.CORRECTION.value
    what = "หนังสือแจ้งแก้ไขผลการสำรวจ" if correction else "หนังสือแจ้งผลการสำรวจ"
    title = f"{what} {found.cycle.year_be} {code}.pdf"
    return download(content, "application/pdf", letter_file_name(code, found.letter), title)


@router.get("/results/action-plan.xlsx")
def action_plan(request: Request, portal: PortalDep) -> Response:
    """The signed-in agency's action-plan workbook, once its results are published."""
    with portal.db.begin() as s:
        _principal, found = _signed_in(request, portal, s)
    if found.page is None or not found.page.scored:
        raise NotFound
    try:
        content = documents_of(request).action_plan_xlsx(found.page.result)
    except Exception:  # the page stays usable; the operators see the trace in the log
        log.exception("action plan of agency %s could not be produced", found.agency.code)
        return unavailable(portal, request)
    code, year = found.agency.code, found.cycle.year_be
    title = f"แผนปฏิบัติการ {year} {code}.xlsx"
    return download(content, XLSX, f"action-plan-{code}-{year}.xlsx", title)
