"""Render an e-mail (Thai subject, HTML and text bodies) from ``templates/email/<kind>.*.j2``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2


@dataclass(frozen=True)
class RenderedEmail:
    """The three parts of an e-mail of one kind for one agency."""

    subject: str
    html: str
    text: str


class TemplateError(ValueError):
    """A template is missing or needs a value the context does not have."""


def thai_date(value: dt.date | dt.datetime | str) -> str:
    """``2023-08-31`` → ``31 สิงหาคม 2566`` (Buddhist era, Thai month name)."""
    from pythainlp.util import thai_strftime

    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return str(thai_strftime(value, "%-d %B %Y"))


@lru_cache(maxsize=8)
def _environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thai_date"] = thai_date
    return env


def available_kinds(templates_dir: Path) -> list[str]:
    """The message kinds that have all three templates in ``templates_dir``."""
    kinds = {p.name.split(".")[0] for p in templates_dir.glob("*.subject.j2")}
    return sorted(
        k
        for k in kinds
        if (templates_dir / f"{k}.html.j2").is_file() and (templates_dir / f"{k}.txt.j2").is_file()
    )


def render_email(templates_dir: Path, kind: str, context: Mapping[str, Any]) -> RenderedEmail:
    """Render the ``kind`` e-mail with ``context``; raises :class:`TemplateError` on gaps."""
    env = _environment(templates_dir.resolve())
    try:
        subject = env.get_template(f"{kind}.subject.j2").render(context)
        html = env.get_template(f"{kind}.html.j2").render(context)
        text = env.get_template(f"{kind}.txt.j2").render(context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"no e-mail template {exc.name!r} in {templates_dir}") from exc
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template {kind!r}: {exc.message}") from exc
    subject = " ".join(subject.split())
    if not subject:
        raise TemplateError(f"template {kind!r} renders an empty subject")
    return RenderedEmail(subject=subject, html=html.strip() + "\n", text=text.strip() + "\n")
