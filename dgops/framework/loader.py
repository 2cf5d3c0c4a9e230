"""Reading framework and mapping files, with errors that name the file and the path inside it."""

from __future__ import annotations

from pathlib import Path

from dgops.configfile import ConfigError, load_model
from dgops.framework.checks import check_framework, check_mapping
from dgops.framework.model import Framework, YearMapping

__all__ = [
    "DATA_DIR",
    "FrameworkError",
    "available_frameworks",
    "load_framework",
    "load_mapping",
    "resolve_framework_path",
]

DATA_DIR = Path(__file__).parent / "data"


class FrameworkError(ConfigError):
    """A framework or mapping file is invalid; ``problems`` holds (path, message) pairs."""


def resolve_framework_path(path_or_id: str | Path) -> Path:
    """A path as given, or ``dgops/framework/data/<id>.yaml`` for a bare id such as ``"2566"``."""
    candidate = Path(path_or_id)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    return DATA_DIR / f"{path_or_id}.yaml"


def available_frameworks() -> list[str]:
    """Ids of the frameworks shipped in ``dgops/framework/data`` (mapping files excluded)."""
    return sorted(p.stem for p in DATA_DIR.glob("*.yaml") if not p.stem.startswith("mapping_"))


def load_framework(path_or_id: str | Path) -> Framework:
    """Load and validate a framework file (or shipped framework id); raise FrameworkError."""
    path = resolve_framework_path(path_or_id)
    if not path.exists():
        known = ", ".join(available_frameworks()) or "none"
        raise FrameworkError(path.name, [("", f"no such framework file (shipped: {known})")])
    fw = load_model(path, Framework, error=FrameworkError)
    problems = check_framework(fw)
    if problems:
        raise FrameworkError(path.name, problems)
    return fw


def load_mapping(
    path_or_pair: str | Path | tuple[str, str],
    *,
    previous: Framework | None = None,
    current: Framework | None = None,
) -> YearMapping:
    """Load a year-on-year mapping file; ``("2565", "2566")`` means the shipped one.

    When ``previous`` and/or ``current`` are given, every code is checked against them.
    """
    if isinstance(path_or_pair, tuple):
        path = DATA_DIR / f"mapping_{path_or_pair[0]}_{path_or_pair[1]}.yaml"
    else:
        path = Path(path_or_pair)
    if not path.exists():
        raise FrameworkError(path.name, [("", "no such mapping file")])
    mapping = load_model(path, YearMapping, error=FrameworkError)
    problems = check_mapping(mapping, previous, current)
    if problems:
        raise FrameworkError(path.name, problems)
    return mapping
