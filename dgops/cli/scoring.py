"""`dgops score` and `dgops recommend`: score a cycle's responses, then advise every agency."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from dgops.cli._common import actor, console, database, fail
from dgops.responses.models import ResponseStatus

score_app = typer.Typer(
    help="Score a cycle's responses and store the results (a new run supersedes the last).",
    invoke_without_command=True,
)
recommend_app = typer.Typer(
    help="Classify every agency's sub-indicators against its peers and store DGA-style advice.",
    invoke_without_command=True,
)
COMMANDS = {"score": score_app, "recommend": recommend_app}


def _peer_by(value: str) -> tuple[str, ...]:
    allowed = {"level", "agency_type", "mission", "ministry", "province"}
    cols = tuple(c.strip() for c in value.split(",") if c.strip())
    bad = [c for c in cols if c not in allowed]
    if bad:
        fail(f"--peer-by: unknown column(s) {bad}; choose among {sorted(allowed)}")
    return cols


def _print_distribution(scores: object) -> None:
    import pandas as pd

    from dgops.results import level_distribution

    assert isinstance(scores, pd.DataFrame)
    dist = level_distribution(scores)
    table = Table(title="ระดับความพร้อม (maturity distribution)")
    table.add_column("code")
    for k in range(1, 6):
        table.add_column(f"L{k}", justify="right")
    table.add_column("mean", justify="right")
    for code, row in dist.iterrows():
        cells = [f"{int(row[f'n_{k}'])} ({row[f'pct_{k}']:.1f}%)" for k in range(1, 6)]
        table.add_row(str(code), *cells, f"{row['mean']:.2f}")
    console.print(table)
    overall = scores[scores["kind"] == "overall"]["score"].dropna()
    if len(overall):
        console.print(
            f"overall: n={len(overall)} mean={overall.mean():.2f} median={overall.median():.2f} "
            f"sd={overall.std():.2f} min={overall.min():.2f} max={overall.max():.2f}"
        )


@score_app.callback()
def score_cmd(
    ctx: typer.Context,
    cycle: int | None = typer.Option(None, help="Survey year (BE 2566 or CE 2023)."),
    include_submitted: bool = typer.Option(
        False, "--include-submitted", help="Also score submitted (not yet verified) responses."
    ),
    peer_by: str = typer.Option(
        "level,agency_type,mission", help="Peer group columns for ranks, comma-separated."
    ),
    external: Path | None = typer.Option(
        None,
        "--external",
        help="External inputs (CSV/XLSX: an agency column with codes, one column per key, 0..1).",
    ),
    lenient: bool = typer.Option(
        False,
        "--lenient",
        help="Score even when inputs do not match the framework (e.g. an external key with no "
        "data: those items are left out); the problems are printed and stored with the run.",
    ),
    supersede: bool = typer.Option(
        False,
        "--supersede",
        help="Score again although the cycle's results were released (needs --reason); the "
        "new run is a draft until released, then agencies already sent a letter get a "
        "correction letter.",
    ),
    reason: str | None = typer.Option(
        None, "--reason", help="Why the released results are replaced (in Thai: agencies read it)."
    ),
) -> None:
    """Score the cycle's verified responses and store them as the current run.

    Inputs that do not match the framework (an external input the framework needs but no file
    gives, an agency code the registry does not know) stop the run unless --lenient is given.
    The run is a draft: agencies see nothing until `dgops results release`.
    """
    if ctx.invoked_subcommand is not None:
        return
    if cycle is None:
        fail("--cycle is required (e.g. dgops score --cycle 2566)")
    from dgops.cycles import CycleError
    from dgops.framework import FrameworkError
    from dgops.results import ReleaseError, score_cycle
    from dgops.scoring import ScoreFileError, ScoringInputError, read_external_file

    statuses = [ResponseStatus.VERIFIED]
    if include_submitted:
        statuses.append(ResponseStatus.SUBMITTED)
    try:
        ext = None if external is None else read_external_file(external)
        with database() as db, db.begin() as session:
            out = score_cycle(
                session,
                cycle,
                actor=actor(),
                statuses=statuses,
                peer_by=_peer_by(peer_by),
                external=ext,
                strict=not lenient,
                supersede=supersede,
                reason=reason,
            )
    except ScoringInputError as exc:
        fail(f"{exc}\n(give --external FILE, or --lenient to score without them)")
    except (CycleError, FrameworkError, ScoreFileError, ReleaseError) as exc:
        fail(str(exc))
    if out.n_agencies == 0:
        console.print("[yellow]no responses to score[/] (verified only; try --include-submitted)")
    console.print(
        f"score run {out.run_id}: framework {out.framework_version}, {out.n_agencies} agencies, "
        f"{out.n_issues} out-of-domain answers (scored as missing); a draft until "
        f"`dgops results release --cycle {cycle} --run {out.run_id}`"
    )
    for line in out.input_issues:
        console.print(f"[yellow]input problem (lenient):[/] {line}", highlight=False)
    _print_distribution(out.scores)


@score_app.command("file")
def file_cmd(
    framework: str = typer.Argument(..., help="Framework file (YAML) or shipped id (2566)."),
    answers: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="Answers: CSV/XLSX, agency column + question ids."
    ),
    external: Path | None = typer.Option(
        None, "--external", exists=True, dir_okay=False, help="External inputs (CSV/XLSX)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Write scores and issues (.xlsx, or .csv + -issues.csv)."
    ),
    lenient: bool = typer.Option(
        False, "--lenient", help="Score even when columns or external keys do not match."
    ),
) -> None:
    """Score answers from a file with a framework file, without the survey database."""
    import pandas as pd

    from dgops.framework import FrameworkError, load_framework
    from dgops.scoring import (
        INPUT_REASONS,
        ScoreFileError,
        ScoringInputError,
        read_answers_file,
        read_external_file,
        score,
        write_result,
    )

    try:
        fw = load_framework(framework)
        frame = read_answers_file(answers, fw)
        ext = None if external is None else read_external_file(external)
        result = score(fw, frame, external=ext, strict=not lenient)
    except ScoringInputError as exc:
        fail(f"{exc}\n(fix the files, or give --lenient to score anyway)")
    except (FrameworkError, ScoreFileError) as exc:
        fail(str(exc))
    structural = [i for i in result.issues if i.reason in INPUT_REASONS]
    console.print(
        f"{fw.id}: {len(frame)} agencies scored, {len(result.issues) - len(structural)} "
        f"out-of-domain answers (scored as missing), {len(structural)} input problems"
    )
    for issue in structural:
        console.print(f"[yellow]input problem:[/] {issue.question_id}: {issue.message}")
    table = Table("agency", "overall", "level", "group")
    for code, value in result.overall.items():
        level = result.overall_level.get(code)
        table.add_row(
            str(code),
            "-" if pd.isna(value) else f"{value:.2f}",
            "-" if pd.isna(level) else str(level),
            "" if pd.isna(result.group.get(code)) else str(result.group.get(code)),
        )
    console.print(table)
    if out is not None:
        for written in write_result(result, out):
            console.print(f"wrote {written}")


@score_app.command("show")
def show_cmd(
    cycle: int = typer.Option(..., help="Survey year (BE 2566 or CE 2023)."),
    agency: str | None = typer.Option(None, help="Agency code: its scores and advice."),
) -> None:
    """Show the current run: distribution, or one agency's scores and recommendations."""
    from sqlalchemy import select

    from dgops.cycles import CycleError, get_cycle
    from dgops.registry.models import Agency
    from dgops.results import current_run, load_recommendations, load_scores

    with database() as db, db.begin() as session:
        try:
            c = get_cycle(session, cycle)
        except CycleError as exc:
            fail(str(exc))
        run = current_run(session, c.id)
        if run is None:
            fail(f"cycle {c.year_be} has not been scored; run `dgops score --cycle {c.year_be}`")
        scores = load_scores(session, run.id)
        console.print(f"run {run.id} of {run.computed_at:%Y-%m-%d %H:%M} by {run.actor}")
        if agency is None:
            _print_distribution(scores)
            return
        agency_id = session.scalar(select(Agency.id).where(Agency.code == agency))
        if agency_id is None:
            fail(f"no agency with code {agency}")
        mine = scores[scores["agency_id"] == agency_id]
        table = Table(title=f"{agency}")
        for col in ("kind", "code", "score", "level", "group", "rank", "peer rank"):
            table.add_column(col)
        for r in mine.to_dict(orient="records"):
            value = r["score"]
            table.add_row(
                str(r["kind"]),
                str(r["code"]),
                "-" if value is None or value != value else f"{float(value):.2f}",
                str(r["level"]),
                r["group_code"] if isinstance(r["group_code"], str) else "",
                str(r["rank_national"]),
                f"{r['rank_peer']}/{r['peer_size']}",
            )
        console.print(table)
        recs = load_recommendations(session, run.id, agency_id)
        for a in recs.to_dict(orient="records"):
            if a["rec_class"] == "accelerate":
                console.print(
                    f"[bold]{a['rank']}. {a['sub_indicator']}[/] (ระดับ {a['level']}, "
                    f"ผลกระทบ {float(a['impact']):.2f}) {a['advice_th']}\n"
                    f"   หน่วยงานหลัก: {a['lead_unit']}; หน่วยงานสนับสนุน: "
                    f"{', '.join(a['support_units'])}"
                )


