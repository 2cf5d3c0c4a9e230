"""Benchmark of the survey year at scale: the same steps from the CLI and under the real scheduler.

Issue #14's target: the whole year at 10,000 agencies in at most 10 minutes on the 2-core
machine, and Airflow at most 1.3× the CLI.

The demo registry (``generate_registry("10k")``, or its first ``--agencies`` records) is written
once; then the year runs twice, each time on a fresh SQLite survey database under its own
temporary var dir, with a local SendGrid sink in its own process (``python -m
dgops_devtools.sendgrid_sink``, so neither path shares a GIL with it):

(a) **CLI** — a child process (settings from the environment, as ``dgops`` commands get them)
    calls the same ``dgops`` functions the DAG tasks call, in the DAGs' order, timing each step;
(b) **Airflow** — ``.ci/airflow-up`` in a temporary AIRFLOW_HOME (:class:`AirflowUp`), then the
    REST API only: trigger the registry import; invitations, fieldwork, quality, results and
    publication start by their assets; the release is given when the results DAG waits for it.
    Each DAG run is timed from the API's start and end dates.

Outside the timed part, in both paths: the agencies' answers and the central systems' external
inputs (``store_demo_responses``, ``write_demo_external``) — the demo's simulation of the
agencies, not an operator's step — given between the invitations and the fieldwork day (as in
the scheduler test: the day then announces the submitted responses). Airflow's start-up is shown
but not counted in the year.

Run: ``python -m bench year`` (10,000 agencies, about 25 minutes: it is part of ``make bench``);
options need the module itself, as ``python -m bench`` gives each benchmark a bare command
line: ``python -m bench.bench_year --agencies 2000 [--only cli|airflow] [--keep]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
"""The checkout: the CLI child and the sink run from it (its dgops, not an installed one)."""
YEAR = 2566
FIELDWORK_DAY = "2023-07-10T03:00:00Z"
"""10:00 on Monday 10 July 2023 in Bangkok: a working day in the 2566 window (a replay)."""
YEAR_LIMIT_S = 600.0
RATIO_LIMIT = 1.3
SINK_KEY = "SG.bench-year"
ACTOR = "bench-year"
DAGS = [
    "dgops_registry",
    "dgops_invite",
    "dgops_fieldwork",
    "dgops_quality",
    "dgops_results",
    "dgops_publish",
]


# --------------------------------------------------------------------------- shared set-up


def prepare_survey(var_dir: Path) -> str:
    """A migrated SQLite survey database under ``var_dir`` with the 2566 cycle; its URL."""
    from dgops.cycles import create_cycle
    from dgops.db import Database, make_engine, upgrade
    from dgops.demo.run import cycle_dates
    from dgops.settings import Settings

    var_dir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{var_dir / 'dgops.sqlite'}"
    engine = make_engine(url)
    upgrade(engine, settings=Settings(var_dir=var_dir, database_url=url))
    db = Database(engine)
    open_date, deadline = cycle_dates(YEAR)
    try:
        with db.begin() as session:
            create_cycle(
                session,
                year=YEAR,
                open_date=open_date,
                deadline=deadline,
                framework_version=str(YEAR),
                actor=ACTOR,
            )
    finally:
        db.dispose()
    return url


def simulate_answers(db_url: str, var_dir: Path) -> int:
    """Not timed: every invited agency answers and submits (the demo's simulation of the
    agencies), and the external inputs are left where the results DAG reads them."""
    from dgops.cycles import get_cycle
    from dgops.db import Database
    from dgops.demo import store_demo_responses
    from dgops.demo.responses import write_demo_external
    from dgops.framework import load_framework

    db = Database.connect(db_url)
    try:
        with db.begin() as session:
            counts = store_demo_responses(
                session,
                YEAR,
                YEAR,
                share=1.0,
                verified_share=0.0,
                actor=ACTOR,
                evidence_root=var_dir / "evidence",
            )
            cycle = get_cycle(session, YEAR)
            write_demo_external(
                session,
                cycle.id,
                load_framework(cycle.framework_version),
                var_dir / "inbox" / f"external-{YEAR}.csv",
                seed=YEAR,
            )
    finally:
        db.dispose()
    return int(counts["submitted"])


def year_outcome(db_url: str, var_dir: Path) -> dict[str, int]:
    """What the year left behind, to check both paths did the same work."""
    from sqlalchemy import func, select

    from dgops.db import Database
    from dgops.mail import MailMessage
    from dgops.registry.models import Agency
    from dgops.results.models import ResultLetter

    db = Database.connect(db_url)
    try:
        with db.begin() as session:
            agencies = session.scalar(select(func.count()).select_from(Agency)) or 0
            rows = session.execute(
                select(MailMessage.kind, func.count())
                .where(MailMessage.status == "accepted")
                .group_by(MailMessage.kind)
            ).all()
            mails = {str(kind): int(n) for kind, n in rows}
            letters = session.scalar(select(func.count()).select_from(ResultLetter)) or 0
    finally:
        db.dispose()
    packages = len(list((var_dir / "publication").glob(f"dgrs-{YEAR}-*/manifest.json")))
    return {
        "agencies": int(agencies),
        "invitations": int(mails.get("invitation", 0)),
        "result_letters": int(letters),
        "result_mails": int(mails.get("result", 0)),
        "packages": packages,
    }


@dataclass
class Sink:
    """The SendGrid sink in its own process on a free loopback port."""

    proc: subprocess.Popen[bytes] | None = None
    url: str = ""

    def start(self) -> Sink:
        from dgops_devtools.airflow import free_port

        port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dgops_devtools.sendgrid_sink", "--port", str(port),
             "--api-key", SINK_KEY],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{port}"
        import socket

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise TimeoutError("the SendGrid sink did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def __enter__(self) -> Sink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class PathResult:
    """One path's timings: (name, seconds) in order, the untimed simulation, the outcome."""

    steps: list[tuple[str, float]] = field(default_factory=list)
    simulation_s: float = 0.0
    wall_s: float = 0.0
    outcome: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def total_s(self) -> float:
        return sum(s for _, s in self.steps)


