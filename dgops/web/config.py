"""Settings of the agency portal: cookies, sessions, login throttling, bodies, hosts, proxies."""

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
    device_cookie_name: str = "dgops_device"
    """Marks a browser that has signed in to an account before (see ``LoginThrottler``)."""
    device_cookie_ttl: dt.timedelta = dt.timedelta(days=400)
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
    trusted_hosts: tuple[str, ...] = ()
    """Host names the portal answers to (others get 400, so no redirect or link is ever built
    from a forged ``Host``). Empty: the host of ``DGOPS_PORTAL_URL`` plus localhost/127.0.0.1."""

    # -- sign-in throttling: delays that grow with failures and expire (never a lock) -----------
    max_failures_per_username: int = 5
    """Failed passwords on one username (from browsers it has never signed in on) before
    each further attempt must wait."""
    max_failures_per_address: int = 20
    """Failed sign-ins, activations or reset links from one client address before waiting."""
    max_failures_per_device: int = 5
    """Failed passwords from a browser that signed in to the account before, before waiting."""
    throttle_base_delay: dt.timedelta = dt.timedelta(seconds=30)
    """The first wait; every further failure doubles it."""
    throttle_max_delay: dt.timedelta = dt.timedelta(minutes=15)
    """The longest wait, however many failures."""
    throttle_forget_after: dt.timedelta = dt.timedelta(hours=1)
    """A key's failures are forgotten this long after its last one."""

    # -- request bodies ----------------------------------------------------------------------
    max_upload_bytes: int = 10 * 1024 * 1024
    """Largest evidence file."""
    uploads_per_request: int = 5
    """A pillar form's body may carry this many full-size files (plus ``max_form_bytes``)."""
    max_form_bytes: int = 1024 * 1024
    """Largest body of every other request (sign-in, autosave, submit...)."""
    max_form_fields: int = 2000
    """Most fields in one form (a pillar page has a few hundred)."""
    max_form_files: int = 50
    """Most file inputs in one form (empty file inputs count too)."""
    max_field_bytes: int = 64 * 1024
    """Largest single text field."""
    survey_channel: str = "online"

    @property
    def max_upload_request_bytes(self) -> int:
        """The body limit of a pillar form, the only one that carries files."""
        return self.uploads_per_request * self.max_upload_bytes + self.max_form_bytes
