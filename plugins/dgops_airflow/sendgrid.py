"""A hook for SendGrid (``dgops_sendgrid``): the API base URL and key as a ``MailConfig``.

Airflow's sendgrid provider is only an e-mail backend and cannot take a custom API host (the
local sink, a proxy); this hook reads the base URL from the connection's ``host``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseHook
from airflow.sdk.exceptions import AirflowNotFoundException

if TYPE_CHECKING:
    from airflow.sdk import Connection

    from dgops.mail import MailConfig
    from dgops.settings import Settings

# Connection extras passed on to MailConfig, with their types.
_EXTRAS: dict[str, type] = {
    "sandbox": bool,
    "activity_api": bool,
    "activity_lag": float,
    "timeout": float,
    "max_attempts": int,
    "from_email": str,
    "from_name": str,
}


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def base_url(conn: Connection) -> str:
    """``scheme://host[:port]`` of a connection: ``host`` may already carry the scheme (and a
    path); otherwise ``schema`` gives it (default ``https``)."""
    host = (conn.host or "").strip().rstrip("/")
    if not host:
        raise ValueError(f"connection {conn.conn_id!r} has no host (the SendGrid API base URL)")
    if "://" in host:
        return host
    scheme = (conn.schema or "https").strip().lower()
    port = f":{conn.port}" if conn.port else ""
    return f"{scheme}://{host}{port}"


def mail_config(conn: Connection, settings: Settings | None = None) -> MailConfig:
    """The ``MailConfig`` of a connection: base URL from host/schema/port, API key from the
    password, ``sandbox``/``activity_api``/``activity_lag``/``timeout``/``from_email`` … from
    the extras; everything else (templates, sender) from the dgops settings."""
    from dgops.mail import MailConfig

    overrides: dict[str, Any] = {"base_url": base_url(conn), "api_key": conn.password or ""}
    for key, kind in _EXTRAS.items():
        if key in conn.extra_dejson:
            value = conn.extra_dejson[key]
            overrides[key] = _flag(value) if kind is bool else kind(value)
    return MailConfig.from_settings(settings, **overrides)


class SendGridHook(BaseHook):
    """``MailConfig`` for ``dgops.mail`` from the ``dgops_sendgrid`` Airflow connection.

    Without that connection the hook falls back to the dgops settings
    (``DGOPS_SENDGRID_BASE_URL``, ``DGOPS_SENDGRID_API_KEY``, ``DGOPS_SENDGRID_SANDBOX``) and
    says so in the task log. The key is never logged.
    """

    conn_name_attr = "sendgrid_conn_id"
    default_conn_name = "dgops_sendgrid"
    conn_type = "http"
    hook_name = "dgops SendGrid API"

    def __init__(
        self,
        sendgrid_conn_id: str = default_conn_name,
        *,
        settings: Settings | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sendgrid_conn_id = sendgrid_conn_id
        self._settings = settings

    def get_config(self) -> MailConfig:
        """The mail configuration (API key inside: do not log it)."""
        from dgops.mail import MailConfig
        from dgops.settings import get_settings

        settings = self._settings or get_settings()
        try:
            conn = self.get_connection(self.sendgrid_conn_id)
        except AirflowNotFoundException:
            config = MailConfig.from_settings(settings)
            self.log.info(
                "Connection %r not found: using the dgops settings (SendGrid at %s)",
                self.sendgrid_conn_id,
                config.base_url,
            )
            return config
        return mail_config(conn, settings)

    def get_conn(self) -> MailConfig:
        """Same as :meth:`get_config` (the name every Airflow hook has)."""
        return self.get_config()
