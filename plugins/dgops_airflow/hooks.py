"""A hook for the survey database (``dgops_db``), in the style of the Airflow providers.

The hook only turns an Airflow connection into a SQLAlchemy engine; everything done with the
engine is a ``dgops`` function that runs the same way from the ``dgops`` CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseHook
from airflow.sdk.exceptions import AirflowNotFoundException

if TYPE_CHECKING:
    from airflow.sdk import Connection
    from sqlalchemy import Engine

    from dgops.settings import Settings

# libpq parameters that may sit in a postgres connection's extra and are passed on to psycopg.
_LIBPQ_EXTRAS = frozenset(
    {
        "application_name",
        "connect_timeout",
        "options",
        "sslcert",
        "sslkey",
        "sslmode",
        "sslrootcert",
        "target_session_attrs",
    }
)


def sqlalchemy_url(conn: Connection, *, home: Path | None = None) -> str:
    """The SQLAlchemy URL for an Airflow connection to the survey database.

    - extra ``sqlalchemy_url``: used as it is (any database SQLAlchemy knows);
    - ``postgres`` connections: ``postgresql+psycopg://login:password@host:port/schema``, with
      libpq options (``sslmode`` …) from the extra as query parameters;
    - ``sqlite`` connections: the file in ``host`` (the sqlite provider's convention); a relative
      path is taken relative to ``home`` (the dgops home, ``DGOPS_HOME``).

    Raises ``ValueError`` for any other connection type.
    """
    from sqlalchemy.engine import URL

    extra: dict[str, Any] = conn.extra_dejson
    if extra.get("sqlalchemy_url"):
        return str(extra["sqlalchemy_url"])
    conn_type = (conn.conn_type or "").lower()
    if conn_type in {"postgres", "postgresql"}:
        url = URL.create(
            "postgresql+psycopg",
            username=conn.login or None,
            password=conn.password or None,
            host=conn.host or None,
            port=conn.port or None,
            database=conn.schema or None,
            query={k: str(v) for k, v in sorted(extra.items()) if k in _LIBPQ_EXTRAS},
        )
        return url.render_as_string(hide_password=False)
    if conn_type == "sqlite":
        if not conn.host:
            raise ValueError(f"sqlite connection {conn.conn_id!r} has no file path in 'host'")
        path = Path(conn.host)
        if not path.is_absolute() and home is not None:
            path = home / path
        return f"sqlite:///{path}"
    raise ValueError(
        f"connection {conn.conn_id!r} has type {conn.conn_type!r}: the dgops database needs a "
        "postgres or sqlite connection, or an extra 'sqlalchemy_url'"
    )


class DgopsDatabaseHook(BaseHook):
    """Engine for the survey database from the ``dgops_db`` Airflow connection.

    Without that connection the hook falls back to the dgops settings (``DGOPS_DATABASE_URL``,
    default SQLite under ``var/``) and says so in the task log.
    """

    conn_name_attr = "dgops_conn_id"
    default_conn_name = "dgops_db"
    conn_type = "postgres"
    hook_name = "dgops survey database"

    def __init__(
        self,
        dgops_conn_id: str = default_conn_name,
        *,
        settings: Settings | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.dgops_conn_id = dgops_conn_id
        self._settings = settings

    def get_uri(self) -> str:
        """The SQLAlchemy URL of the survey database (with the password: do not log it)."""
        from sqlalchemy.engine import make_url

        from dgops.settings import get_settings

        settings = self._settings or get_settings()
        try:
            conn = self.get_connection(self.dgops_conn_id)
        except AirflowNotFoundException:
            url = settings.db_url
            self.log.info(
                "Connection %r not found: using the dgops settings database %s",
                self.dgops_conn_id,
                make_url(url).render_as_string(hide_password=True),
            )
            return url
        return sqlalchemy_url(conn, home=settings.home)

    def get_engine(self, **engine_kwargs: Any) -> Engine:
        """A new engine (``dgops.db.make_engine``); the caller disposes of it."""
        from dgops.db import make_engine

        return make_engine(self.get_uri(), **engine_kwargs)

    def get_conn(self) -> Engine:
        """Same as :meth:`get_engine` (the name every Airflow hook has)."""
        return self.get_engine()
