"""One typed, immutable settings object for every dgops component.

Values come, in order of precedence, from keyword arguments, ``DGOPS_*`` environment
variables, an optional TOML file named by ``DGOPS_CONFIG_FILE`` (or ``--config`` on the CLI),
and the defaults below. Secrets are :class:`pydantic.SecretStr`, so they print as ``**********``.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The repository root when dgops runs from a checkout (templates/, sql/, expectations/)."""


def _default_home() -> Path:
    return Path(os.environ.get("DGOPS_HOME", PROJECT_ROOT))


class _TomlFileSource(PydanticBaseSettingsSource):
    """Reads the ``[dgops]`` table (or the top level) of the file named by DGOPS_CONFIG_FILE."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = os.environ.get("DGOPS_CONFIG_FILE")
        if not path:
            return {}
        file = Path(path)
        if not file.is_file():
            raise FileNotFoundError(f"DGOPS_CONFIG_FILE points to a missing file: {file}")
        with file.open("rb") as fh:
            data = tomllib.load(fh)
        table = data.get("dgops", data)
        return {k: v for k, v in table.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    """Settings shared by the CLI, the DAGs, the web application and the tests."""

    model_config = SettingsConfigDict(env_prefix="DGOPS_", frozen=True, extra="ignore")

    home: Path = PROJECT_ROOT
    """Where templates/, sql/ and expectations/ live (the checkout, or a mounted folder)."""
    var_dir: Path = PROJECT_ROOT / "var"
    """Writable state: the default SQLite database, rendered letters, the mail outbox."""
    database_url: str = ""
    """SQLAlchemy URL. Empty means ``sqlite:///<var_dir>/dgops.sqlite``. PostgreSQL:
    ``postgresql+psycopg://user:password@host/db``."""
    actor: str = ""
    """Who is acting, for the audit trail; empty means the operating-system user."""
    sendgrid_api_key: SecretStr = SecretStr("")
    sendgrid_base_url: str = "https://api.sendgrid.com"
    sendgrid_sandbox: bool = False
    mail_from: str = "survey@dga.example.org"
    mail_from_name: str = "สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)"
    portal_url: str = "http://127.0.0.1:8000"
    mail_reply_to: str = "survey-team@dga.example.org"
    """Where agencies' replies go (the survey team's mailbox, not the sending address)."""
    mail_rate_per_second: float = 200.0
    """Most mail/send requests per second a batch makes (spreads large batches); 0: no limit.
    200/s spreads a burst without holding back a whole year's 10,000 invitations for long."""
    mail_activity_api: bool = True
    """Whether the account has SendGrid's Email Activity add-on (reconciliation asks it)."""
    mail_activity_lag: float = 600.0
    """The uncertainty window: seconds a sent message may take to appear in Email Activity."""
    mail_activity_batch: int = 25
    """Messages looked up per Email Activity request."""
    mail_activity_per_minute: float = 6.0
    """Email Activity requests per minute (SendGrid allows only a few)."""
    mail_activity_max_wait: float = 120.0
    """Longest wait for Email Activity's rate limit in one run; longer: stop and say when."""
    password_reset_ttl_minutes: int = 60
    """How long an e-mailed password-reset link works."""
    late_answer_days: int = Field(default=0, ge=0)
    """Days after an agency's own deadline (extensions counted) during which the portal still
    accepts its answers and submission (marked late); 0 closes the survey the day after the
    deadline. A response returned for corrections is always accepted."""
    survey_team_name: str = "ทีมงานโครงการสำรวจความพร้อมรัฐบาลดิจิทัล"
    """Who agencies contact about the survey (shown on every portal page)."""
    survey_team_phone: str = ""
    """The survey team's telephone number(s) as agencies should dial them, e.g. ``02 123 4567``."""
    survey_team_email: str = "survey@dga.example.org"
    survey_team_hours: str = "วันจันทร์–วันศุกร์ 08.30–16.30 น. (เว้นวันหยุดราชการ)"
    privacy_retention_days: int = Field(default=730, ge=0)
    """Days personal data (contacts, e-mail addresses, evidence files) is kept after it was
    collected; ``dgops privacy purge`` removes older data (docs/privacy.md)."""
    privacy_key: SecretStr = SecretStr("")
    """Key of the pseudonyms that replace purged e-mail addresses and phone numbers (keyed
    hash, so the same address keeps the same pseudonym across runs); empty: a random key per
    purge run (pseudonyms then match only within that run)."""

    @field_validator("var_dir", "home")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlFileSource(settings_cls))

    @property
    def db_url(self) -> str:
        """The effective database URL (the SQLite default resolved under ``var_dir``)."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.var_dir / 'dgops.sqlite'}"

    @property
    def templates_dir(self) -> Path:
        return self.home / "templates"

    @property
    def sql_dir(self) -> Path:
        return self.home / "sql"

    @property
    def expectations_dir(self) -> Path:
        return self.home / "expectations"

    @property
    def frameworks_dir(self) -> Path:
        return self.home / "dgops" / "framework" / "data"

    def actor_name(self) -> str:
        if self.actor:
            return self.actor
        try:
            return os.getlogin()
        except OSError:
            return os.environ.get("USER", "unknown")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