# --------------------------------------------------------------------------- (a) the CLI


def cli_steps() -> None:
    """The child process of the CLI path: settings from the environment (DGOPS_VAR_DIR,
    DGOPS_DATABASE_URL, DGOPS_SENDGRID_*), the DAG tasks' calls in order; prints one JSON line
    with the step timings."""
    from dgops.db import Database
    from dgops.fieldwork import (
        awaiting_checks,
        call_list,
        fieldwork_year,
        run_reminders,
        select_due,
        send_digest,
        send_moment,
        take_snapshot,
        write_call_list,
    )
    from dgops.invite import ensure_accounts, invitation_summary, invite_batch, plan_invitations
    from dgops.mail import MailConfig
    from dgops.publish import publish_cycle
    from dgops.quality import (
        run_summary,
        send_clarifications,
        settle_run,
        store_findings,
        validate_cycle,
    )
    from dgops.registry import import_registry, read_registry
    from dgops.results import (
        current_run,
        external_inputs_file,
        recommend_cycle,
        release_run,
        score_or_keep,
        send_results,
    )
    from dgops.scoring import read_external_file
    from dgops.settings import get_settings
    from dgops.thai import BANGKOK

    settings = get_settings()
    mail = MailConfig.from_settings(settings)
    db = Database.connect(settings.db_url)
    registry_file = os.environ["BENCH_REGISTRY_FILE"]
    logical = dt.datetime.fromisoformat(FIELDWORK_DAY)
    day = logical.astimezone(BANGKOK).date()
    steps: list[tuple[str, float]] = []
    simulation = 0.0

    def timed(name: str, fn: Any) -> Any:
        start = time.perf_counter()
        out = fn()
        steps.append((name, time.perf_counter() - start))
        print(f"   cli {name}: {steps[-1][1]:.1f} s", file=sys.stderr, flush=True)
        return out

    def registry() -> None:
        checked = read_registry(registry_file)
        if checked.errors:
            raise RuntimeError(f"registry errors: {checked.errors[:3]}")
        with db.begin() as session:
            import_registry(session, registry_file, cycle_year=YEAR, actor=ACTOR)

    def invitations() -> None:
        with db.begin() as session:
            plan = plan_invitations(session, YEAR, mail_config=mail, batch_size=100)
        with db.begin() as session:
            ensure_accounts(session, YEAR, [i for b in plan.batches for i in b])
        for batch in plan.batches:
            invite_batch(db, settings, mail, YEAR, batch, actor=ACTOR)
        with db.begin() as session:
            summary = invitation_summary(session, YEAR, mail_config=mail)
        if summary.unsettled:
            raise RuntimeError(f"invitations not settled: {summary.unsettled}")

    def fieldwork_day() -> None:
        with db.begin() as session:
            if fieldwork_year(session, day) != YEAR:
                raise RuntimeError(f"{day} is not in {YEAR}'s fieldwork window")
        with db.begin() as session:
            take_snapshot(session, YEAR, day)
        with db.begin() as session:
            awaiting_checks(session, YEAR)
        with db.begin() as session:
            select_due(session, YEAR, today=day)
        now = send_moment(day, logical, dt.datetime.now(dt.UTC))
        run_reminders(db, YEAR, now=now, mail_config=mail, actor=ACTOR)
        with db.begin() as session:
            frame = call_list(session, YEAR, today=day)
        write_call_list(frame, settings.var_dir / "fieldwork" / f"call-list-{YEAR}-{day}.xlsx")
        send_digest(db, YEAR, day, mail, calls=len(frame), actor=ACTOR)

    def quality() -> None:
        with db.begin() as session:
            outcome = validate_cycle(session, YEAR, actor=ACTOR)
        with db.begin() as session:
            store_findings(session, outcome.run_id, actor=ACTOR)
        with db.begin() as session:
            settle_run(session, outcome.run_id)
        send_clarifications(db, outcome.run_id, mail_config=mail, portal_url=settings.portal_url)
        with db.begin() as session:
            run_summary(session, outcome.run_id)

    def score() -> None:
        path = external_inputs_file(settings.var_dir, YEAR)
        frame = read_external_file(path) if path else None
        with db.begin() as session:
            score_or_keep(session, YEAR, actor=ACTOR, external=frame)

    def recommend() -> None:
        with db.begin() as session:
            recommend_cycle(session, YEAR)

    def release() -> None:
        from dgops.cycles import get_cycle

        with db.begin() as session:
            cycle = get_cycle(session, YEAR)
            run = current_run(session, cycle.id)
            if run is None:
                raise RuntimeError("no scoring run to release")
            release_run(session, cycle.id, run.id, actor=ACTOR)

    def result_letters() -> None:
        report = send_results(db, settings, mail, YEAR, actor=ACTOR, batch_size=500)
        if report.failed_render or report.not_sent:
            raise RuntimeError(f"{len(report.failed_render)} not rendered, "
                               f"{len(report.not_sent)} not sent")  # fmt: skip

    def publish() -> None:
        with db.begin() as session:
            publish_cycle(session, YEAR, settings.var_dir / "publication")

    try:
        timed("registry import", registry)
        timed("invitations", invitations)
        start = time.perf_counter()
        simulate_answers(settings.db_url, settings.var_dir)
        simulation = time.perf_counter() - start
        timed("fieldwork day", fieldwork_day)
        timed("quality", quality)
        timed("score", score)
        timed("recommend", recommend)
        timed("release", release)
        timed("result letters", result_letters)
        timed("publish", publish)
    finally:
        db.dispose()
    print(json.dumps({"steps": steps, "simulation": simulation}), flush=True)


