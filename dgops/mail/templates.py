"""Render an e-mail (Thai subject, HTML and text bodies) from ``templates/email/<kind>.*.j2``.

The Jinja environment (escaping, strict undefined values, the Thai filters such as
``thai_date``) is the one of :mod:`dgops.templating`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from dgops.templating import TemplateError, environment

__all__ = ["RenderedEmail", "TemplateError", "available_kinds", "render_email"]


@dataclass(frozen=True)
class RenderedEmail:
    """The three parts of an e-mail of one kind for one agency."""

    subject: str
    html: str
    text: str


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
    env = environment(templates_dir.resolve())
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
