"""The one Jinja environment of dgops: letters, e-mails, portal and dashboard pages.

Every template lives under ``templates/`` (a folder per kind). All environments are built here,
with the same rules: HTML templates (``*.html.j2``) are escaped, text ones (``*.txt.j2``,
``*.subject.j2``, letter bodies) are not; a missing value is an error, never an empty string;
and the same Thai filters everywhere (``thai_date``, ``thai_datetime``, ``short_date``,
``thai_digits``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from dgops.thai import short_date, thai_date, thai_datetime, thai_digits

__all__ = ["TemplateError", "environment"]

FILTERS: Mapping[str, Callable[..., Any]] = {
    "thai_date": thai_date,
    "thai_datetime": thai_datetime,
    "short_date": short_date,
    "thai_digits": thai_digits,
}


class TemplateError(ValueError):
    """A template is missing or needs a value the context does not have."""


@lru_cache(maxsize=16)
def environment(folder: Path) -> jinja2.Environment:
    """The environment for the templates in ``folder`` (one per folder, built once).

    Callers that add their own globals or filters (the portal, the dashboard) set them once on
    this shared environment; names never clash because each folder has one owner.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "html"), default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env
