"""task_env and dgops_dag: what every dgops task gets from Airflow and what every DAG declares
(connections from environment variables, no task runner, no network)."""

from __future__ import annotations

import datetime as dt
import json
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airflow")

from airflow.sdk.exceptions import AirflowFailException
from dgops_airflow import (
    DAGRUN_TIMEOUT,
    EXECUTION_TIMEOUT,
    OWNER,
    RETRIES,
    RunDayTimeSensor,
    TaskEnv,
    announce,
    cycle_year_from_trigger,
    cycle_year_param,
    default_args,
    dgops_dag,
    run_moment,
    task_env,
    xcom,
)
from pydantic import SecretStr
from sqlalchemy import text

from dgops.db import Database
from dgops.registry import RegistryError, RegistryIssue
from dgops.settings import Settings
from dgops.thai import BANGKOK

pytestmark = pytest.mark.airflow

ROOT = Path(__file__).resolve().parents[2]
RUN_ID = "manual__2025-07-08T03:00:00+00:00"
# 20:00 UTC on 7 July is 03:00 on 8 July in Bangkok: the day is Bangkok's.
LOGICAL = dt.datetime(2025, 7, 7, 20, 0, tzinfo=dt.UTC)


@pytest.fixture
def connections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``dgops_db`` → a SQLite file, ``dgops_sendgrid`` → a local URL, as Airflow reads them
    from ``AIRFLOW_CONN_*``; the SDK's memoised secrets backends are forgotten around the test
    (a DAG test's connections file must not answer for these)."""
    from airflow.sdk.configuration import clear_secrets_backends_cache

    db_file = tmp_path / "dgops.db"
    monkeypatch.setenv(
        "AIRFLOW_CONN_DGOPS_DB", json.dumps({"conn_type": "sqlite", "host": str(db_file)})
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_DGOPS_SENDGRID",
        json.dumps(
            {
                "conn_type": "http",
                "host": "http://127.0.0.1:8025",
                "password": "SG.from-connection",
                "extra": {"activity_lag": 0},
            }
        ),
    )
    clear_secrets_backends_cache()
    yield db_file
    clear_secrets_backends_cache()


@pytest.fixture
def disposed(monkeypatch: pytest.MonkeyPatch) -> list[Database]:
    """Every Database disposed of, in order."""
    calls: list[Database] = []
    original = Database.dispose

    def spy(self: Database) -> None:
        calls.append(self)
        original(self)

    monkeypatch.setattr(Database, "dispose", spy)
    return calls


def _settings() -> Settings:
    return Settings(home=ROOT, sendgrid_api_key=SecretStr("SG.from-settings"))


def _context(**params: Any) -> dict[str, Any]:
    return {"run_id": RUN_ID, "logical_date": LOGICAL, "params": params}


# ---------------------------------------------------------------- task_env


def test_should_give_the_task_the_dgops_db_database_and_dispose_of_it(
    connections: Path, disposed: list[Database]
) -> None:
    settings = _settings()

    with task_env(context=_context(cycle_year=2568), settings=settings) as env:
        with env.db.begin() as session:
            assert session.execute(text("select 1")).scalar() == 1
        assert env.db.engine.url.database == str(connections)

    assert disposed == [env.db]
    assert env.settings is settings
    assert env.cycle_year == 2568
    assert env.params == {"cycle_year": 2568}
    assert env.actor == f"airflow:{RUN_ID}"
    assert env.logical_day == dt.date(2025, 7, 8)


def test_should_read_the_mail_config_from_the_sendgrid_connection_once(
    connections: Path,
) -> None:
    with task_env(context=_context(), settings=_settings()) as env:
        config = env.mail

        assert env.mail is config
    assert config.base_url == "http://127.0.0.1:8025"
    assert config.api_key == "SG.from-connection"
    assert config.activity_lag == 0


def test_should_fail_at_once_on_a_data_error_and_still_dispose(
    connections: Path, disposed: list[Database]
) -> None:
    issue = RegistryIssue(code="cycle.missing", message_th="ไม่มีรอบ", message_en="no cycle")

    with (
        pytest.raises(AirflowFailException) as failed,
        task_env(no_retry=(RegistryError,), context=_context(), settings=_settings()),
    ):
        raise RegistryError([issue])

    # RegistryError.format(): the summary line and every issue, not only the summary.
    assert "no cycle" in str(failed.value)
    assert isinstance(failed.value.__cause__, RegistryError)
    assert len(disposed) == 1


def test_should_let_other_errors_through_for_airflow_to_retry(
    connections: Path, disposed: list[Database]
) -> None:
    with (
        pytest.raises(ConnectionError),
        task_env(no_retry=(RegistryError,), context=_context(), settings=_settings()),
    ):
        raise ConnectionError("database went away")

    assert len(disposed) == 1


def test_should_fail_at_once_when_no_cycle_year_is_given(connections: Path) -> None:
    with (
        task_env(context=_context(cycle_year=None), settings=_settings()) as env,
        pytest.raises(AirflowFailException, match="cycle_year"),
    ):
        _ = env.cycle_year


@pytest.mark.parametrize(
    "error",
    [ValueError("bad value"), FileNotFoundError("registry.xlsx"), PermissionError("var/")],
)
def test_should_fail_data_errors_at_once_without_being_told(
    connections: Path, error: Exception
) -> None:
    with (
        pytest.raises(AirflowFailException, match=str(error.args[0])),
        task_env(context=_context(), settings=_settings()),
    ):
        raise error


def _event(year: int | None, minute: int) -> Any:
    extra = {} if year is None else {"cycle_year": year}
    stamp = dt.datetime(2025, 7, 1, 3, minute, tzinfo=dt.UTC)
    return types.SimpleNamespace(extra=extra, timestamp=stamp)


def test_should_take_the_cycle_year_from_the_newest_triggering_event(connections: Path) -> None:
    events = {"registry": [_event(2567, 0), _event(2568, 5), _event(None, 9)]}
    context = _context(cycle_year=2566) | {"triggering_asset_events": events}

    assert cycle_year_from_trigger(context) == 2568
    with task_env(context=context, settings=_settings()) as env:
        assert env.cycle_year == 2568  # the event's year, not the param's default


def test_should_use_the_param_for_a_run_by_hand(connections: Path) -> None:
    context = _context(cycle_year=2566) | {"triggering_asset_events": {}}

    assert cycle_year_from_trigger(context) is None
    with task_env(context=context, settings=_settings()) as env:
        assert env.cycle_year == 2566


def test_should_put_the_cycle_year_in_the_asset_event() -> None:
    from dgops_airflow import REGISTRY_IMPORTED

    outlet = types.SimpleNamespace(extra={})
    context = {"outlet_events": {REGISTRY_IMPORTED: outlet}}

    announce(REGISTRY_IMPORTED, 2568, context=context)

    assert outlet.extra == {"cycle_year": 2568}


# ---------------------------------------------------------------- RunDayTimeSensor


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        # A replay of 8 July: 08:30 on 8 July in Bangkok (01:30 UTC), long past: no wait.
        ({"logical_date": LOGICAL}, dt.datetime(2025, 7, 8, 8, 30, tzinfo=BANGKOK)),
        # No logical date: the day it was queued for.
        (
            {
                "logical_date": None,
                "dag_run": types.SimpleNamespace(
                    run_after=dt.datetime(2025, 7, 9, 20, 0, tzinfo=dt.UTC)
                ),
            },
            dt.datetime(2025, 7, 10, 8, 30, tzinfo=BANGKOK),
        ),
    ],
)
def test_should_wait_for_the_time_of_the_runs_own_day(
    context: dict[str, Any], expected: dt.datetime
) -> None:
    sensor = RunDayTimeSensor(task_id="wait", target_time=dt.time(8, 30))

    assert sensor.target_moment(context) == expected
    assert sensor.poke(context) is True  # both days are past


