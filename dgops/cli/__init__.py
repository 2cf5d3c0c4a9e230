"""The `dgops` command line: every job of the survey year, runnable by hand.

Each domain registers its own sub-command group from a module in this package.
"""

from __future__ import annotations

import typer

from dgops.cli import cycle, db

app = typer.Typer(
    name="dgops",
    help="Operations for the national Digital Government Readiness Survey.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db.app, name="db")
app.add_typer(cycle.app, name="cycle")


def _register_optional() -> None:
    # Sub-command groups of later stages; each module exposes `app` and `NAME`.
    import importlib

    for module_name in (
        "registry",
        "demo",
        "framework",
        "scoring",
        "credentials",
        "letters",
        "mail",
        "invite",
        "web",
        "responses",
        "quality",
        "track",
        "remind",
    ):
        try:
            module = importlib.import_module(f"dgops.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"dgops.cli.{module_name}":
                raise
            continue
        for name, sub in getattr(module, "COMMANDS", {}).items():
            app.add_typer(sub, name=name)


_register_optional()


def main() -> None:
    app()
