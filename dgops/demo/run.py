"""`make demo`: a survey year run end to end on the embedded default database, step by step.

The run is a list of named steps sharing one :class:`DemoContext`. A later stage joins the demo
by appending one :class:`DemoStep` to :data:`DEFAULT_STEPS`::

    DemoStep("scoring", score_demo_cycle),   # def score_demo_cycle(ctx: DemoContext) -> str

A step returns a one-line note for the summary and may leave results for later steps in
``ctx.data``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dgops.db import Database, upgrade
from dgops.demo.registry import RegistryCounts, write_demo_registry
from dgops.registry.models import Agency, AgencyLevel, AgencyType, Contact, CycleAgency, Mission
from dgops.settings import Settings

if TYPE_CHECKING:  # the mail stack is imported by the steps that send
    from dgops.mail import MailConfig

DEMO_YEAR_BE = 2566
"""The demo replays the 2023 (2566) survey: open 3 July, deadline 31 August."""


@dataclass
class DemoContext:
    """What the steps of one demo run share. Steps may add their results to ``data``."""

    settings: Settings
    scale: str
    year_be: int
    seed: int
    fresh: bool
    actor: str
    registry_path: Path | None = None
    cycle_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    _db: Database | None = field(default=None, repr=False)

    @property
    def demo_dir(self) -> Path:
        """Where the demo writes its files: ``<var_dir>/demo``."""
        return self.settings.var_dir / "demo"

    @property
    def uses_default_database(self) -> bool:
        """True when the database is the default SQLite file under ``var_dir``."""
        return not self.settings.database_url

    @property
    def db(self) -> Database:
        """The demo's database, connected on first use."""
        if self._db is None:
            self._db = Database.connect(self.settings.db_url)
        return self._db

    @property
    def engine(self) -> Engine:
        """The engine of the demo's database (for migrations)."""
        return self.db.engine

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None


StepFunction = Callable[[DemoContext], str]


def sink_mail_config(ctx: DemoContext, base_url: str) -> MailConfig:
    """The mail settings of the demo, pointed at the local sink: no sandbox, no pacing (the
    sink needs none; production spreads batches at ``mail_rate_per_second``), and an Activity
    API that lists a message at once."""
    from dgops.mail import MailConfig

    return MailConfig.from_settings(
        ctx.settings,
        base_url=base_url,
        api_key="SG.demo-sink",
        sandbox=False,
        activity_lag=0.0,
        rate_per_second=0.0,
    )


@dataclass(frozen=True, slots=True)
class DemoStep:
    """A named step of the demo; ``run`` returns a one-line note for the summary."""

    name: str
    run: StepFunction


