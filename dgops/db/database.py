"""The survey database and its one unit-of-work idiom.

Every piece of dgops that touches the database does it through a :class:`Database`:

    with db.begin() as session:     # one transaction: commit on success, roll back on error
        ...

``begin()`` is SQLAlchemy's own ``sessionmaker.begin()``; no other transaction helper exists.
Code that needs several transactions in a row (the mail ledger commits each message's state
before it talks to SendGrid) opens one ``begin()`` block per transaction.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dgops.db.engine import make_engine


class Database:
    """An engine and the session factory of the unit of work.

    Loaded attributes stay readable after the commit (``expire_on_commit=False``), so a function
    can return the rows it wrote. Use it as a context manager to dispose of the engine's pool.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)

    @classmethod
    def connect(cls, url: str | None = None, **engine_kwargs: Any) -> Database:
        """A database for ``url`` (default: the settings' database)."""
        return cls(make_engine(url, **engine_kwargs))

    def begin(self) -> AbstractContextManager[Session]:
        """One unit of work: commit when the block ends, roll back on any exception, close."""
        return self._sessions.begin()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def dispose(self) -> None:
        """Close every pooled connection (the next ``begin()`` opens new ones)."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.dispose()

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r})"
