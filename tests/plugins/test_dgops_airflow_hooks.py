"""DgopsDatabaseHook: Airflow connections in, SQLAlchemy URLs and engines out (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("airflow")

from airflow.sdk import Connection
from airflow.sdk.exceptions import AirflowNotFoundException
from dgops_airflow import DgopsDatabaseHook, sqlalchemy_url
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dgops.settings import Settings

pytestmark = pytest.mark.airflow

DEV_CONNECTIONS = Path(__file__).resolve().parents[1] / "dags" / "dev_connections.json"


class _FakeConnectionHook(DgopsDatabaseHook):
    """The hook with Airflow's connection look-up replaced by a dict."""

    def __init__(self, connections: dict[str, Connection], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._connections = connections

    def get_connection(self, conn_id: str) -> Connection:  # type: ignore[override]
        try:
            return self._connections[conn_id]
        except KeyError:
            raise AirflowNotFoundException(f"The conn_id `{conn_id}` isn't defined") from None


def test_should_build_a_psycopg_url_from_a_postgres_connection() -> None:
    conn = Connection(
        conn_id="dgops_db",
        conn_type="postgres",
        host="db.internal",
        port=5433,
        login="dgops",
        password="p@ss/word",
        schema="dgops",
        extra=json.dumps({"sslmode": "require", "unrelated": "x"}),
    )

    url = make_url(sqlalchemy_url(conn))

    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port) == ("db.internal", 5433)
    assert (url.username, url.database) == ("dgops", "dgops")
    assert url.password == "p@ss/word"
    assert dict(url.query) == {"sslmode": "require"}


def test_should_accept_the_uri_form_used_in_airflow_conn_environment_variables() -> None:
    conn = Connection.from_uri("postgresql://dgops:secret@postgres:5432/dgops", conn_id="dgops_db")

    assert sqlalchemy_url(conn) == "postgresql+psycopg://dgops:secret@postgres:5432/dgops"


def test_should_prefer_the_sqlalchemy_url_in_extra() -> None:
    conn = Connection(
        conn_id="dgops_db",
        conn_type="generic",
        extra=json.dumps({"sqlalchemy_url": "sqlite:////srv/dgops.sqlite"}),
    )

    assert sqlalchemy_url(conn) == "sqlite:////srv/dgops.sqlite"


def test_should_resolve_a_relative_sqlite_path_under_the_dgops_home(tmp_path: Path) -> None:
    relative = Connection(conn_id="dgops_db", conn_type="sqlite", host="var/dgops.sqlite")
    absolute = Connection(conn_id="dgops_db", conn_type="sqlite", host="/data/dgops.sqlite")

    assert sqlalchemy_url(relative, home=tmp_path) == f"sqlite:///{tmp_path}/var/dgops.sqlite"
    assert sqlalchemy_url(absolute, home=tmp_path) == "sqlite:////data/dgops.sqlite"


def test_should_refuse_a_connection_type_it_cannot_turn_into_a_database_url() -> None:
    conn = Connection(conn_id="dgops_db", conn_type="http", host="example.org")

    with pytest.raises(ValueError, match="postgres or sqlite"):
        sqlalchemy_url(conn)


def test_should_open_an_engine_on_the_connection_database(tmp_path: Path) -> None:
    path = tmp_path / "survey.sqlite"
    conn = Connection(conn_id="dgops_db", conn_type="sqlite", host=str(path))
    hook = _FakeConnectionHook({"dgops_db": conn})

    engine = hook.get_engine()
    try:
        with engine.connect() as db:
            foreign_keys = db.execute(text("PRAGMA foreign_keys")).scalar()
    finally:
        engine.dispose()

    assert engine.url.database == str(path)
    assert foreign_keys == 1  # made by dgops.db.make_engine, not a bare create_engine
    assert path.exists()


def test_should_fall_back_to_the_dgops_settings_without_a_connection(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'fallback.sqlite'}")
    hook = _FakeConnectionHook({}, settings=settings)

    assert hook.get_uri() == settings.db_url


def test_should_read_the_connection_named_by_the_hook_argument() -> None:
    other = Connection(conn_id="archive_db", conn_type="sqlite", host="/srv/archive.sqlite")
    hook = _FakeConnectionHook({"archive_db": other}, dgops_conn_id="archive_db")

    assert DgopsDatabaseHook.default_conn_name == "dgops_db"
    assert hook.get_uri() == "sqlite:////srv/archive.sqlite"


def test_should_give_the_dev_connection_the_same_database_as_the_dgops_cli() -> None:
    raw = json.loads(DEV_CONNECTIONS.read_text(encoding="utf-8"))
    fields = {k: v for k, v in raw["dgops_db"].items() if k != "description"}
    conn = Connection(conn_id="dgops_db", **fields)
    home = Path(__file__).resolve().parents[2]
    settings = Settings(home=home, var_dir=home / "var")

    assert sqlalchemy_url(conn, home=settings.home) == settings.db_url