@dataclass(frozen=True, slots=True)
class StepResult:
    name: str
    note: str
    seconds: float


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What a demo run did and where its results are."""

    scale: str
    year_be: int
    database: str
    """The database URL, password hidden."""
    demo_dir: Path
    registry_path: Path | None
    steps: tuple[StepResult, ...]
    counts: RegistryCounts
    """The agencies enrolled in the demo cycle, by level, type and mission."""
    data: dict[str, Any]

    def lines(self, *, steps: bool = True) -> list[str]:
        """The summary as lines for a terminal (Thai labels with English codes); ``steps=False``
        leaves out the per-step notes (when they were already printed as the run went)."""
        out = [f"การสำรวจปี {self.year_be} (demo scale {self.scale})"]
        if steps:
            out += [f"  [{s.name}] {s.note} ({s.seconds:.1f} s)" for s in self.steps]
        out += self.counts.lines()
        out.append(f"ฐานข้อมูล / database: {self.database}")
        out.append(f"ไฟล์ / files: {self.demo_dir}")
        if self.registry_path:
            out.append(f"ทะเบียนหน่วยงาน / registry: {self.registry_path}")
        maturity = self.data.get("maturity")
        if maturity is not None and len(maturity):
            out.append("ระดับความพร้อม: ร้อยละของหน่วยงานในแต่ละระดับ / maturity, % of agencies")
            head = "".join(f"{f'L{k}':>7}" for k in range(1, 6))
            out.append(f"  {'':<10}{head}{'mean':>8}{'n':>6}")
            for code, row in maturity.iterrows():
                pcts = "".join(f"{row[f'pct_{k}']:>7.1f}" for k in range(1, 6))
                out.append(f"  {code!s:<10}{pcts}{row['mean']:>8.2f}{int(row['n']):>6}")
        return out


def cycle_dates(year_be: int) -> tuple[dt.date, dt.date]:
    """Fieldwork of a demo year: the first Monday of July to 31 August (2566: 3 Jul – 31 Aug)."""
    year_ce = year_be - 543
    july_first = dt.date(year_ce, 7, 1)
    open_date = july_first + dt.timedelta(days=(7 - july_first.weekday()) % 7)
    return open_date, dt.date(year_ce, 8, 31)


# --- the steps ----------------------------------------------------------------------------------

_SQLITE_FILES = ("dgops.sqlite", "dgops.sqlite-wal", "dgops.sqlite-shm")


def prepare_database(ctx: DemoContext) -> str:
    """Start from an empty default database when ``fresh``; create or upgrade it to the newest
    revision. A configured database (PostgreSQL) is never dropped."""
    note = ""
    if ctx.fresh:
        if ctx.uses_default_database:
            ctx.close()
            for name in _SQLITE_FILES:
                (ctx.settings.var_dir / name).unlink(missing_ok=True)
            note = "fresh database, "
        else:
            note = "configured database kept (fresh only resets the default SQLite), "
    revision = upgrade(ctx.engine, settings=ctx.settings)
    return f"{note}migrated to {revision}"


def ensure_cycle(ctx: DemoContext) -> str:
    """Create the demo cycle unless it exists (framework = the year)."""
    from dgops.cycles import CycleError, create_cycle, get_cycle

    with ctx.db.begin() as session:
        try:
            cycle = get_cycle(session, ctx.year_be)
            created = False
        except CycleError:
            open_date, deadline = cycle_dates(ctx.year_be)
            cycle = create_cycle(
                session,
                year=ctx.year_be,
                open_date=open_date,
                deadline=deadline,
                framework_version=str(ctx.year_be),
                actor=ctx.actor,
            )
            created = True
        ctx.cycle_id = cycle.id
        verb = "created" if created else "kept"
        return f"{verb} cycle {cycle.year_be}: {cycle.open_date} → {cycle.deadline}"


def write_registry_file(ctx: DemoContext) -> str:
    """Write the demo registry spreadsheet under ``<var_dir>/demo``."""
    path = ctx.demo_dir / f"registry-{ctx.scale}-{ctx.year_be}.xlsx"
    records = write_demo_registry(path, ctx.scale, ctx.seed)
    ctx.registry_path = path
    return f"wrote {len(records):,} agencies to {path.name}"


def import_registry_file(ctx: DemoContext) -> str:
    """Import the registry file for the demo cycle (upsert agencies, enrol them)."""
    from dgops.registry import import_registry

    if ctx.registry_path is None:
        raise RuntimeError("the registry-import step needs the registry-file step before it")
    with ctx.db.begin() as session:
        report = import_registry(
            session, ctx.registry_path, cycle_year=ctx.year_be, actor=ctx.actor
        )
    ctx.data["import_report"] = report
    return (
        f"added {len(report.added):,}, changed {len(report.changed):,}, "
        f"deactivated {len(report.deactivated):,}, enrolled {len(report.enrolled):,}"
    )


def answer_questionnaires(ctx: DemoContext) -> str:
    """Demo answers for the enrolled agencies (most verified, some only submitted)."""
    from dgops.demo.responses import store_demo_responses

    # After the fieldwork simulation only its respondents answer, at the times it drew.
    respondents = ctx.data.get("fieldwork", {}).get("respondents")
    with ctx.db.begin() as session:
        counts = store_demo_responses(
            session,
            ctx.year_be,
            ctx.seed,
            actor=ctx.actor,
            respondents=respondents,
            evidence_root=ctx.settings.var_dir / "evidence",
        )
    return (
        f"{counts['responses']:,} responses ({counts['verified']:,} verified, "
        f"{counts['submitted']:,} awaiting checks), {counts['answers']:,} answers, "
        f"{counts['evidence']:,} evidence files"
    )


def check_quality(ctx: DemoContext) -> str:
    """Check the answers still awaiting checks with the Great Expectations suites: responses
    with errors go back to their agency (comments, and an e-mail through the local sink), the
    others become verified; Data Docs are built for operators under ``var/quality/``."""
    from dgops.quality import (
        GxProject,
        send_clarifications,
        settle_run,
        store_findings,
        validate_cycle,
    )
    from dgops_devtools import SinkServer

    quality_dir = ctx.settings.var_dir / "quality"
    project = GxProject(quality_dir, ctx.settings.expectations_dir, quality_dir / "data_docs")
    with ctx.db.begin() as session:
        outcome = validate_cycle(session, ctx.year_be, actor=ctx.actor, project=project)
    with ctx.db.begin() as session:
        store_findings(session, outcome.run_id, actor=ctx.actor)
        settled = settle_run(session, outcome.run_id, actor=ctx.actor)
    mails: dict[str, int] = {}
    if settled.returned:
        with SinkServer(outbox=ctx.settings.var_dir / "outbox") as sink:
            config = sink_mail_config(ctx, sink.url)
            mails = send_clarifications(
                ctx.db,
                outcome.run_id,
                mail_config=config,
                portal_url=ctx.settings.portal_url,
            )
    return (
        f"checked {outcome.n_responses:,} submitted responses with {len(outcome.suites)} suites: "
        f"{len(settled.verified):,} verified, {len(settled.returned):,} returned for clarification "
        f"({sum(mails.values()):,} e-mails), {outcome.n_errors:,} error and "
        f"{outcome.n_warnings:,} warning findings; Data Docs: {quality_dir / 'data_docs'}"
    )


def score_responses(ctx: DemoContext) -> str:
    """Score the verified responses with the external inputs from the central systems (a CSV
    the demo writes, read back as an operator's file would be) and store the run, strictly:
    an input that does not match the framework stops the step."""
    from dgops.cycles import get_cycle
    from dgops.demo.responses import write_demo_external
    from dgops.framework import load_framework
    from dgops.results import level_distribution, score_cycle
    from dgops.scoring import read_external_file

    path = ctx.demo_dir / f"external-{ctx.year_be}.csv"
    with ctx.db.begin() as session:
        cycle = get_cycle(session, ctx.year_be)
        framework = load_framework(cycle.framework_version)
        if framework.external_inputs:
            write_demo_external(session, cycle.id, framework, path, ctx.seed)
    external = read_external_file(path) if framework.external_inputs else None
    with ctx.db.begin() as session:
        outcome = score_cycle(session, ctx.year_be, actor=ctx.actor, external=external, strict=True)
    ctx.data["maturity"] = level_distribution(outcome.scores)
    return (
        f"scored {outcome.n_agencies:,} agencies on framework {outcome.framework_version} "
        f"(run {outcome.run_id}, {outcome.n_issues} out-of-domain answers"
        + (f"; external inputs: {path}" if external is not None else "")
        + ")"
    )


def recommend_agencies(ctx: DemoContext) -> str:
    """Classify every agency's sub-indicators against its peers and attach DGA's advice."""
    from dgops.results import recommend_cycle

    with ctx.db.begin() as session:
        outcome = recommend_cycle(session, ctx.year_be)
    counts = ", ".join(f"{k} {v:,}" for k, v in sorted(outcome.by_class.items()))
    return f"{outcome.n_rows:,} recommendations ({counts}); national themes: " + ", ".join(
        outcome.themes
    )


def release_and_send_results(ctx: DemoContext) -> str:
    """Release the scoring run (as an operator would after checking it) and send every agency
    its result letter through the local sink; keep a sample letter under ``var/demo/``."""
    from dgops.cycles import get_cycle
    from dgops.results import current_run, release_run, send_results
    from dgops_devtools import SinkServer

    with ctx.db.begin() as session:
        cycle = get_cycle(session, ctx.year_be)
        run = current_run(session, cycle.id)
        if run is None:
            raise RuntimeError("no scoring run to release")
        release_run(session, cycle.id, run.id, actor=ctx.actor)
    with SinkServer(outbox=ctx.settings.var_dir / "outbox") as sink:
        report = send_results(
            ctx.db,
            ctx.settings,
            sink_mail_config(ctx, sink.url),
            ctx.year_be,
            actor=ctx.actor,
        )
    if report.failed_render or report.not_sent:
        raise RuntimeError(
            f"result letters: {len(report.failed_render)} not rendered "
            f"({report.failed_render[:3]}), {len(report.not_sent)} not sent ({report.not_sent[:3]})"
        )
    assert report.out_dir is not None
    letters = sorted(report.out_dir.glob("result-*.pdf"))
    sample = ctx.demo_dir / "result-sample.pdf"
    if letters:
        sample.parent.mkdir(parents=True, exist_ok=True)
        sample.write_bytes(letters[0].read_bytes())
    ctx.data["result_letters"] = report.out_dir
    return (
        f"released run {run.id}; {report.issue.issued:,} result letters issued, "
        f"{report.accepted:,} e-mails accepted at the sink; letters: {report.out_dir}/ ; "
        f"sample letter: {sample}"
    )


def publish_package(ctx: DemoContext) -> str:
    """Build the seminar package of the released run under ``<var_dir>/demo/publication``."""
    from dgops.publish import publish_cycle

    with ctx.db.begin() as session:
        out = publish_cycle(session, ctx.year_be, ctx.demo_dir / "publication")
    ctx.data["publication"] = out.folder
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in out.timings.items())
    return f"{len(out.files)} files ({parts}); {out.uncoded} uncoded answers; {out.folder}"


def invite_agencies(ctx: DemoContext) -> str:
    """Invite the demo cycle through a local SendGrid sink on 127.0.0.1 (outbox ``var/outbox/``):
    activation codes, letters rendered in memory, e-mails with the letter attached."""
    from dgops.invite import LetterRenderer, invite_batch, plan_invitations
    from dgops_devtools import SinkServer

    outbox = ctx.settings.var_dir / "outbox"
    if ctx.fresh and outbox.is_dir():
        for old in outbox.glob("*.json"):
            old.unlink()
    db = ctx.db
    totals: dict[str, int] = {}
    with SinkServer(outbox=outbox) as sink:
        config = sink_mail_config(ctx, sink.url)
        with ctx.db.begin() as session:
            plan = plan_invitations(session, ctx.year_be, mail_config=config, settings=ctx.settings)
        # One process: the letters module fills a typeset layout, faster than a process pool.
        with LetterRenderer(workers=1) as renderer:
            for batch in plan.batches:
                report = invite_batch(
                    db, ctx.settings, config, ctx.year_be, batch,
                    renderer=renderer, actor=ctx.actor,
                )  # fmt: skip
                for key, n in report.counts.items():
                    totals[key] = totals.get(key, 0) + n
            sample_path = ctx.demo_dir / "invitation-sample.pdf"
            if plan.batches:
                sample = invite_batch(
                    db, ctx.settings, config, ctx.year_be, plan.batches[0][:1],
                    dry_run=True, renderer=renderer,
                )  # fmt: skip
                if sample.sample_pdf is not None:
                    sample_path.parent.mkdir(parents=True, exist_ok=True)
                    sample_path.write_bytes(sample.sample_pdf)
        mails = len(sink.received())
    ctx.data["invitations"] = totals
    return (
        f"invited {totals.get('accepted', 0):,} agencies: {totals.get('letters', 0):,} letters, "
        f"{mails:,} e-mails at the sink ({len(plan.problems)} pre-send problems); "
        f"messages with their letters: {outbox}/ ; sample letter (no real code): {sample_path}"
    )


def simulate_fieldwork_period(ctx: DemoContext) -> str:
    """Fieldwork day by day: agencies answer (most after reminders), reminders and escalations
    go through the mail ledger to a local sink, a few addresses bounce, the call list is
    phoned, a snapshot each day; the managers' digest of the last day and its chart."""
    from dgops.demo.fieldwork import simulate_fieldwork
    from dgops_devtools import SinkServer

    with SinkServer(outbox=ctx.settings.var_dir / "outbox") as sink:
        config = sink_mail_config(ctx, sink.url)
        result = simulate_fieldwork(
            ctx.db, ctx.year_be, config, seed=ctx.seed, out_dir=ctx.demo_dir, actor=ctx.actor
        )
    ctx.data["fieldwork"] = result
    return (
        f"{result['responded']:,}/{result['agencies']:,} answered ({result['rate']}%), "
        f"{result['answered_after_reminder']:,} after a reminder; {result['reminders']:,} "
        f"reminders, {result['bounced']} bounced, {result['calls']} phone calls; "
        f"chart and call list in {ctx.demo_dir}"
    )


DEFAULT_STEPS: tuple[DemoStep, ...] = (
    DemoStep("database", prepare_database),
    DemoStep("cycle", ensure_cycle),
    DemoStep("registry-file", write_registry_file),
    DemoStep("registry-import", import_registry_file),
    DemoStep("invitations", invite_agencies),
    DemoStep("fieldwork", simulate_fieldwork_period),
    DemoStep("responses", answer_questionnaires),
    DemoStep("quality", check_quality),
    DemoStep("scoring", score_responses),
    DemoStep("recommendations", recommend_agencies),
    DemoStep("results", release_and_send_results),
    DemoStep("publication", publish_package),
)
"""The demo's steps in order; later stages append theirs."""


# --- the run ------------------------------------------------------------------------------------


def _count(session: Session, cycle_id: int | None) -> RegistryCounts:
    agencies = select(Agency.id).where(Agency.active.is_(True))
    if cycle_id is not None:
        agencies = agencies.join(CycleAgency, CycleAgency.agency_id == Agency.id).where(
            CycleAgency.cycle_id == cycle_id
        )
    ids = agencies.scalar_subquery()

    def grouped(column: Any, *where: Any) -> dict[Any, int]:
        stmt = select(column, func.count()).where(Agency.id.in_(ids), *where).group_by(column)
        return {k: n for k, n in session.execute(stmt).tuples() if k is not None}

    levels = grouped(Agency.level)
    dept = Agency.level == AgencyLevel.DEPARTMENT
    types = grouped(Agency.agency_type, dept)
    missions = grouped(Agency.mission, dept)
    contacts = session.scalar(select(func.count()).where(Contact.agency_id.in_(ids))) or 0
    return RegistryCounts(
        total=sum(levels.values()),
        contacts=contacts,
        by_level={k: levels[k] for k in AgencyLevel if k in levels},
        by_type={k: types[k] for k in AgencyType if k in types},
        by_mission={k: missions[k] for k in Mission if k in missions},
    )


def run_demo(
    settings: Settings,
    scale: str = "2023",
    *,
    year: int = DEMO_YEAR_BE,
    seed: int | None = None,
    fresh: bool = True,
    steps: Sequence[DemoStep] = DEFAULT_STEPS,
    actor: str | None = None,
    on_step: Callable[[StepResult], None] | None = None,
) -> DemoSummary:
    """Run the demo ``steps`` in order and summarise what is in the database afterwards.

    ``fresh`` starts from an empty database, but only when it is the default SQLite file under
    ``settings.var_dir``; a configured database is kept. ``seed`` (default: the year) draws the
    demo's people. ``on_step`` is called after each step, e.g. to print progress.
    """
    from dgops.cycles import normalise_year

    ctx = DemoContext(
        settings=settings,
        scale=scale,
        year_be=normalise_year(year),
        seed=normalise_year(year) if seed is None else seed,
        fresh=fresh,
        actor=actor or settings.actor_name(),
    )
    results: list[StepResult] = []
    try:
        for step in steps:
            start = time.perf_counter()
            note = step.run(ctx)
            result = StepResult(step.name, note, time.perf_counter() - start)
            results.append(result)
            if on_step is not None:
                on_step(result)
        with ctx.db.begin() as session:
            counts = _count(session, ctx.cycle_id)
        database = ctx.engine.url.render_as_string(hide_password=True)
    finally:
        ctx.close()
    return DemoSummary(
        scale=scale,
        year_be=ctx.year_be,
        database=database,
        demo_dir=ctx.demo_dir,
        registry_path=ctx.registry_path,
        steps=tuple(results),
        counts=counts,
        data=ctx.data,
    )
