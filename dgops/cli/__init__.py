"""The `dgops` command line: every job of the survey year, runnable by hand.

Each stage has its own module here with the typer groups it adds (``COMMANDS``); the modules
import their domain code inside the commands, so ``dgops --help`` stays quick.
"""

from __future__ import annotations

import typer

from dgops.cli import (
    credentials,
    cycle,
    db,
    demo,
    framework,
    invite,
    letters,
    mail,
    privacy,
    publish,
    quality,
    registry,
    remind,
    responses,
    results,
    scoring,
    track,
    web,
)

app = typer.Typer(
    name="dgops",
    help="Operations for the national Digital Government Readiness Survey.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db.app, name="db")
app.add_typer(cycle.app, name="cycle")


# The stages of the survey year, in the order an operator meets them. Each module exposes
# ``COMMANDS``: the typer groups it adds at the top level (e.g. scoring adds score and recommend).
_STAGES = (
    registry,
    demo,
    framework,
    credentials,
    letters,
    mail,
    invite,
    web,
    responses,
    track,
    remind,
    quality,
    scoring,
    results,
    publish,
    privacy,
)
for _stage in _STAGES:
    for _name, _group in _stage.COMMANDS.items():
        app.add_typer(_group, name=_name)


def main() -> None:
    app()
