"""What every command shares: the database from settings, errors, and progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from dgops.db import Database
from dgops.settings import get_settings

console = Console()
err_console = Console(stderr=True)


def actor() -> str:
    return get_settings().actor_name()


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``message`` in red on stderr and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Progress]:
    """A progress bar on stderr (silent when stderr is not a terminal)."""
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        bar.add_task(description, total=total)
        yield bar


def database() -> Database:
    """The configured database (``DGOPS_DATABASE_URL``, default SQLite) as a unit of work."""
    return Database.connect(get_settings().db_url)
