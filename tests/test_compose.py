"""docker-compose.yml and Dockerfile are complete (checked as data: no Docker engine here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

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
}


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


def test_should_define_every_service_of_the_official_layout(services: dict[str, Any]) -> None:
    assert set(services) == AIRFLOW_SERVICES | ONE_SHOT | {"postgres", "redis"}
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
    sql = (ROOT / "sql" / "docker" / "init-dgops-db.sql").read_text("utf-8")
    created = re.search(r"CREATE DATABASE (\w+) OWNER (\w+)", sql)
    assert created is not None
    database, owner = created.groups()

    env = _env(services["airflow-worker"])
    for key in ("AIRFLOW_CONN_DGOPS_DB", "DGOPS_DATABASE_URL"):
        url = urlsplit(_expand_default(env[key]))
        assert (url.hostname, url.path, url.username) == ("postgres", f"/{database}", owner)
        assert database != "airflow"
    assert urlsplit(env["DGOPS_DATABASE_URL"]).scheme == "postgresql+psycopg"
    mounts = [_expand_default(m) for m in services["postgres"]["volumes"]]
    assert any(
        m.split(":")[0] == "./sql/docker/init-dgops-db.sql" and "/docker-entrypoint-initdb.d/" in m
        for m in mounts
    )


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
            assert (ROOT / folder).is_dir()
        assert env["DGOPS_HOME"] == "/opt/dgops"
        for folder in ("expectations", "sql", "templates"):
            assert mounted[folder] == f"{env['DGOPS_HOME']}/{folder}"


def test_should_migrate_the_survey_database_once(services: dict[str, Any]) -> None:
    migrate = services["dgops-db-migrate"]

    assert "dgops db upgrade" in " ".join(migrate["command"])
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
