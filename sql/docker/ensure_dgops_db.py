"""Create the survey database and its role when missing, then leave them matching the URL.

Run by docker-compose.yml's one-shot ``dgops-db-migrate`` service before ``dgops db upgrade``,
on every ``docker compose up``, so it works on a volume that already holds data (PostgreSQL's
``/docker-entrypoint-initdb.d`` scripts run only on an empty one) and keeps the role's password
equal to the one in ``DGOPS_DATABASE_URL`` — the only place the password is written (compose
builds that URL from ``DGOPS_DB_PASSWORD``). Change the password in ``.env``, run
``docker compose up`` again, and the role follows.

    DGOPS_DB_ADMIN_URL=postgresql://airflow:airflow@postgres:5432/airflow \
    DGOPS_DATABASE_URL=postgresql+psycopg://dgops:secret@postgres:5432/dgops \
    python sql/docker/ensure_dgops_db.py

Prints what it did (never the password). Safe to run any number of times.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql


def _plain(url: str) -> str:
    # psycopg takes libpq URLs: drop SQLAlchemy's "+driver" from the scheme.
    scheme, rest = url.split("://", 1)
    return f"{scheme.split('+', 1)[0]}://{rest}"


def target_of(url: str) -> tuple[str, str, str]:
    """(role, password, database) named by a SQLAlchemy/libpq PostgreSQL URL."""
    parts = urlsplit(_plain(url))
    role = unquote(parts.username or "")
    database = parts.path.lstrip("/")
    if not role or not database:
        raise ValueError("DGOPS_DATABASE_URL must name a user and a database")
    return role, unquote(parts.password or ""), database


def ensure_database(admin_url: str, target_url: str) -> list[str]:
    """Create the role and database of ``target_url`` if missing (as ``admin_url``, a
    superuser); set the role's password to the URL's. Returns what was done, in words."""
    role, password, database = target_of(target_url)
    done: list[str] = []
    with psycopg.connect(_plain(admin_url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        if exists is None:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
            done.append(f"created role {role}")
        else:
            # The URL is the one source of the password: follow it when .env changes it.
            conn.execute(
                sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
            done.append(f"role {role} exists (password set from DGOPS_DATABASE_URL)")
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if found is None:
            # Its own database and owner: Airflow's metadata and the survey data stay apart.
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(database), sql.Identifier(role)
                )
            )
            conn.execute(
                sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database))
            )
            done.append(f"created database {database}")
        else:
            done.append(f"database {database} exists")
    return done


def main() -> int:
    """Read the two URLs from the environment and ensure the database; 2 when one is missing."""
    admin_url = os.environ.get("DGOPS_DB_ADMIN_URL", "")
    target_url = os.environ.get("DGOPS_DATABASE_URL", "")
    if not admin_url or not target_url:
        print("ensure_dgops_db: set DGOPS_DB_ADMIN_URL and DGOPS_DATABASE_URL", file=sys.stderr)
        return 2
    for line in ensure_database(admin_url, target_url):
        print(f"ensure_dgops_db: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