@recommend_app.callback()
def recommend_cmd(
    ctx: typer.Context,
    cycle: int | None = typer.Option(None, help="Survey year (BE 2566 or CE 2023)."),
    peer_by: str | None = typer.Option(
        None, help="Peer group columns, comma-separated (default: those of the scoring run)."
    ),
    top: int = typer.Option(4, min=1, help="National policy themes to recommend."),
) -> None:
    """Recommend on the cycle's current score run (replaces that run's recommendations).

    A released run keeps the recommendations agencies were sent: nothing is changed.
    """
    if ctx.invoked_subcommand is not None:
        return
    if cycle is None:
        fail("--cycle is required (e.g. dgops recommend --cycle 2566)")
    from dgops.cycles import CycleError
    from dgops.framework import FrameworkError
    from dgops.recommend import CLASS_LABELS_TH, RuleError
    from dgops.results import recommend_cycle

    try:
        with database() as db, db.begin() as session:
            out = recommend_cycle(
                session,
                cycle,
                peer_by=_peer_by(peer_by) if peer_by else None,
                top_themes=top,
            )
    except (CycleError, FrameworkError, RuleError, LookupError) as exc:
        fail(str(exc))
    if out.released:
        console.print(
            f"run {out.run_id} is released: its {out.n_rows} recommendations stay as agencies "
            "were sent them (score again with --supersede for a new draft)"
        )
        return
    console.print(f"run {out.run_id}: {out.n_rows} agency × sub-indicator recommendations")
    for cls, label in CLASS_LABELS_TH.items():
        console.print(f"  {label} ({cls}): {out.by_class.get(cls, 0)}")
    console.print(f"national themes: {', '.join(out.themes) or '-'}")
