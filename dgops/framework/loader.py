"""Reading framework and mapping files, with errors that name the file and the path inside it."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from dgops.framework.checks import Problem, check_framework, check_mapping
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

M = TypeVar("M", bound=BaseModel)

_RULE_TAGS = {
    "option_points",
    "value_weight",
    "positive",
    "nonempty_text",
    "bands",
    "count_capped",
    "external",
}


class FrameworkError(ValueError):
    """A framework or mapping file is invalid; ``problems`` holds (path, message) pairs."""

    def __init__(self, file: str, problems: Sequence[Problem]) -> None:
        self.file = file
        self.problems = list(problems)
        lines = [f"{file}: {path}: {msg}" if path else f"{file}: {msg}" for path, msg in problems]
        super().__init__("\n".join(lines))


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key written twice in one mapping (PyYAML keeps the last)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Hashable, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", mark)
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path) -> Any:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FrameworkError(name, [("", f"cannot read the file: {exc.strerror or exc}")]) from exc
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise FrameworkError(name, [("", f"YAML syntax error at {where}: {what}")]) from exc
    except yaml.YAMLError as exc:
        raise FrameworkError(name, [("", f"YAML error: {exc}")]) from exc


def format_loc(loc: Sequence[int | str]) -> str:
    """Pydantic's ``loc`` → ``pillars[2].sub_indicators[0].questions[4].scoring.max``."""
    out = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif previous == "scoring" and part in _RULE_TAGS:
            pass  # the discriminated-union tag is not a key of the file
        else:
            out += f".{part}" if out else str(part)
        previous = part
    return out


def _message(err: ErrorDetails) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "greater_than":
        return f"must be > {ctx.get('gt')}, found {err['input']!r}"
    if kind == "greater_than_equal":
        return f"must be >= {ctx.get('ge')}, found {err['input']!r}"
    if kind == "less_than_equal":
        return f"must be <= {ctx.get('le')}, found {err['input']!r}"
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; see docs/framework-format.md)"
    if kind == "union_tag_invalid":
        return (
            f"unknown scoring rule {ctx.get('tag')!r} (expected one of {ctx.get('expected_tags')})"
        )
    if kind == "union_tag_not_found":
        return "a scoring rule needs `rule:`"
    if kind == "string_pattern_mismatch":
        return (
            f"{err['input']!r} is not a valid id (letters, digits, _ and ., starting with a letter)"
        )
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def _validate(model: type[M], data: Any, name: str) -> M:
    if not isinstance(data, dict):
        raise FrameworkError(name, [("", "the file must hold a YAML mapping at the top level")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [(format_loc(e["loc"]), _message(e)) for e in exc.errors()]
        raise FrameworkError(name, problems) from None


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
    fw = _validate(Framework, _read_yaml(path), path.name)
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
    mapping = _validate(YearMapping, _read_yaml(path), path.name)
    problems = check_mapping(mapping, previous, current)
    if problems:
        raise FrameworkError(path.name, problems)
    return mapping
