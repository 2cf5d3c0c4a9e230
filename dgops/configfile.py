"""Reading the YAML files operators and analysts write (frameworks, year mappings, fieldwork
policies, recommendation topics and rules, column mappings) into typed pydantic models.

One reader for all of them, with the same promises: a key written twice, a misspelt key or a
value of the wrong type is an error; every error names the file and the place inside it
(``2566.yaml: pillars[2].sub_indicators[0].questions[4].scoring.max: must be > 0, found 0``),
and all the problems of a file are reported at once.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

__all__ = [
    "ConfigError",
    "ConfigModel",
    "Problem",
    "format_loc",
    "load_model",
    "read_yaml",
    "validate",
]

Problem = tuple[str, str]
"""(place in the file, message); an empty place means the whole file."""

M = TypeVar("M", bound=BaseModel)

# Discriminated-union tags that pydantic puts in ``loc`` but that are not keys of the file.
_UNION_TAGS = frozenset(
    {
        "option_points",
        "value_weight",
        "positive",
        "nonempty_text",
        "bands",
        "count_capped",
        "external",
    }
)


class ConfigError(ValueError):
    """A configuration file is invalid; ``problems`` holds (place, message) pairs."""

    def __init__(self, file: str, problems: Sequence[Problem]) -> None:
        self.file = file
        self.problems = list(problems)
        lines = [f"{file}: {path}: {msg}" if path else f"{file}: {msg}" for path, msg in problems]
        super().__init__("\n".join(lines))


class ConfigModel(BaseModel):
    """Base of every configuration model: unknown keys are errors (a misspelt ``min_gap_day``
    must not pass silently), values are immutable once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


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


def read_yaml(path: Path, *, error: type[ConfigError] = ConfigError, mapping: bool = True) -> Any:
    """The YAML document in ``path``; ``error`` (a :class:`ConfigError` type) names the file and
    the line and column of a syntax error. ``mapping``: the top level must be a mapping."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(name, [("", f"cannot read the file: {exc.strerror or exc}")]) from exc
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise error(name, [("", f"YAML syntax error at {where}: {what}")]) from exc
    except yaml.YAMLError as exc:
        raise error(name, [("", f"YAML error: {exc}")]) from exc
    if mapping and not isinstance(data, dict):
        raise error(name, [("", "the file must hold a YAML mapping at the top level")])
    return data


def format_loc(loc: Sequence[int | str]) -> str:
    """Pydantic's ``loc`` → ``pillars[2].sub_indicators[0].questions[4].scoring.max``."""
    out = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif previous == "scoring" and part in _UNION_TAGS:
            pass  # the discriminated-union tag is not a key of the file
        else:
            out += f".{part}" if out else str(part)
        previous = part
    return out


def message(err: ErrorDetails) -> str:
    """A pydantic error as an operator reads it."""
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
        return "unknown key (check the spelling)"
    if kind == "union_tag_invalid":
        return (
            f"unknown scoring rule {ctx.get('tag')!r} (expected one of {ctx.get('expected_tags')})"
        )
    if kind == "union_tag_not_found":
        return "a scoring rule needs `rule:`"
    if kind == "string_pattern_mismatch":
        return (
            f"{err['input']!r} is not a valid id "
            "(letters, digits, _ . and -, starting with a letter)"
        )
    return str(err["msg"]).removeprefix("Value error, ")


def validate(model: type[M], data: Any, file: str, *, error: type[ConfigError] = ConfigError) -> M:
    """``data`` as a ``model``; every validation problem at once in one ``error``."""
    if not isinstance(data, dict):
        raise error(file, [("", "the file must hold a YAML mapping at the top level")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(file, [(format_loc(e["loc"]), message(e)) for e in exc.errors()]) from None


def load_model(path: Path, model: type[M], *, error: type[ConfigError] = ConfigError) -> M:
    """Read ``path`` and validate it as ``model`` (the usual one-liner)."""
    return validate(model, read_yaml(path, error=error), path.name, error=error)
