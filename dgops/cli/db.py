"""`dgops db`: create and upgrade the survey database."""

from __future__ import annotations

import typer

from dgops.cli._common import console, database
from dgops.db import current_revision, head_revision, upgrade

app = typer.Typer(
    help="Create or upgrade the survey database (Alembic migrations in sql/).", no_args_is_help=True
)


@app.command("upgrade")
def upgrade_cmd(
    revision: str = typer.Argument("heads", help="Target revision (default: the newest)."),
) -> None:
    """Create the database if needed and apply every pending migration."""
    eng = database().engine
    before = current_revision(eng)
    after = upgrade(eng, revision)
    console.print(
        f"database {eng.url.render_as_string(hide_password=True)}: {before or 'empty'} → {after}"
    )


@app.command("status")
def status_cmd() -> None:
    """Show the database's revision and the newest shipped one."""
    eng = database().engine
    console.print(f"database: {eng.url.render_as_string(hide_password=True)}")
    console.print(f"current revision: {current_revision(eng) or 'none (empty database)'}")
    console.print(f"newest revision:  {head_revision()}")
