"""The repository keeps the layout the client fixed, and the test tree stays collectable."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_should_keep_the_top_level_the_client_fixed() -> None:
    for name in ("dags", "plugins", "dgops", "expectations", "sql", "templates", "tests"):
        assert (ROOT / name).is_dir(), name
    for name in ("docker-compose.yml", "README.md", "Makefile", "uv.lock", ".ci/run"):
        assert (ROOT / name).is_file(), name


def test_should_open_the_readme_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:8]
    text = "\n".join(head)
    assert "make demo" in text
    assert "make test" in text


def test_should_give_every_test_module_a_unique_basename() -> None:
    # tests/ has no __init__.py files (rootdir-relative imports of sibling helpers), so two test
    # modules with one basename cannot be collected in the same run.
    names = Counter(p.name for p in (ROOT / "tests").rglob("test_*.py"))
    assert [n for n, k in names.items() if k > 1] == []


def test_should_ship_every_template_folder_the_stages_read() -> None:
    for sub in ("letters", "email", "web"):
        assert any((ROOT / "templates" / sub).iterdir()), sub


def test_should_not_import_from_conftest() -> None:
    # Several folders have a conftest.py; `from conftest import X` picks whichever was imported
    # first. Shared test helpers live in uniquely named modules (e.g. responses_fixtures.py).
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "tests").rglob("*.py")
        if p.name != "test_layout.py" and "from conftest import" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
