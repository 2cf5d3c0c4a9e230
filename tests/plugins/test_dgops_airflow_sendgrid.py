"""SendGridHook: Airflow connections in, MailConfig out (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("airflow")

from airflow.sdk import Connection
from airflow.sdk.exceptions import AirflowNotFoundException
from dgops_airflow import SendGridHook, mail_config
from pydantic import SecretStr

from dgops.settings import Settings

pytestmark = pytest.mark.airflow

ROOT = Path(__file__).resolve().parents[2]
DEV_CONNECTIONS = ROOT / "tests" / "dags" / "dev_connections.json"


class _FakeConnectionHook(SendGridHook):
    """The hook with Airflow's connection look-up replaced by a dict."""

    def __init__(self, connections: dict[str, Connection], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._connections = connections

    def get_connection(self, conn_id: str) -> Connection:  # type: ignore[override]
        try:
            return self._connections[conn_id]
        except KeyError:
            raise AirflowNotFoundException(f"The conn_id `{conn_id}` isn't defined") from None


def _settings() -> Settings:
    return Settings(home=ROOT, sendgrid_api_key=SecretStr("SG.from-settings"))


def test_should_build_the_base_url_from_host_schema_and_port() -> None:
    conn = Connection(
        conn_id="dgops_sendgrid",
        conn_type="http",
        host="127.0.0.1",
        schema="http",
        port=8025,
        password="SG.secret",
    )

    config = mail_config(conn, _settings())

    assert config.base_url == "http://127.0.0.1:8025"
    assert config.api_key == "SG.secret"
    assert "SG.secret" not in repr(config)


def test_should_default_to_https_and_accept_a_host_with_a_scheme() -> None:
    plain = Connection(conn_id="c", conn_type="http", host="api.sendgrid.com", password="k")
    full = Connection(
        conn_id="c", conn_type="http", host="https://proxy.example.org/sg/", password="k"
    )

    assert mail_config(plain, _settings()).base_url == "https://api.sendgrid.com"
    assert mail_config(full, _settings()).base_url == "https://proxy.example.org/sg"


def test_should_read_sandbox_and_activity_flags_from_the_extras() -> None:
    conn = Connection(
        conn_id="dgops_sendgrid",
        conn_type="http",
        host="api.sendgrid.com",
        password="k",
        extra=json.dumps({"sandbox": "true", "activity_api": False, "activity_lag": "900"}),
    )

    config = mail_config(conn, _settings())

    assert config.sandbox is True
    assert config.activity_api is False
    assert config.activity_lag == 900.0
    assert config.templates_dir == ROOT / "templates" / "email"


def test_should_refuse_a_connection_without_a_host() -> None:
    with pytest.raises(ValueError, match="no host"):
        mail_config(Connection(conn_id="dgops_sendgrid", conn_type="http"), _settings())


def test_should_fall_back_to_the_dgops_settings_without_a_connection() -> None:
    settings = _settings()
    hook = _FakeConnectionHook({}, settings=settings)

    config = hook.get_config()

    assert SendGridHook.default_conn_name == "dgops_sendgrid"
    assert config.base_url == settings.sendgrid_base_url
    assert config.api_key == "SG.from-settings"


def test_should_read_the_connection_named_by_the_hook_argument() -> None:
    other = Connection(conn_id="sg_eu", conn_type="http", host="api.eu.sendgrid.com", password="eu")
    hook = _FakeConnectionHook({"sg_eu": other}, sendgrid_conn_id="sg_eu", settings=_settings())

    assert hook.get_conn().base_url == "https://api.eu.sendgrid.com"


def test_should_point_the_dev_connection_at_the_local_sink() -> None:
    raw = json.loads(DEV_CONNECTIONS.read_text(encoding="utf-8"))
    fields = {k: v for k, v in raw["dgops_sendgrid"].items() if k != "description"}
    fields["extra"] = json.dumps(fields.get("extra", {}))
    conn = Connection(conn_id="dgops_sendgrid", **fields)

    config = mail_config(conn, _settings())

    assert config.base_url == "http://127.0.0.1:8025"
    assert config.activity_lag == 0.0
