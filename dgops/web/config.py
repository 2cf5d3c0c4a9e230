"""Settings of the agency portal: cookies, sessions, login throttling, uploads, proxies."""

from __future__ import annotations

import datetime as dt

from pydantic_settings import BaseSettings, SettingsConfigDict


class WebConfig(BaseSettings):
    """How the portal behaves; every value can be set as ``DGOPS_WEB_<NAME>``.

    ``cookie_secure`` ``None`` means "Secure when the request came over HTTPS" (directly, or
    as said by ``X-Forwarded-Proto`` from an address in ``trusted_proxies``).
    """

    model_config = SettingsConfigDict(env_prefix="DGOPS_WEB_", frozen=True, extra="ignore")

    cookie_name: str = "dgops_session"
    csrf_cookie_name: str = "dgops_csrf"
    cookie_secure: bool | None = None
    cookie_samesite: str = "lax"
    session_ttl: dt.timedelta = dt.timedelta(hours=8)
    """Absolute lifetime of a signed-in session."""
    idle_timeout: dt.timedelta = dt.timedelta(hours=1)
    """A session unused this long is over."""
    touch_every: dt.timedelta = dt.timedelta(minutes=1)
    """``last_seen_at`` is written at most this often (saves a write per request)."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses whose X-Forwarded-For / X-Forwarded-Proto are believed (e.g. 127.0.0.1)."""
    throttle_window: dt.timedelta = dt.timedelta(minutes=15)
    throttle_lock: dt.timedelta = dt.timedelta(minutes=15)
    max_failures_per_username: int = 5
    max_failures_per_address: int = 20
    max_upload_bytes: int = 10 * 1024 * 1024
    survey_channel: str = "online"