def run_cli(work: Path, registry_file: Path, sink: Sink) -> PathResult:
    """The CLI path in a child process on a fresh database."""
    var_dir = work / "cli" / "var"
    db_url = prepare_survey(var_dir)
    env = {
        **os.environ,
        "DGOPS_VAR_DIR": str(var_dir),
        "DGOPS_DATABASE_URL": db_url,
        "DGOPS_SENDGRID_BASE_URL": sink.url,
        "DGOPS_SENDGRID_API_KEY": SINK_KEY,
        "DGOPS_SENDGRID_SANDBOX": "false",
        "DGOPS_MAIL_ACTIVITY_LAG": "0",
        "BENCH_REGISTRY_FILE": str(registry_file),
    }
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_year", "--cli-child"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        check=True,
    )
    wall = time.perf_counter() - start
    data = json.loads(out.stdout.decode().strip().splitlines()[-1])
    result = PathResult(
        steps=[(str(n), float(s)) for n, s in data["steps"]],
        simulation_s=float(data["simulation"]),
    )
    result.wall_s = wall - result.simulation_s
    result.outcome = year_outcome(db_url, var_dir)
    return result


# --------------------------------------------------------------------------- (b) Airflow


def run_seconds(run: dict[str, Any]) -> float:
    """A DAG run's start→end from the API's dates."""
    start = dt.datetime.fromisoformat(str(run["start_date"]))
    end = dt.datetime.fromisoformat(str(run["end_date"]))
    return (end - start).total_seconds()


