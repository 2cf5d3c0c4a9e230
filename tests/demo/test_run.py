"""The `make demo` run: steps in order, a fresh default database, a configured one kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from dgops.cycles.models import SurveyCycle
from dgops.db import make_engine, session_scope
from dgops.demo.run import DEFAULT_STEPS, DemoContext, DemoStep, cycle_dates, run_demo
from dgops.registry.models import Agency, AgencyLevel, AgencyType, Mission
from dgops.settings import Settings


def _settings(var_dir: Path, database_url: str = "") -> Settings:
    return Settings(var_dir=var_dir, database_url=database_url, actor="demo-test")


def test_should_open_the_2566_cycle_on_3_july_with_a_31_august_deadline() -> None:
    assert cycle_dates(2566) == (dt.date(2023, 7, 3), dt.date(2023, 8, 31))


def test_should_run_the_2023_demo_end_to_end_on_the_default_sqlite(tmp_path: Path) -> None:
    seen: list[str] = []

    summary = run_demo(_settings(tmp_path), "2023", on_step=lambda r: seen.append(r.name))

    assert seen == [s.name for s in DEFAULT_STEPS]
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
    assert summary.registry_path.parent == tmp_path / "demo"
    assert (tmp_path / "dgops.sqlite").is_file()
    assert str(tmp_path / "dgops.sqlite") in summary.database
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


def test_should_keep_the_data_and_change_nothing_when_run_again_with_keep(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    run_demo(settings, "2023")

    again = run_demo(settings, "2023", fresh=False)

    report = again.data["import_report"]
    assert report.added == ()
    assert report.changed == ()
    assert report.deactivated == ()
    assert again.counts.total == 376
    assert "kept cycle 2566" in again.steps[1].note


def test_should_start_from_an_empty_default_database_when_fresh(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    run_demo(settings, "2023")
    engine = make_engine(settings.db_url)
    with session_scope(engine) as session:
        session.add(Agency(code="X-STALE", name_th="หน่วยงานเก่า", level=AgencyLevel.DEPARTMENT))
    engine.dispose()

    run_demo(settings, "2023", fresh=True)

    engine = make_engine(settings.db_url)
    with session_scope(engine) as session:
        stale = session.scalar(select(Agency).where(Agency.code == "X-STALE"))
        cycles = session.scalar(select(func.count()).select_from(SurveyCycle))
    engine.dispose()
    assert stale is None
    assert cycles == 1


def test_should_never_drop_a_configured_database(tmp_path: Path, engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    with session_scope(engine) as session:
        session.add(Agency(code="X-KEEP", name_th="หน่วยงานเดิม", level=AgencyLevel.DEPARTMENT))

    summary = run_demo(_settings(tmp_path, url), "2023", fresh=True)

    with session_scope(engine) as session:
        kept = session.scalar(select(Agency).where(Agency.code == "X-KEEP"))
    assert kept is not None
    assert "configured database kept" in summary.steps[0].note
    assert not (tmp_path / "dgops.sqlite").exists()
    assert summary.counts.total == 376  # the enrolled agencies of the demo cycle


def test_should_run_an_added_step_after_the_default_ones(tmp_path: Path) -> None:
    def extra(ctx: DemoContext) -> str:
        ctx.data["extra"] = (ctx.cycle_id, ctx.registry_path)
        return "extra done"

    summary = run_demo(
        _settings(tmp_path), "2023", steps=(*DEFAULT_STEPS, DemoStep("extra", extra))
    )

    assert summary.steps[-1].name == "extra"
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
