"""The migrations create exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from dgops.db import current_revision, head_revision
from dgops.db.schema import load_all_models

METADATA = load_all_models()


def test_should_reach_the_newest_revision(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()


def test_should_leave_no_difference_between_models_and_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, METADATA)
    assert diff == []
