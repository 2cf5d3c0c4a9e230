"""`dgops demo`: the demo registry and the `make demo` run of a whole survey year."""

from __future__ import annotations

from pathlib import Path

import typer

from dgops.cli._common import actor, console, fail
from dgops.demo import (
    DEMO_YEAR_BE,
    SCALES,
    StepResult,
    count_records,
    run_demo,
    write_demo_registry,
)
from dgops.settings import get_settings

app = typer.Typer(
    help="Demo data and the end-to-end demo run (ข้อมูลสาธิตและการสาธิตทั้งปีสำรวจ).",
    no_args_is_help=True,
)

_SCALE_HELP = (
    "2023: 300 departments + 76 provincial CIO committees; "
    "2019: 323 departments + 1,444 provincial offices + 2 local governments; "
    "10k: 2019 + local governments up to 10,000 agencies."
)


def _check_scale(scale: str) -> str:
    if scale not in SCALES:
        fail(f"ไม่รู้จักขนาด {scale!r} / unknown scale {scale!r}: choose {', '.join(SCALES)}")
    return scale


@app.command("registry")
def registry_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="File to write (.xlsx, or .csv)."),
    scale: str = typer.Option("2023", help=_SCALE_HELP),
    seed: int = typer.Option(
        DEMO_YEAR_BE, help="Random seed for the people (same seed, same file)."
    ),
    imperfect: bool = typer.Option(
        False, help="Damage ~4% of the contacts the way real files are (for quality checks)."
    ),
) -> None:
    """Write a demo registry file (XLSX by default, CSV by extension) and print its counts."""
    _check_scale(scale)
    records = write_demo_registry(out, scale, seed, imperfect=imperfect)
    console.print(f"wrote {out}", highlight=False)
    for line in count_records(records).lines():
        console.print(line, highlight=False, markup=False)


@app.command("run")
def run_cmd(
    scale: str = typer.Option("2023", help=_SCALE_HELP),
    year: int = typer.Option(DEMO_YEAR_BE, help="Survey year, Buddhist era (2566) or Gregorian."),
    seed: int | None = typer.Option(None, help="Random seed for the people (default: the year)."),
    fresh: bool = typer.Option(
        True,
        "--fresh/--keep",
        help="Start from an empty default SQLite database under var/ (a configured database "
        "is never dropped), or keep what is there.",
    ),
) -> None:
    """Run the demo survey year end to end on the configured (default: SQLite) database."""
    _check_scale(scale)

    def echo(result: StepResult) -> None:
        console.print(
            f"✓ {result.name}: {result.note} ({result.seconds:.1f} s)",
            highlight=False,
            markup=False,
        )

    summary = run_demo(
        get_settings(), scale, year=year, seed=seed, fresh=fresh, actor=actor(), on_step=echo
    )
    console.print()
    for line in summary.lines(steps=False):
        console.print(line, highlight=False, markup=False)


COMMANDS = {"demo": app}


@app.command("responses")
def responses_cmd(
    cycle: int = typer.Option(DEMO_YEAR_BE, help="Survey year (Buddhist era or Gregorian)."),
    seed: int = typer.Option(DEMO_YEAR_BE, help="Random seed (same seed, same answers)."),
    share: float = typer.Option(0.97, min=0.0, max=1.0, help="Share of agencies that answer."),
    verified_share: float = typer.Option(
        0.85, min=0.0, max=1.0, help="Share of the answers already verified."
    ),
) -> None:
    """Write realistic demo answers for the cycle's enrolled agencies (replaces earlier ones)."""
    from dgops.cli._common import database
    from dgops.cycles import CycleError
    from dgops.demo import store_demo_responses

    try:
        with database() as db, db.begin() as session:
            counts = store_demo_responses(
                session, cycle, seed, share=share, verified_share=verified_share, actor=actor()
            )
    except CycleError as exc:
        fail(str(exc))
    console.print(
        f"{counts['responses']:,} responses ({counts['verified']:,} verified, "
        f"{counts['submitted']:,} submitted), {counts['answers']:,} answers",
        highlight=False,
    )