def release(db_url: str) -> None:
    """The operator releases the draft (what `dgops results release` does)."""
    from dgops.cycles import get_cycle
    from dgops.db import Database
    from dgops.results import current_run, release_run

    db = Database.connect(db_url)
    try:
        with db.begin() as session:
            cycle = get_cycle(session, YEAR)
            run = current_run(session, cycle.id)
            if run is None:
                raise RuntimeError("no scoring run to release")
            release_run(session, cycle.id, run.id, actor="operator")
    finally:
        db.dispose()


def run_airflow(work: Path, registry_file: Path, sink: Sink) -> PathResult:
    """The year through `.ci/airflow-up` and the REST API only."""
    from dgops_devtools.airflow import AirflowUp, Api, sendgrid_connection

    var_dir = work / "airflow" / "var"
    db_url = prepare_survey(var_dir)
    result = PathResult()
    long = 3600.0
    up = AirflowUp(
        home=work / "airflow" / "home",
        env={
            "DGOPS_VAR_DIR": str(var_dir),
            "DGOPS_DATABASE_URL": db_url,
            "AIRFLOW_CONN_DGOPS_SENDGRID": sendgrid_connection(sink.url, SINK_KEY),
            "DGOPS_RESULTS_POKE_SECONDS": "5",
        },
    )
    start = time.perf_counter()
    try:
        api = Api(up.url, up.start())
        api.wait_for_dags(DAGS)
        for dag_id in DAGS:
            api.unpause(dag_id)
        result.notes.append(f"Airflow start-up (not counted): {time.perf_counter() - start:.0f} s")
        print(f"   airflow up: {time.perf_counter() - start:.0f} s", flush=True)

        def done(name: str, run: dict[str, Any]) -> None:
            result.steps.append((name, run_seconds(run)))
            print(f"   airflow {name}: {result.steps[-1][1]:.1f} s", flush=True)

        t0 = time.perf_counter()
        run_id = api.trigger(
            "dgops_registry", {"cycle_year": YEAR, "registry_file": str(registry_file)}
        )
        done("dgops_registry", api.wait_run("dgops_registry", run_id, timeout=long))
        done("dgops_invite", api.wait_triggered_run("dgops_invite", timeout=long))
        done("dgops_fieldwork (asset, outside the window)",
             api.wait_triggered_run("dgops_fieldwork", timeout=long))  # fmt: skip
        sim = time.perf_counter()
        simulate_answers(db_url, var_dir)
        result.simulation_s = time.perf_counter() - sim
        day_run = api.trigger("dgops_fieldwork", {}, logical_date=FIELDWORK_DAY)
        done(FIELDWORK_DAY_DAG, api.wait_run("dgops_fieldwork", day_run, timeout=long))
        done("dgops_quality", api.wait_triggered_run("dgops_quality", timeout=long))
        results = api.first_run("dgops_results", timeout=long)
        api.wait_task(
            "dgops_results", results, "wait_for_release", {"up_for_reschedule", "running"}, long
        )
        release(db_url)
        done(RESULTS_DAG, api.wait_run("dgops_results", results, timeout=long))
        done("dgops_publish", api.wait_triggered_run("dgops_publish", timeout=long))
        result.wall_s = time.perf_counter() - t0 - result.simulation_s
    except Exception:
        print(up.log_tail(40), file=sys.stderr)
        raise
    finally:
        up.stop()
    result.outcome = year_outcome(db_url, var_dir)
    return result


# --------------------------------------------------------------------------- the report

RESULTS_DAG = "dgops_results (incl. the release wait)"
FIELDWORK_DAY_DAG = "dgops_fieldwork (the day)"
CLI_TO_DAG = {
    "registry import": "dgops_registry",
    "invitations": "dgops_invite",
    "fieldwork day": FIELDWORK_DAY_DAG,
    "quality": "dgops_quality",
    "score": RESULTS_DAG,
    "recommend": RESULTS_DAG,
    "release": RESULTS_DAG,
    "result letters": RESULTS_DAG,
    "publish": "dgops_publish",
}
"""Which DAG run does each CLI step (the results DAG does four)."""


