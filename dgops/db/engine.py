"""Engines, transactional sessions and Alembic migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect

from dgops.settings import Settings, get_settings


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default: the settings' database), with SQLite made strict.

    SQLite gets foreign keys switched on, WAL journaling and a busy timeout, so that it behaves
    like the production PostgreSQL database where it matters (constraints, concurrent readers).
    """
    url = url or get_settings().db_url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL never corrupts the file; a power cut may lose the last commits.
            # FULL costs a disk sync per commit, which dominated the portal's autosave latency.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine


def _alembic_config(engine: Engine, settings: Settings | None = None) -> Any:
    from alembic.config import Config

    settings = settings or get_settings()
    cfg = Config()
    cfg.set_main_option("script_location", str(settings.sql_dir / "migrations"))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads", settings: Settings | None = None) -> str:
    """Create or upgrade the database to ``revision``; returns the revision(s) reached."""
    from alembic import command

    command.upgrade(_alembic_config(engine, settings), revision)
    return current_revision(engine) or ""


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision(s) the database is at, comma-separated (None when empty)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        heads = MigrationContext.configure(conn).get_current_heads()
        return ",".join(sorted(heads)) or None


def head_revision(settings: Settings | None = None) -> str:
    """The newest revision(s) shipped in ``sql/migrations``, comma-separated."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    settings = settings or get_settings()
    cfg = Config()
    cfg.set_main_option("script_location", str(settings.sql_dir / "migrations"))
    return ",".join(sorted(ScriptDirectory.from_config(cfg).get_heads()))
