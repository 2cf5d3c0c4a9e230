"""LibreOffice for the intake tests: real files saved as an operator's "open and save" does.

The session fixture ``soffice`` (tests/conftest.py) converts a file with ``soffice --headless
--convert-to KIND``; it skips with the reason when LibreOffice is missing locally (CI installs
``libreoffice-calc-nogui`` through ``.ci/system-deps``).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

Convert = Callable[[Path, str], Path]
"""``convert(source, kind)``: the file LibreOffice saves from ``source`` as ``kind``
(``xlsx``, ``ods``, ``xls``)."""


def libreoffice(tmp_path_factory: pytest.TempPathFactory) -> Convert:
    """A converter with its own LibreOffice profile (skips when soffice is not installed)."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
        )
    profile = tmp_path_factory.mktemp("lo-profile")

    def convert(source: Path, kind: str) -> Path:
        out = tmp_path_factory.mktemp("lo-out")
        subprocess.run(
            [
                binary,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                kind,
                "--outdir",
                str(out),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return out / f"{source.stem}.{kind}"

    return convert
