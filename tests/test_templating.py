"""The one Jinja environment: HTML escaped, text not, missing values refused, Thai filters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
import pytest

from dgops.templating import environment


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "page.html.j2").write_text("<p>{{ name }} {{ day | thai_date }}</p>")
    (tmp_path / "mail.txt.j2").write_text("{{ name }} {{ number | thai_digits }}")
    (tmp_path / "gap.txt.j2").write_text("{{ missing }}")
    return tmp_path


def test_should_escape_html_templates_only(folder: Path) -> None:
    env = environment(folder)
    day = dt.date(2023, 8, 31)
    html = env.get_template("page.html.j2").render(name="<b>กรม</b>", day=day)
    text = env.get_template("mail.txt.j2").render(name="<b>กรม</b>", number="2566")
    assert html == "<p>&lt;b&gt;กรม&lt;/b&gt; 31 สิงหาคม 2566</p>"
    assert text == "<b>กรม</b> ๒๕๖๖"


def test_should_refuse_a_missing_value(folder: Path) -> None:
    with pytest.raises(jinja2.UndefinedError):
        environment(folder).get_template("gap.txt.j2").render()


def test_should_build_one_environment_per_folder(folder: Path) -> None:
    assert environment(folder) is environment(folder)
