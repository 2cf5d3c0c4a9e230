"""The issuing unit printed on letters, loaded from ``templates/letters/issuer.yaml``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field

from dgops.configfile import ConfigError, ConfigModel, read_yaml, validate
from dgops.settings import get_settings


class IssuerError(ConfigError):
    """The issuer file is malformed; ``problems`` holds (key, message) pairs."""


class _IssuerFile(ConfigModel):
    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    address_lines: list[str] = Field(default_factory=list)
    division: str
    phone: str
    fax: str
    email: str
    signer_name: str
    signer_title_lines: list[str] = Field(default_factory=list)
    number_prefix: str = "สพร"
    number_unit: str = "สพร"
    emblem_path: str | None = None


@dataclass(frozen=True)
class IssuerSettings:
    """Who signs and sends the letters (Thai values), and the letter-number prefix."""

    name: str
    short_name: str
    address_lines: tuple[str, ...]
    division: str
    phone: str
    fax: str
    email: str
    signer_name: str
    signer_title_lines: tuple[str, ...]
    number_prefix: str = "สพร"
    number_unit: str = "สพร"
    emblem_path: Path | None = None

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], base: Path | None = None, file: str = "issuer.yaml"
    ) -> IssuerSettings:
        """Build from a mapping; a relative ``emblem_path`` is taken from ``base``.

        Raises :class:`IssuerError` naming ``file`` and the key for unknown or missing keys.
        """
        spec = validate(_IssuerFile, dict(data), file, error=IssuerError)
        values = spec.model_dump()
        for key in ("address_lines", "signer_title_lines"):
            values[key] = tuple(values[key])
        emblem = spec.emblem_path
        path = None
        if emblem:
            path = Path(emblem)
            if base is not None and not path.is_absolute():
                path = (base / path).resolve()
        values["emblem_path"] = path
        return cls(**values)

    def replace(self, **changes: Any) -> IssuerSettings:
        """A copy with ``changes`` (for overrides from the CLI or tests)."""
        return dataclasses.replace(self, **changes)


def default_issuer_path() -> Path:
    return get_settings().templates_dir / "letters" / "issuer.yaml"


def load_issuer(path: Path | None = None, **overrides: Any) -> IssuerSettings:
    """Read the issuer YAML (default: the shipped DGA file) and apply ``overrides``."""
    path = path or default_issuer_path()
    data: dict[str, Any] = read_yaml(path, error=IssuerError)
    data.update(overrides)
    return IssuerSettings.from_dict(data, base=path.parent, file=path.name)
