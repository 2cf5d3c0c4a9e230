"""`dgops framework`: check and describe survey framework files."""

from __future__ import annotations

from collections import Counter

import typer
from rich.table import Table

from dgops.cli._common import console, err_console
from dgops.framework import FrameworkError, available_frameworks, load_framework

app = typer.Typer(
    help="Survey frameworks (กรอบการสำรวจ): check and describe.", no_args_is_help=True
)

COMMANDS = {"framework": app}


@app.command("validate")
def validate_cmd(
    target: str = typer.Argument(..., help="A framework file, or a shipped id such as 2566."),
) -> None:
    """Check a framework file; print every problem with its path in the file."""
    try:
        fw = load_framework(target)
    except FrameworkError as exc:
        err_console.print(
            f"[bold red]กรอบการสำรวจไม่ถูกต้อง (invalid framework): {len(exc.problems)} problem(s)[/]",
            highlight=False,
        )
        for line in str(exc).splitlines():
            err_console.print(f"  {line}", highlight=False, markup=False)
        raise typer.Exit(1) from None
    console.print(
        f"OK {fw.id}: {len(fw.pillars)} pillars, {len(fw.sub_indicator_codes)} sub-indicators, "
        f"{len(fw.questions)} questions ({len(fw.scored_questions)} scored)",
        highlight=False,
    )


@app.command("show")
def show_cmd(
    target: str = typer.Argument(..., help="A shipped id such as 2566, or a framework file."),
) -> None:
    """Describe a framework: pillars, weights, questions per type, assumptions."""
    try:
        fw = load_framework(target)
    except FrameworkError as exc:
        err_console.print(str(exc), highlight=False, markup=False)
        raise typer.Exit(1) from None
    agg = fw.aggregation
    console.print(f"[bold]{fw.id}[/] ({fw.year_be}) {fw.title_th}", highlight=False)
    if fw.title_en:
        console.print(fw.title_en, highlight=False)
    console.print(
        f"aggregation: sub-indicator {agg.sub_indicator}, pillar {agg.pillar}, overall "
        f"{agg.overall}, scale 0..{agg.scale:g}; maturity: "
        + ("none" if fw.maturity is None else fw.maturity.rule)
        + (f" {fw.maturity.bands}" if fw.maturity and fw.maturity.rule == "bands" else ""),
        highlight=False,
    )
    table = Table("pillar", "name", "weight", "sub-indicators", "questions", "scored")
    for p in fw.pillars:
        questions = [q for s in p.sub_indicators for q in s.questions]
        table.add_row(
            p.code,
            p.name_en or p.name_th,
            "-" if p.weight is None else f"{p.weight:g}",
            str(len(p.sub_indicators)),
            str(len(questions)),
            str(sum(q.scoring is not None for q in questions)),
        )
    console.print(table)
    types = Counter(q.type for q in fw.questions)
    rules = Counter(q.scoring.rule for q in fw.scored_questions if q.scoring is not None)
    console.print(
        "questions per type: " + ", ".join(f"{t} {c}" for t, c in sorted(types.items())),
        highlight=False,
    )
    console.print(
        "items per rule: " + ", ".join(f"{r} {c}" for r, c in sorted(rules.items())),
        highlight=False,
    )
    if fw.groups:
        console.print(
            "groups: " + ", ".join(f"{g.code} ≥ {g.min:g}" for g in fw.groups), highlight=False
        )
    if fw.assumptions:
        console.print("[bold]assumptions (ข้อสมมติ):[/]")
        for a in fw.assumptions:
            console.print(f"  - {a}", highlight=False, markup=False)


@app.command("list")
def list_cmd() -> None:
    """List the frameworks shipped with dgops."""
    for fid in available_frameworks():
        console.print(fid)
