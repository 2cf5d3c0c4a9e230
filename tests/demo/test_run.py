"""The `make demo` run: steps in order, a fresh default database, a configured one kept.

The whole demo runs once per session (:func:`demo_run`, through `dgops demo run`); a test that
needs a second run starts from a copy of that run's database or runs only the steps it is about.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from dgops.cycles.models import SurveyCycle
from dgops.db import Database, make_engine
from dgops.demo.run import DEFAULT_STEPS, DemoContext, DemoStep, cycle_dates, run_demo
from dgops.registry import RegistryError
from dgops.registry.models import Agency, AgencyLevel, AgencyType, CycleAgency, Mission
from dgops.settings import Settings
from tests.demo.conftest import DEMO_ACTOR, DemoRun

STEP_NAMES = [s.name for s in DEFAULT_STEPS]
# database, cycle, registry-file, registry-import: the demo cycle with its 376 agencies enrolled
UP_TO_IMPORT = DEFAULT_STEPS[: STEP_NAMES.index("registry-import") + 1]


def _settings(var_dir: Path, database_url: str = "") -> Settings:
    return Settings(var_dir=var_dir, database_url=database_url, actor=DEMO_ACTOR)


def test_should_open_the_2566_cycle_on_3_july_with_a_31_august_deadline() -> None:
    assert cycle_dates(2566) == (dt.date(2023, 7, 3), dt.date(2023, 8, 31))


# --- the session's whole run ---------------------------------------------------------------------


def test_should_run_the_demo_on_the_configured_var_dir(demo_run: DemoRun) -> None:
    # `dgops demo run` reads its settings from the environment, as `make demo` does.
    assert demo_run.exit_code == 0, demo_run.output
    assert "✓ registry-import: added 376" in demo_run.output
    assert (demo_run.var_dir / "dgops.sqlite").is_file()
    assert (demo_run.var_dir / "demo" / "registry-2023-2566.xlsx").is_file()


def test_should_run_the_2023_demo_end_to_end_on_the_default_sqlite(demo_run: DemoRun) -> None:
    summary = demo_run.summary
    var_dir = demo_run.var_dir
    # on_step was called after each step, in order (the command prints a ✓ line from it)
    seen = [line[2:].split(":", 1)[0] for line in demo_run.output.splitlines() if line[:2] == "✓ "]

    assert seen == STEP_NAMES
    assert [s.name for s in summary.steps] == STEP_NAMES
    assert summary.year_be == 2566
    assert summary.counts.total == 376
    assert summary.counts.by_level == {
        AgencyLevel.DEPARTMENT: 300,
        AgencyLevel.PROVINCIAL_CIO: 76,
    }
    assert summary.counts.by_type[AgencyType.STATE_ENTERPRISE] == 50
    assert sum(summary.counts.by_mission.values()) == 300
    assert summary.counts.by_mission[Mission.POLICY] > 100
    assert summary.counts.contacts > 3 * 376
    assert summary.registry_path is not None
    assert summary.registry_path.is_file()
    assert summary.registry_path.parent == var_dir / "demo"
    assert (var_dir / "dgops.sqlite").is_file()
    assert str(var_dir / "dgops.sqlite") in summary.database
    report = summary.data["import_report"]
    assert len(report.added) == 376
    assert report.changed == ()
    assert report.deactivated == ()
    assert any("376" in line for line in summary.lines())
    # the rest of the survey year ran on that registry
    assert summary.data["invitations"]["accepted"] == 376
    quality = next(s.note for s in summary.steps if s.name == "quality")
    assert "verified" in quality
    assert "returned" in quality
    maturity = summary.data["maturity"]
    assert int(maturity.loc["overall", "n"]) > 300
    assert round(sum(maturity.loc["overall", f"pct_{k}"] for k in range(1, 6))) == 100


# --- a second run, on a copy of the finished one -----------------------------------------------


def test_should_keep_the_data_and_change_nothing_when_run_again_with_keep(
    finished_var_dir: Path,
) -> None:
    # The steps up to the invitations: the same registry re-imported, nobody invited twice.
    steps = DEFAULT_STEPS[: STEP_NAMES.index("invitations") + 1]

    again = run_demo(_settings(finished_var_dir), "2023", fresh=False, steps=steps)

    report = again.data["import_report"]
    assert report.added == ()
    assert report.changed == ()
    assert report.deactivated == ()
    assert again.counts.total == 376
    assert "kept cycle 2566" in again.steps[1].note
    assert again.data["invitations"].get("accepted", 0) == 0


def test_should_start_from_an_empty_default_database_when_fresh(finished_var_dir: Path) -> None:
    settings = _settings(finished_var_dir)
    with Database(make_engine(settings.db_url)) as db, db.begin() as session:
        session.add(Agency(code="X-STALE", name_th="หน่วยงานเก่า", level=AgencyLevel.DEPARTMENT))

    summary = run_demo(settings, "2023", fresh=True, steps=DEFAULT_STEPS[:2])

    with Database(make_engine(settings.db_url)) as db, db.begin() as session:
        stale = session.scalar(select(Agency).where(Agency.code == "X-STALE"))
        cycles = session.scalar(select(func.count()).select_from(SurveyCycle))
    assert "fresh database" in summary.steps[0].note
    assert stale is None
    assert cycles == 1


# --- runs of a few steps -------------------------------------------------------------------------


def test_should_never_drop_a_configured_database(tmp_path: Path, engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    db = Database(engine)
    with db.begin() as session:
        session.add(Agency(code="X-KEEP", name_th="หน่วยงานเดิม", level=AgencyLevel.DEPARTMENT))
    seen: list[str] = []

    summary = run_demo(
        _settings(tmp_path, url),
        "2023",
        fresh=True,
        steps=UP_TO_IMPORT[:-1],
        on_step=lambda r: seen.append(r.note),
    )
    # The demo registry would deactivate the operator's agency: the mass-deactivation guard
    # refuses the import and names it, and the agency stays as it was.
    with pytest.raises(RegistryError, match="nothing was written") as caught:
        run_demo(_settings(tmp_path, url), "2023", steps=UP_TO_IMPORT)

    with db.begin() as session:
        kept = session.scalar(select(Agency).where(Agency.code == "X-KEEP"))
        enrolled = session.scalar(select(func.count()).select_from(CycleAgency))
    assert kept is not None
    assert kept.active
    assert "configured database kept" in seen[0]
    assert "X-KEEP" in caught.value.format()
    assert enrolled == 0
    assert not (tmp_path / "dgops.sqlite").exists()
    assert summary.steps[-1].name == "registry-file"


def test_should_run_an_added_step_after_the_default_ones(tmp_path: Path) -> None:
    def extra(ctx: DemoContext) -> str:
        ctx.data["extra"] = (ctx.cycle_id, ctx.registry_path)
        return "extra done"

    summary = run_demo(_settings(tmp_path), "2023", steps=(*UP_TO_IMPORT, DemoStep("extra", extra)))

    assert [s.name for s in summary.steps] == [*(s.name for s in UP_TO_IMPORT), "extra"]
    assert summary.steps[-1].note == "extra done"
    cycle_id, path = summary.data["extra"]
    assert cycle_id is not None
    assert path == summary.registry_path


def test_should_accept_the_gregorian_year(tmp_path: Path) -> None:
    summary = run_demo(_settings(tmp_path), "2023", year=2023, steps=DEFAULT_STEPS[:2])

    assert summary.year_be == 2566
    assert "2023-07-03" in summary.steps[1].note


def test_should_stop_at_the_first_failing_step(tmp_path: Path) -> None:
    def boom(_: DemoContext) -> str:
        raise RuntimeError("step failed")

    def never(_: DemoContext) -> str:
        raise AssertionError("must not run")

    with pytest.raises(RuntimeError, match="step failed"):
        run_demo(_settings(tmp_path), steps=(DemoStep("boom", boom), DemoStep("never", never)))
