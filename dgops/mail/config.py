"""How to reach SendGrid: a frozen value the caller builds (from settings or a connection)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from dgops.registry.models import ContactRole
from dgops.settings import Settings, get_settings


@dataclass(frozen=True)
class MailConfig:
    """Everything the sender needs to talk to SendGrid (or the local sink).

    Build it with :meth:`from_settings`, or in an Airflow hook from a connection (``host`` →
    ``base_url``, ``password`` → ``api_key``). The API key never appears in ``repr``.
    """

    base_url: str
    api_key: str = field(repr=False)
    from_email: str
    from_name: str = ""
    sandbox: bool = False
    templates_dir: Path = Path("templates/email")
    categories: tuple[str, ...] = ("dgops",)
    to_roles: tuple[ContactRole, ...] = (ContactRole.HEAD, ContactRole.CIO)
    cc_roles: tuple[ContactRole, ...] = (ContactRole.COORDINATOR,)
    timeout: float = 30.0
    """Seconds before one HTTP request is abandoned (its outcome is then uncertain)."""
    max_attempts: int = 5
    """HTTP attempts per message in one run (429, 5xx, timeouts); the rest waits for a re-run."""
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    activity_api: bool = True
    """Whether the Email Activity API (a paid SendGrid add-on) may be queried to reconcile."""
    reply_to: str = ""
    """Where replies go (the survey team); empty: no ``reply_to`` (replies go to ``from``)."""
    rate_per_second: float = 0.0
    """Most mail/send requests per second over all workers (0: unlimited)."""
    credential_kinds: tuple[str, ...] = ("invitation", "password_reset")
    """Kinds that carry credentials or credential links: never click- or open-tracked (a
    tracked link is rewritten through SendGrid's redirect host, and a scanner following it
    would spend a one-time link)."""
    open_tracking: bool = True
    """Open tracking (a pixel) for the other kinds; click tracking is always off."""
    activity_batch: int = 25
    """Messages looked up per Email Activity request (one ``OR`` query)."""
    activity_per_minute: float = 6.0
    """Email Activity requests per minute this process makes (SendGrid allows only a few)."""
    activity_max_wait: float = 120.0
    """Longest wait, in one run, for Email Activity's rate limit to reset before giving up and
    telling the operator when to try again."""
    activity_lag: float = 600.0
    """Seconds a sent message may take to appear in Email Activity. A message SendGrid does not
    list is only considered "not received" once it was sent longer ago than this (0 for the
    local sink, which lists a message as soon as it stores it)."""

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, not {self.base_url!r}")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.rate_per_second < 0 or self.activity_per_minute < 0 or self.activity_lag < 0:
            raise ValueError("rates and the activity lag cannot be negative")
        if self.activity_batch < 1:
            raise ValueError("activity_batch must be at least 1")

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **overrides: object) -> MailConfig:
        """The configuration of ``settings`` (default: the process settings), with overrides."""
        s = settings or get_settings()
        config = cls(
            base_url=s.sendgrid_base_url.rstrip("/"),
            api_key=s.sendgrid_api_key.get_secret_value(),
            from_email=s.mail_from,
            from_name=s.mail_from_name,
            sandbox=s.sendgrid_sandbox,
            templates_dir=s.templates_dir / "email",
            reply_to=s.mail_reply_to,
            rate_per_second=s.mail_rate_per_second,
            activity_api=s.mail_activity_api,
            activity_lag=s.mail_activity_lag,
            activity_batch=s.mail_activity_batch,
            activity_per_minute=s.mail_activity_per_minute,
            activity_max_wait=s.mail_activity_max_wait,
        )
        return dataclasses.replace(config, **overrides) if overrides else config  # type: ignore[arg-type]

    @property
    def reconcile_after(self) -> float:
        """Age (seconds) after which another run's ``sending`` message is surely not in flight."""
        return self.timeout + self.activity_lag + 5.0
