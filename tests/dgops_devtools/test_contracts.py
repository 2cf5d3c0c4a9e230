"""Our import-linter contract types, and the layers of the code as `make lint` checks them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dgops_devtools.contracts import PrivateUse, private_uses

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def package(tmp_path: Path) -> Iterator[Path]:
    """A throw-away package ``pkgx`` on sys.path."""
    root = tmp_path / "pkgx"
    (root / "_inner").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "_inner" / "__init__.py").write_text("")
    (root / "a.py").write_text(
        "def _helper() -> int:\n    return 1\n\n\ndef public() -> int:\n    return 2\n"
    )
    sys.path.insert(0, str(tmp_path))
    yield root
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m == "pkgx" or m.startswith("pkgx.")]:
        del sys.modules[name]


def test_should_find_a_private_name_imported_from_another_module(package: Path) -> None:
    (package / "b.py").write_text("from pkgx.a import _helper, public\n")
    assert private_uses("pkgx.b", frozenset({"pkgx"})) == [
        PrivateUse("pkgx.b", 1, "pkgx.a._helper")
    ]


def test_should_find_a_private_name_reached_through_a_module(package: Path) -> None:
    (package / "c.py").write_text("from pkgx import a\n\nVALUE = a._helper()\n")
    assert private_uses("pkgx.c", frozenset({"pkgx"})) == [
        PrivateUse("pkgx.c", 3, "pkgx.a._helper")
    ]


def test_should_leave_private_submodules_and_public_names_to_other_contracts(
    package: Path,
) -> None:
    (package / "d.py").write_text("from pkgx import _inner\nfrom pkgx.a import public\n")
    assert private_uses("pkgx.d", frozenset({"pkgx"})) == []


def test_should_keep_every_contract_of_the_code_layers() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("lint-imports is not installed in this environment")
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-4000:]
    assert "0 broken" in done.stdout
