"""dgops is a library first: it imports, every module of it, on a machine without Airflow."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dgops"

# Runs in a fresh interpreter, so no module cached by this test session can hide an import.
HIDE_AIRFLOW_AND_IMPORT_ALL = textwrap.dedent(
    """
    import importlib, importlib.abc, pkgutil, sys

    class RefuseAirflow(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "airflow" or name.startswith("airflow."):
                raise ModuleNotFoundError(f"No module named {name!r} (hidden by the test)")
            return None

    sys.meta_path.insert(0, RefuseAirflow())
    import dgops
    names = ["dgops"]
    for info in pkgutil.walk_packages(dgops.__path__, "dgops.", onerror=lambda n: sys.exit(n)):
        names.append(info.name)
    for name in names:
        importlib.import_module(name)
    assert not [m for m in sys.modules if m == "airflow" or m.startswith("airflow.")]
    print("\\n".join(names))
    """
)

AIRFLOW_IMPORT = re.compile(r"^\s*(import\s+airflow\b|from\s+airflow(\.|\s))", re.MULTILINE)


def test_should_import_every_dgops_module_with_airflow_hidden() -> None:
    done = subprocess.run(
        [sys.executable, "-c", HIDE_AIRFLOW_AND_IMPORT_ALL],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    imported = set(done.stdout.split())
    assert {"dgops", "dgops.settings", "dgops.db", "dgops.cli"} <= imported


def test_should_make_every_dgops_folder_with_code_a_package() -> None:
    # pkgutil (and so the test above) never enters a folder without __init__.py.
    folders = {p.parent for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}

    missing = sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists())

    assert missing == []


def test_should_have_no_airflow_import_in_any_dgops_source_file() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted(PACKAGE.rglob("*.py"))
        if AIRFLOW_IMPORT.search(path.read_text(encoding="utf-8"))
    ]

    assert offenders == []


def test_should_spot_an_airflow_import_when_there_is_one() -> None:
    assert AIRFLOW_IMPORT.search("x = 1\n    from airflow.sdk import dag\n")
    assert AIRFLOW_IMPORT.search("import airflow\n")
    assert not AIRFLOW_IMPORT.search("import airflowish\nfrom airflow_x import y\n")
