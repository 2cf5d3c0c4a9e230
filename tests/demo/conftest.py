"""The demo survey year, run once per test session (or xdist worker) and shared.

A whole demo run takes a minute or more (invitations, fieldwork, quality checks), so the tests
that only inspect a finished run share :func:`demo_run`, and the tests that need a second run
start from a copy of its database (:func:`finished_var_dir`) and run only the steps that prove
their point. Keep every test that uses these fixtures in ``test_run.py``: under
``pytest-xdist --dist loadfile`` a session fixture runs once per worker that gets a file using it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import dgops.cli.demo
from dgops.demo.run import DemoSummary, run_demo
from dgops.settings import get_settings

DEMO_ACTOR = "demo-test"
SQLITE_FILES = ("dgops.sqlite", "dgops.sqlite-wal", "dgops.sqlite-shm")


@dataclass(frozen=True, slots=True)
class DemoRun:
    """`dgops demo run --scale 2023` on a fresh var dir: what it printed and what it did."""

    var_dir: Path
    exit_code: int
    output: str
    """The command's terminal output (one ``✓ step: note`` line per step, then the summary)."""
    summaries: tuple[DemoSummary, ...]
    """What :func:`run_demo` returned to the command (one summary when the run finished)."""

    @property
    def summary(self) -> DemoSummary:
        """The finished run's summary; fails the test with the command's output if it failed."""
        assert self.exit_code == 0, self.output
        assert len(self.summaries) == 1, self.output
        return self.summaries[0]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The whole demo, run once through the real command line (as `make demo` runs it).

    The command reads its settings from the environment; ``run_demo`` is wrapped, not replaced,
    so that the tests can also inspect the :class:`DemoSummary` the command printed.
    """
    var_dir = tmp_path_factory.mktemp("demo-var")
    summaries: list[DemoSummary] = []

    def recording_run_demo(*args: Any, **kwargs: Any) -> DemoSummary:
        summary = run_demo(*args, **kwargs)
        summaries.append(summary)
        return summary

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DGOPS_VAR_DIR", str(var_dir))
        mp.setenv("DGOPS_ACTOR", DEMO_ACTOR)
        mp.delenv("DGOPS_DATABASE_URL", raising=False)
        mp.setattr(dgops.cli.demo, "run_demo", recording_run_demo)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(dgops.cli.demo.app, ["run", "--scale", "2023"])
        finally:
            get_settings.cache_clear()
    return DemoRun(var_dir, result.exit_code, result.output, tuple(summaries))


@pytest.fixture
def finished_var_dir(demo_run: DemoRun, tmp_path: Path) -> Path:
    """A var dir holding a copy of the finished demo's database and files, for a second run.

    The outbox, evidence and quality folders are left out: no second run here reads them.
    """
    assert demo_run.summary  # the command's output when the shared run failed
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    for name in SQLITE_FILES:
        if (demo_run.var_dir / name).is_file():
            shutil.copy2(demo_run.var_dir / name, var_dir / name)
    shutil.copytree(demo_run.var_dir / "demo", var_dir / "demo")
    return var_dir