def test_should_wait_for_a_time_still_to_come_today() -> None:
    sensor = RunDayTimeSensor(task_id="wait", target_time=dt.time(23, 59, 59))
    # Bangkok's today, late: the target is ahead unless the test runs in the last second.
    now = dt.datetime.now(BANGKOK).replace(hour=0, minute=0)

    assert sensor.poke({"logical_date": now}) is False


# ---------------------------------------------------------------- dgops_dag


def test_should_build_an_env_without_a_task_for_unit_use() -> None:
    env = TaskEnv(
        db=Database.connect("sqlite://"),
        settings=_settings(),
        params={},
        run_id="r1",
        logical_date=LOGICAL,
    )

    assert env.actor == "airflow:r1"
    env.db.dispose()


def test_should_declare_a_dag_with_the_dgops_defaults() -> None:
    from airflow.sdk import Param

    @dgops_dag(
        "dgops_example",
        tags=["example"],
        doc_md="### example",
        params={"dry_run": Param(False, type="boolean")},
    )
    def dgops_example() -> None:
        pass

    dag = dgops_example()

    assert dag.dag_id == "dgops_example"
    assert dag.tags == {"dgops", "example"}
    assert dag.max_active_runs == 1
    assert dag.catchup is False
    assert dag.default_args == default_args()
    assert dag.default_args["owner"] == OWNER
    assert dag.default_args["retries"] == RETRIES
    assert dag.default_args["retry_exponential_backoff"] > 1
    assert dag.default_args["max_retry_delay"] == dt.timedelta(minutes=30)
    assert dag.default_args["execution_timeout"] == EXECUTION_TIMEOUT
    assert dag.dagrun_timeout == DAGRUN_TIMEOUT
    assert list(dag.params) == ["cycle_year", "dry_run"]
    assert dag.params.get_param("cycle_year").schema["type"] == "integer"
    assert type(dag.timetable).__name__ == "NullTimetable"  # schedule=None: by hand


