"""The issuing unit printed on letters, loaded from ``templates/letters/issuer.yaml``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dgops.settings import get_settings


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
    def from_dict(cls, data: dict[str, Any], base: Path | None = None) -> IssuerSettings:
        """Build from a mapping; a relative ``emblem_path`` is taken from ``base``."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown issuer settings: {sorted(unknown)}")
        values = dict(data)
        for key in ("address_lines", "signer_title_lines"):
            values[key] = tuple(values.get(key) or ())
        emblem = values.get("emblem_path")
        if emblem:
            path = Path(emblem)
            if base is not None and not path.is_absolute():
                path = (base / path).resolve()
            values["emblem_path"] = path
        else:
            values["emblem_path"] = None
        return cls(**values)

    def replace(self, **changes: Any) -> IssuerSettings:
        """A copy with ``changes`` (for overrides from the CLI or tests)."""
        return dataclasses.replace(self, **changes)


def default_issuer_path() -> Path:
    return get_settings().templates_dir / "letters" / "issuer.yaml"


def load_issuer(path: Path | None = None, **overrides: Any) -> IssuerSettings:
    """Read the issuer YAML (default: the shipped DGA file) and apply ``overrides``."""
    path = path or default_issuer_path()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    data.update(overrides)
    return IssuerSettings.from_dict(data, base=path.parent)