def report(agencies: int, cli: PathResult | None, air: PathResult | None) -> None:
    """The tables, the whole-year times, the ratio and the targets."""
    print(f"\nThe survey year {YEAR}, {agencies:,} agencies (SQLite, local SendGrid sink)")
    print("Not timed in either path: the agencies' answers and the external inputs (the demo's")
    print("simulation of agencies, not an operator step)"
          + (f": CLI {cli.simulation_s:.0f} s" if cli else "")
          + (f", Airflow {air.simulation_s:.0f} s" if air else "") + ".")  # fmt: skip
    if cli:
        print("\n(a) CLI: the DAG tasks' dgops calls, one process")
        for name, s in cli.steps:
            print(f"   {name:<44}{s:>9.1f} s")
        print(f"   {'year (sum of steps)':<44}{cli.total_s:>9.1f} s")
        print(f"   {'year (wall, child process)':<44}{cli.wall_s:>9.1f} s")
        print(f"   outcome: {cli.outcome}")
    if air:
        print("\n(b) Airflow: .ci/airflow-up (LocalExecutor, SQLite), REST API only")
        for note in air.notes:
            print(f"   {note}")
        for name, s in air.steps:
            print(f"   {name:<44}{s:>9.1f} s")
        print(f"   {'year (sum of DAG runs)':<44}{air.total_s:>9.1f} s")
        print(f"   {'year (wall: registry trigger → publish end)':<44}{air.wall_s:>9.1f} s")
        print(f"   outcome: {air.outcome}")
    if cli and air:
        print("\nPer stage, CLI vs the DAG run(s) that do it:")
        per_dag: dict[str, float] = {}
        for name, s in cli.steps:
            per_dag[CLI_TO_DAG[name]] = per_dag.get(CLI_TO_DAG[name], 0.0) + s
        dags = dict(air.steps)
        for dag, s in per_dag.items():
            a = dags[dag]
            print(f"   {dag:<44}{s:>9.1f} s CLI{a:>9.1f} s Airflow  ×{a / s if s else 0:.2f}")
        ratio = air.wall_s / cli.wall_s if cli.wall_s else float("nan")
        print(f"\nWhole year: CLI {cli.wall_s / 60:.1f} min, Airflow {air.wall_s / 60:.1f} min "
              f"(wall, simulation excluded); Airflow/CLI = {ratio:.2f}")  # fmt: skip
        if cli.outcome != air.outcome:
            print(f"WARNING: the paths did different work: {cli.outcome} vs {air.outcome}")
        year_ok = air.wall_s <= YEAR_LIMIT_S
        ratio_ok = ratio <= RATIO_LIMIT
        scale = "" if agencies >= 10_000 else f" (measured at {agencies:,}, not 10,000)"
        print(f"Target whole year ≤ {YEAR_LIMIT_S / 60:.0f} min under Airflow: "
              f"{'met' if year_ok else 'MISSED'}{scale}")  # fmt: skip
        print(f"Target Airflow ≤ {RATIO_LIMIT}× the CLI: {'met' if ratio_ok else 'MISSED'}{scale}")


def main(argv: list[str] | None = None) -> int:
    """``--agencies N`` (default 10,000); ``--only cli|airflow``; ``--keep`` keeps the files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--only", choices=["cli", "airflow"])
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--cli-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.cli_child:
        cli_steps()
        return 0

    from dgops.demo import generate_registry
    from dgops.registry import write_registry_xlsx

    work = Path(tempfile.mkdtemp(prefix="dgops-bench-year-"))
    try:
        records = generate_registry("10k", seed=YEAR)[: args.agencies]
        registry_file = work / f"registry-{len(records)}.xlsx"
        write_registry_xlsx(records, registry_file)
        print(f"   registry: {len(records):,} agencies in {registry_file}", flush=True)
        cli = air = None
        with Sink() as sink:
            if args.only in (None, "cli"):
                cli = run_cli(work, registry_file, sink)
            if args.only in (None, "airflow"):
                air = run_airflow(work, registry_file, sink)
        report(len(records), cli, air)
    finally:
        if args.keep:
            print(f"   files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
