"""docker-compose.yml and Dockerfile are complete (checked as data: no Docker engine here).

The file is validated against the Compose Specification's JSON schema (vendored in
tests/fixtures/compose-spec.json, see its README), then checked for what the schema cannot
know: start order, one source for the database password, a default for every variable, mounts
that exist, a mail route, a small build context.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import hmac
import importlib.util
import json
import os
import re
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dgops.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
AIRFLOW_SERVICES = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
}
ONE_SHOT = {"airflow-init", "dgops-db-migrate"}
MOUNTS = {
    "dags": "/opt/airflow/dags",
    "plugins": "/opt/airflow/plugins",
    "expectations": "/opt/dgops/expectations",
    "sql": "/opt/dgops/sql",
    "templates": "/opt/dgops/templates",
    "data/inbox": "/opt/dgops/inbox",
}
RUNTIME_FOLDERS = {"logs", "var"}
"""Bind-mounted folders made at run time (README: ``mkdir -p logs var``), git-ignored."""
INBOX = "/opt/dgops/inbox"
"""Where DAGs read operators' files (registry workbooks): data/inbox/ of the checkout."""
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text("utf-8")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = compose["services"]
    return result


def _env(service: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in service["environment"].items()}


def _expand_default(value: str) -> str:
    """``${NAME:-default}`` → ``default``, as compose does when NAME is unset."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_should_validate_against_the_compose_specification_schema(
    compose: dict[str, Any],
) -> None:
    schema = json.loads((ROOT / "tests" / "fixtures" / "compose-spec.json").read_text("utf-8"))
    validator = jsonschema.Draft7Validator(schema)

    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(compose)]

    assert errors == []
    # The schema is really applied: a misspelt key is refused.
    broken = {**compose, "services": {"x": {"image": "a", "restart_policy": "always"}}}
    assert not validator.is_valid(broken)


def test_should_define_every_service_of_the_official_layout(services: dict[str, Any]) -> None:
    assert set(services) == AIRFLOW_SERVICES | ONE_SHOT | {"postgres", "redis", "mail-sink"}
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:")


def test_should_give_every_long_running_service_a_healthcheck(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES | {"postgres", "redis"}:
        check = services[name].get("healthcheck", {})
        assert check.get("test"), f"{name} has no healthcheck"
    for name in ONE_SHOT:
        assert "healthcheck" not in services[name]


def test_should_start_in_order(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES | ONE_SHOT:
        depends = services[name]["depends_on"]
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name
    for name in AIRFLOW_SERVICES | {"dgops-db-migrate"}:
        init = services[name]["depends_on"]["airflow-init"]
        assert init == {"condition": "service_completed_successfully"}, name
    worker = services["airflow-worker"]["depends_on"]
    assert worker["airflow-apiserver"] == {"condition": "service_healthy"}
    assert worker["dgops-db-migrate"] == {"condition": "service_completed_successfully"}


def test_should_run_airflow_3_with_celery_and_one_jwt_secret(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES | ONE_SHOT:
        env = _env(services[name])
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
            "http://airflow-apiserver:8080/execution/"
        )
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"], name
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith("@postgres/airflow")
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    assert {s["command"] for s in (services[n] for n in AIRFLOW_SERVICES)} == {
        "api-server",
        "scheduler",
        "dag-processor",
        "celery worker",
        "triggerer",
    }


def test_should_point_dgops_at_its_own_database(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES | ONE_SHOT:
        env = _env(services[name])
        url = urlsplit(_expand_default(env["DGOPS_DATABASE_URL"]))
        assert url.scheme == "postgresql+psycopg", name
        assert (url.hostname, url.path, url.username) == ("postgres", "/dgops", "dgops"), name
    admin = urlsplit(_env(services["dgops-db-migrate"])["DGOPS_DB_ADMIN_URL"])
    postgres = _env(services["postgres"])
    assert (admin.hostname, admin.username, admin.password) == (
        "postgres",
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
    )


def test_should_write_the_dgops_password_in_one_place(services: dict[str, Any]) -> None:
    # The variable is interpolated once, inside DGOPS_DATABASE_URL; the role is created from
    # that URL, so no SQL file or second URL can disagree with it.
    uses = re.findall(r"\$\{DGOPS_DB_PASSWORD[^}]*\}", COMPOSE_TEXT)
    assert len(uses) == 1
    env = _env(services["airflow-worker"])
    assert uses[0] in env["DGOPS_DATABASE_URL"]
    assert not any("DGOPS_DB_PASSWORD" in v for k, v in env.items() if k != "DGOPS_DATABASE_URL")
    assert not (ROOT / "sql" / "docker" / "init-dgops-db.sql").exists()
    for path in (ROOT / "sql" / "docker").iterdir():
        assert "PASSWORD 'dgops'" not in path.read_text("utf-8"), path.name
    assert "initdb" not in " ".join(services["postgres"].get("volumes", []))


def test_should_give_every_variable_a_default() -> None:
    # ``$$`` is a literal dollar for the container's shell; everything else is interpolated by
    # compose, and an unset variable without a default silently becomes "".
    text_ = re.sub(
        r"\$\$",
        "",
        "\n".join(line for line in COMPOSE_TEXT.splitlines() if not line.lstrip().startswith("#")),
    )
    references = re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}", text_)
    bare = re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", re.sub(r"\$\{[^}]*\}", "", text_))

    assert references
    assert bare == []
    missing = sorted({name for name, rest in references if not rest.startswith((":-", "-"))})
    assert missing == []
    # Each variable has one default, however often it is used (an empty one only asks
    # "is it set?", as airflow-init does for AIRFLOW_UID).
    defaults: dict[str, set[str]] = {}
    for name, rest in references:
        if rest != ":-":
            defaults.setdefault(name, set()).add(rest)
    assert {n: d for n, d in defaults.items() if len(d) > 1} == {}
    header = COMPOSE_TEXT.split("---", 1)[0]
    undocumented = sorted({n for n, _ in references} - set(re.findall(r"[A-Z_]{4,}", header)))
    assert undocumented == []


def test_should_route_mail_to_the_sink_unless_told_sendgrid(services: dict[str, Any]) -> None:
    sink = services["mail-sink"]
    command = " ".join(sink["command"])
    assert "dgops mail sink" in command
    port = int(re.search(r"--port (\d+)", command).group(1))  # type: ignore[union-attr]
    assert "--host 0.0.0.0" in command
    assert "--outbox /opt/dgops/var/outbox" in command
    for name in AIRFLOW_SERVICES | ONE_SHOT:
        env = _env(services[name])
        assert _expand_default(env["DGOPS_SENDGRID_BASE_URL"]) == f"http://mail-sink:{port}"
        assert env["DGOPS_SENDGRID_BASE_URL"].startswith("${DGOPS_SENDGRID_BASE_URL:-")
        assert env["DGOPS_SENDGRID_API_KEY"].startswith("${DGOPS_SENDGRID_API_KEY:-")
    assert services["airflow-worker"]["depends_on"]["mail-sink"] == {"condition": "service_healthy"}
    assert sink["healthcheck"]["test"]


def test_should_offer_the_sink_a_host_option() -> None:
    from typer.testing import CliRunner

    from dgops.cli import app

    result = CliRunner().invoke(app, ["mail", "sink", "--help"], env={"COLUMNS": "200"})

    assert result.exit_code == 0
    assert "--host" in result.output


def test_should_mount_the_checkout_where_dgops_home_points(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES | ONE_SHOT:
        service = services[name]
        env = _env(service)
        mounted = {
            Path(host).as_posix(): target
            for host, target, *_ in (_expand_default(v).split(":") for v in service["volumes"])
        }
        for folder, target in MOUNTS.items():
            assert mounted.get(folder) == target, f"{name}: {folder}"
        assert env["DGOPS_HOME"] == "/opt/dgops"
        for folder in ("expectations", "sql", "templates"):
            assert mounted[folder] == f"{env['DGOPS_HOME']}/{folder}"
        assert mounted["var"] == env["DGOPS_VAR_DIR"]


def test_should_mount_only_folders_that_exist_or_are_made_at_run_time(
    services: dict[str, Any],
) -> None:
    ignored = (ROOT / ".gitignore").read_text("utf-8").split()
    for name, service in services.items():
        for volume in service.get("volumes", []):
            host = _expand_default(volume).split(":")[0]
            if not host.startswith("./"):
                continue  # a named volume
            folder = Path(host).as_posix()
            if folder in RUNTIME_FOLDERS:
                assert f"{folder}/" in ignored, f"{name}: {folder} should be git-ignored"
                assert f"mkdir -p {' '.join(sorted(RUNTIME_FOLDERS))}" in COMPOSE_TEXT
            else:
                assert (ROOT / folder).is_dir(), f"{name}: {folder} is not in the checkout"


def test_should_keep_the_inbox_read_only_and_its_files_out_of_git(
    services: dict[str, Any],
) -> None:
    volume = next(v for v in services["airflow-worker"]["volumes"] if v.endswith(f"{INBOX}:ro"))
    assert _expand_default(volume).startswith("./data/inbox:")
    rules = (ROOT / "data" / "inbox" / ".gitignore").read_text("utf-8").split()
    assert "*" in rules
    assert "!.gitignore" in rules


def test_should_migrate_the_survey_database_once(services: dict[str, Any]) -> None:
    migrate = services["dgops-db-migrate"]

    command = " ".join(migrate["command"])
    assert command.index("ensure_dgops_db.py") < command.index("dgops db upgrade")
    assert "/opt/dgops/sql/docker/ensure_dgops_db.py" in command
    assert (ROOT / "sql" / "docker" / "ensure_dgops_db.py").is_file()
    assert migrate["restart"] == "no"


def test_should_build_the_image_from_the_pinned_airflow_with_dgops_installed() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")

    assert "apache/airflow:3.3.2-python3.11" in dockerfile
    for source in ("pyproject.toml", "uv.lock", "dgops"):
        assert re.search(rf"^COPY .*\b{re.escape(source)}\b", dockerfile, re.MULTILINE), source
    installs = re.findall(r"pip install[^\n]*(?:\\\n[^\n]*)*", dockerfile)
    assert installs
    assert all('"apache-airflow==${AIRFLOW_VERSION}"' in i for i in installs)
    assert "ENV DGOPS_HOME=/opt/dgops" in dockerfile


def test_should_keep_the_build_context_small() -> None:
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    copied = {
        source
        for line in re.findall(r"^COPY (?!--from)(.*)$", dockerfile, re.MULTILINE)
        for source in line.split()[:-1]
        if not source.startswith("--")
    }

    def included(path: str) -> bool:
        keep = True
        for rule in rules:
            negate = rule.startswith("!")
            pattern = rule.removeprefix("!").rstrip("/")
            if fnmatch.fnmatch(path, pattern) or path.startswith(f"{pattern}/"):
                keep = negate
        return keep

    assert rules[0] == "*"  # everything out, then only what the image needs back in
    assert copied >= {"pyproject.toml", "uv.lock", "dgops", "dgops_devtools", "sql"}
    assert all(included(source) for source in copied), copied
    for heavy in (".venv", ".git", "var", "logs", "tests", "data/inbox/agencies.xlsx"):
        assert not included(heavy), heavy


def _ensure_module() -> ModuleType:
    path = ROOT / "sql" / "docker" / "ensure_dgops_db.py"
    spec = importlib.util.spec_from_file_location("ensure_dgops_db", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_should_read_role_password_and_database_from_the_url() -> None:
    ensure = _ensure_module()

    assert ensure.target_of("postgresql+psycopg://dgops:p%40ss@postgres:5432/dgops") == (
        "dgops",
        "p@ss",
        "dgops",
    )
    with pytest.raises(ValueError, match="user and a database"):
        ensure.target_of("postgresql://postgres:5432/")


@pytest.mark.postgres
def test_should_create_the_database_when_missing_and_follow_the_password() -> None:
    admin_env = os.environ.get("DGOPS_TEST_POSTGRES_URL")
    if not admin_env:
        pytest.skip("PostgreSQL not available (DGOPS_TEST_POSTGRES_URL is not set)")
    ensure = _ensure_module()
    admin = make_url(admin_env)
    admin_url = admin.render_as_string(hide_password=False)
    name = f"dgops_c_{uuid.uuid4().hex[:8]}"
    admin_engine = make_engine(admin_url, isolation_level="AUTOCOMMIT")

    def target(password: str) -> str:
        return admin.set(username=name, password=password, database=name).render_as_string(
            hide_password=False
        )

    def password_is(password: str) -> bool:
        # The test server may trust local logins, so check the stored SCRAM verifier itself.
        with admin_engine.connect() as conn:
            stored = conn.execute(
                text("SELECT rolpassword FROM pg_authid WHERE rolname = :n"), {"n": name}
            ).scalar_one()
        method, rest = stored.split("$", 1)
        iterations_salt, keys = rest.split("$")
        iterations, salt = iterations_salt.split(":")
        stored_key = keys.split(":")[0]
        salted = hashlib.pbkdf2_hmac(
            "sha256", password.encode(), base64.b64decode(salt), int(iterations)
        )
        client_key = hmac.new(salted, b"Client Key", "sha256").digest()
        return method == "SCRAM-SHA-256" and hmac.compare_digest(
            base64.b64encode(hashlib.sha256(client_key).digest()).decode(), stored_key
        )

    try:
        first = ensure.ensure_database(admin_url, target("first-secret"))
        again = ensure.ensure_database(admin_url, target("second-secret"))

        assert first == [f"created role {name}", f"created database {name}"]
        assert again[1] == f"database {name} exists"
        assert "second-secret" not in " ".join(first + again)
        assert password_is("second-secret")
        assert not password_is("first-secret")
        with admin_engine.connect() as conn:
            owner = conn.execute(
                text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :n"),
                {"n": name},
            ).scalar_one()
        assert owner == name
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin_engine.dispose()