def test_should_start_a_scheduled_dag_at_midnight_in_bangkok() -> None:
    @dgops_dag(
        "dgops_daily",
        tags=["daily"],
        doc_md="### daily",
        schedule="@daily",
        start_date=dt.date(2025, 1, 1),
        retry_delay=dt.timedelta(minutes=5),
        # A scheduled DAG needs defaults for every param (Airflow refuses it otherwise).
        cycle_year=cycle_year_param(when_empty="the cycle of the day"),
    )
    def dgops_daily() -> None:
        pass

    dag = dgops_daily()

    assert dag.start_date == dt.datetime(2025, 1, 1, tzinfo=BANGKOK)
    assert dag.default_args["retry_delay"] == dt.timedelta(minutes=5)


def test_should_make_the_cycle_year_required_unless_empty_means_something() -> None:
    required = cycle_year_param()
    optional = cycle_year_param(when_empty="the cycle in its window")

    assert required.schema | {"type": "integer", "minimum": 2560, "maximum": 2700} == (
        required.schema
    )
    assert not required.has_value
    assert optional.value is None
    assert optional.schema["type"] == ["null", "integer"]
    assert "the cycle in its window" in optional.schema["title"]


def test_should_pass_an_upstream_output_through_unchanged() -> None:
    value = {"run_id": 1}

    assert xcom(value) is value


def test_should_act_for_a_run_triggered_without_a_logical_date(connections: Path) -> None:
    """``logical_date: null`` through the REST API: the run acts for the moment it was queued
    for, never a KeyError that Airflow would retry as if it were transient."""
    queued = dt.datetime(2025, 7, 9, 2, 0, tzinfo=dt.UTC)  # 09:00 in Bangkok
    run = types.SimpleNamespace(run_after=queued)
    context = {"run_id": RUN_ID, "logical_date": None, "dag_run": run, "params": {}}
    with task_env(context=context, settings=_settings()) as env:
        assert env.logical_date == queued
        assert env.logical_day == dt.date(2025, 7, 9)
    assert run_moment({"run_id": RUN_ID}) <= dt.datetime.now(dt.UTC)


def test_should_schedule_a_dag_on_the_asset_of_the_stage_before() -> None:
    from dgops_airflow import QUALITY_VERIFIED

    @dgops_dag(
        "dgops_next_stage",
        tags=["next"],
        doc_md="### next",
        schedule=QUALITY_VERIFIED,
        cycle_year=cycle_year_param(when_empty="the year of the event"),
        dagrun_timeout=dt.timedelta(hours=2),
    )
    def dgops_next_stage() -> None:
        pass

    dag = dgops_next_stage()

    assert type(dag.timetable).__name__ == "AssetTriggeredTimetable"
    assert dag.dagrun_timeout == dt.timedelta(hours=2)
