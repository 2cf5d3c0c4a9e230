"""DAG integrity: every file in dags/ parses fast and cleanly and follows the house rules.

In the style of mozilla/telemetry-airflow's DAG-validity suite. The DagBag is built once per
session; the end-to-end runs use ``dag.test()`` on a migrated, throw-away Airflow metadata
database (see conftest.py for the isolated AIRFLOW_HOME) and a temporary dgops database.
"""

from __future__ import annotations

import ast
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

pytest.importorskip("airflow")

pytestmark = [
    pytest.mark.airflow,
    # Airflow's in-process execution API (dag.test) imports starlette's TestClient, which
    # warns about its own httpx use; nothing of ours, and fatal under warnings-as-errors.
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
]

ROOT = Path(__file__).resolve().parents[2]
DAGS_DIR = ROOT / "dags"
DAG_FILES = sorted(DAGS_DIR.glob("*.py"))

# Every DAG and its tasks. A new DAG must be added here, on purpose.
EXPECTED_TASKS: dict[str, set[str]] = {
    "dgops_registry": {"validate_registry", "import_registry", "summary"},
    "dgops_quality": {
        "validate",
        "store_findings",
        "return_or_verify",
        "summary",
        "quality_verified",
    },
    "dgops_invite": {
        "select_agencies",
        "issue_credentials",
        "render_and_send",
        "summary",
        "invitations_sent",
    },
    "dgops_publish": {"build"},
    "dgops_results": {
        "score",
        "recommend",
        "wait_for_release",
        "announce_release",
        "send_letters",
        "summary",
    },
    "dgops_privacy": {"purge_expired"},
    "dgops_fieldwork": {
        "in_window",
        "snapshot",
        "responses_submitted",
        "select_targets",
        "wait_office_hours",
        "send_reminders",
        "call_list",
        "manager_digest",
    },
}

# What a DAG file may import at module level (parsing must stay fast: the DAG processor
# re-parses every file every few seconds) and inside task functions. dgops_airflow is cheap to
# import (checked below) and gives every DAG its shared declaration.
MODULE_LEVEL_ROOTS = {"airflow", "dgops_airflow", "__future__"}
FUNCTION_LEVEL_ROOTS = {"airflow", "dgops", "dgops_airflow"}
STDLIB = set(sys.stdlib_module_names)


@pytest.fixture(scope="session")
def dagbag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Migrate the isolated Airflow metadata database once, as `airflow db migrate` does.

    In-process: about 3 s on SQLite, against 8 s or more for the CLI in a subprocess (which
    imports Airflow a second time).
    """
    from airflow.utils.db import upgradedb

    upgradedb()


# ---------------------------------------------------------------- parsing and policy


def test_should_import_every_dag_file_without_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert dagbag.dags, "no DAG found in dags/"


def test_should_list_exactly_the_expected_dags_and_tasks(dagbag: Any) -> None:
    found = {dag_id: set(dag.task_dict) for dag_id, dag in dagbag.dags.items()}

    assert found == EXPECTED_TASKS


def test_should_have_no_cycles(dagbag: Any) -> None:
    for dag in dagbag.dags.values():
        dag.check_cycle()  # raises AirflowDagCycleException
        assert dag.roots, f"{dag.dag_id} has no root task"


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_TASKS))
def test_should_follow_the_dag_policy(dagbag: Any, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]

    assert "dgops" in dag.tags
    assert dag.doc_md, f"{dag_id}: doc_md"
    assert "Owner" in dag.doc_md
    assert "Triage" in dag.doc_md
    for task in dag.tasks:
        assert task.owner not in {"", "airflow"}, f"{dag_id}.{task.task_id}: owner"
        assert task.retries >= 1, f"{dag_id}.{task.task_id}: retries"
        assert task.retry_exponential_backoff > 1, f"{dag_id}.{task.task_id}: backoff"
        assert task.max_retry_delay is not None, f"{dag_id}.{task.task_id}: max retry delay"
        assert task.execution_timeout is not None, f"{dag_id}.{task.task_id}: timeout"
    assert dag.dagrun_timeout is not None, f"{dag_id}: dagrun_timeout"


# What each DAG produces (task → asset URI) and waits for: the survey year, stage by stage.
PRODUCES = {
    ("dgops_registry", "import_registry"): "dgops://registry/imported",
    ("dgops_invite", "invitations_sent"): "dgops://invitations/sent",
    ("dgops_fieldwork", "responses_submitted"): "dgops://responses/submitted",
    ("dgops_quality", "quality_verified"): "dgops://quality/verified",
    ("dgops_results", "announce_release"): "dgops://results/released",
}
WAITS_FOR = {
    "dgops_invite": "dgops://registry/imported",
    "dgops_fieldwork": "dgops://invitations/sent",
    "dgops_quality": "dgops://responses/submitted",
    "dgops_results": "dgops://quality/verified",
    "dgops_publish": "dgops://results/released",
}


def test_should_chain_the_year_with_assets(dagbag: Any) -> None:
    produced = {
        (dag.dag_id, task.task_id): [o.uri for o in task.outlets]
        for dag in dagbag.dags.values()
        for task in dag.tasks
        if task.outlets
    }
    # One asset each (a condition of several would be an AssetAll/AssetAny without a uri).
    waits = {
        dag.dag_id: [condition.uri]
        for dag in dagbag.dags.values()
        if (condition := getattr(dag.timetable, "asset_condition", None)) is not None
    }

    assert produced == {key: [uri] for key, uri in PRODUCES.items()}
    assert waits == {dag_id: [uri] for dag_id, uri in WAITS_FOR.items()}


@pytest.mark.parametrize("dag_id", sorted(WAITS_FOR))
def test_should_let_an_asset_start_a_run_without_params(dagbag: Any, dag_id: str) -> None:
    """A run started by an asset event has no conf: every param needs a default."""
    dag = dagbag.dags[dag_id]

    dag.params.validate()  # raises ParamValidationError for a param without a value
    assert dag.params["cycle_year"] is None


def test_should_keep_the_fieldwork_day_daily_in_bangkok_and_after_invitations(
    dagbag: Any,
) -> None:
    timetable = dagbag.dags["dgops_fieldwork"].timetable

    assert type(timetable).__name__ == "AssetOrTimeSchedule"
    assert type(timetable.timetable).__name__ == "CronTriggerTimetable"
    assert timetable.timetable.expression == "0 0 * * *"
    assert str(getattr(timetable.timetable.timezone, "name", timetable.timetable.timezone)) == (
        "Asia/Bangkok"
    )


def test_should_run_the_registry_import_only_by_hand_one_at_a_time(dagbag: Any) -> None:
    dag = dagbag.dags["dgops_registry"]
    schema = {name: dag.params.get_param(name).schema for name in dag.params}

    assert type(dag.timetable).__name__ == "NullTimetable"  # schedule=None: operator-triggered
    assert dag.max_active_runs == 1
    assert (
        schema["cycle_year"] | {"type": "integer", "minimum": 2560, "maximum": 2700}
        == (schema["cycle_year"])
    )
    assert schema["registry_file"]["minLength"] == 1
    assert dag.params["dry_run"] is False


def _imports(tree: ast.AST) -> Iterator[tuple[str, bool]]:
    """(top-level package, inside a function?) for every import in ``tree``."""

    def walk(node: ast.AST, in_function: bool) -> Iterator[tuple[str, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name.split(".")[0], in_function
            elif isinstance(child, ast.ImportFrom):
                yield ("." if child.level else (child.module or "").split(".")[0]), in_function
            yield from walk(
                child,
                in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef),
            )

    yield from walk(tree, False)


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_should_import_only_airflow_and_stdlib_at_module_level(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    for root, in_function in _imports(tree):
        allowed = (FUNCTION_LEVEL_ROOTS if in_function else MODULE_LEVEL_ROOTS) | STDLIB
        where = "inside a task function" if in_function else "at module level"
        assert root in allowed, f"{path.name} imports {root!r} {where}"


def test_should_keep_dgops_airflow_cheap_to_import_at_parse_time() -> None:
    """DAG files import dgops_airflow at module level: it must not pull in dgops or pandas."""
    import subprocess

    probe = (
        "import sys; import dgops_airflow; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'dgops', 'pandas', 'great_expectations', 'openpyxl'}))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)])}
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )

    assert out.stdout.strip().splitlines()[-1] == "[]"


# Names of the old per-task plumbing: tasks get their database and mail config from task_env.
PLUMBING = {"DgopsDatabaseHook", "SendGridHook", "session_scope", "get_engine", "get_settings"}


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_should_get_database_and_mail_from_task_env_only(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    used |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    used |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}

    assert used & PLUMBING == set()


def _parse_time_lookups(tree: ast.AST) -> Iterator[str]:
    """``Variable.get(...)``, ``BaseHook.get_connection(...)`` … called outside any function."""

    def walk(node: ast.AST) -> Iterator[str]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and isinstance(child.func.value, ast.Name)
                and child.func.value.id in {"Variable", "BaseHook", "Connection"}
            ):
                yield f"{child.func.value.id}.{child.func.attr}"
            yield from walk(child)

    yield from walk(tree)


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_should_not_read_variables_or_connections_at_parse_time(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    assert list(_parse_time_lookups(tree)) == []


def test_should_catch_a_parse_time_lookup() -> None:
    source = "x = Variable.get('a')\ndef f():\n    return BaseHook.get_connection('b')\n"

    assert list(_parse_time_lookups(ast.parse(source))) == ["Variable.get"]


def test_should_catch_a_heavy_import_at_module_level() -> None:
    source = "import pandas\nfrom airflow.sdk import dag\ndef f():\n    import dgops.registry\n"

    found = set(_imports(ast.parse(source)))

    assert found == {("pandas", False), ("airflow", False), ("dgops", True)}


# ---------------------------------------------------------------- running the DAG

REGISTRY_HEADER = (
    "code,name_th,level,agency_type,mission,ministry,province,"
    "head_name,head_title,head_email,coordinator_name,coordinator_email"
)
GOOD_ROWS = (
    "DG001,สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน),department,public_organization,service,"
    "กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม,,นายสมชาย ใจดี,ผู้อำนวยการ,"
    "director@dga.example.org,นางสาวสมหญิง รักงาน,coordinator@dga.example.org",
    "DG002,กรมการปกครอง,department,government_agency,policy,กระทรวงมหาดไทย,,"
    "นายสมศักดิ์ มั่นคง,อธิบดี,head@dopa.example.org,นายสมปอง ขยัน,it@dopa.example.org",
    "PV001,สำนักงานจังหวัดเชียงใหม่,provincial_office,government_agency,service,"
    "กระทรวงมหาดไทย,เชียงใหม่,นายสมบูรณ์ ศรีสุข,หัวหน้าสำนักงานจังหวัด,"
    "head@chiangmai.example.org,นางสมใจ สุขใจ,it@chiangmai.example.org",
)


@pytest.fixture
def registry_csv(tmp_path: Path) -> Path:
    path = tmp_path / "registry.csv"
    path.write_text("\n".join([REGISTRY_HEADER, *GOOD_ROWS]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def dgops_connection(tmp_path: Path, sqlite_engine: Engine) -> Path:
    """A connections file pointing ``dgops_db`` at the test database, with cycle 2568 in it."""
    import datetime as dt

    from dgops.cycles import create_cycle
    from dgops.db import Database

    with Database(sqlite_engine).begin() as session:
        create_cycle(
            session,
            year=2568,
            open_date=dt.date(2025, 7, 1),
            deadline=dt.date(2025, 9, 30),
            actor="test",
        )
    path = tmp_path / "connections.json"
    conn = {"conn_type": "sqlite", "host": sqlite_engine.url.database}
    path.write_text(json.dumps({"dgops_db": conn}), encoding="utf-8")
    return path


@pytest.fixture
def registry_dag(dagbag: Any, airflow_db: None) -> Any:
    return dagbag.dags["dgops_registry"]


def _states(run: Any) -> dict[str, str | None]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def _count_agencies(engine: Engine) -> int:
    from dgops.registry.models import Agency

    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Agency)) or 0)


def _audit_actors(engine: Engine) -> set[str]:
    from dgops.db.models import AuditLog

    with engine.connect() as conn:
        return set(conn.scalars(select(AuditLog.actor).where(AuditLog.entity != "survey_cycle")))


def test_should_import_the_registry_into_the_dgops_database(
    registry_dag: Any, registry_csv: Path, dgops_connection: Path, sqlite_engine: Engine
) -> None:
    run = registry_dag.test(
        run_conf={"cycle_year": 2568, "registry_file": str(registry_csv)},
        conn_file_path=str(dgops_connection),
    )

    assert _states(run) == {
        "validate_registry": "success",
        "import_registry": "success",
        "summary": "success",
    }
    assert run.state == "success"
    assert _count_agencies(sqlite_engine) == len(GOOD_ROWS)
    assert _audit_actors(sqlite_engine) == {f"airflow:{run.run_id}"}
    assert _asset_events(run.run_id) == [("dgops://registry/imported", {"cycle_year": 2568})]


def _asset_events(run_id: str) -> list[tuple[str, Any]]:
    """(asset URI, extra) of the asset events a run produced, from Airflow's metadata."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.execute(
            select(AssetModel.uri, AssetEvent.extra)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetEvent.source_run_id == run_id)
        )
        return [(uri, extra) for uri, extra in rows]


def test_should_fail_at_once_when_the_registry_file_is_missing(
    registry_dag: Any, tmp_path: Path, dgops_connection: Path
) -> None:
    run = registry_dag.test(
        run_conf={"cycle_year": 2568, "registry_file": str(tmp_path / "no-such.xlsx")},
        conn_file_path=str(dgops_connection),
    )

    validate_ti = next(ti for ti in run.get_task_instances() if ti.task_id == "validate_registry")
    assert validate_ti.state == "failed"
    assert validate_ti.try_number == 1  # an operator's mistake: not retried


def test_should_fail_without_retrying_when_the_cycle_does_not_exist(
    registry_dag: Any, registry_csv: Path, dgops_connection: Path, sqlite_engine: Engine
) -> None:
    run = registry_dag.test(
        run_conf={"cycle_year": 2599, "registry_file": str(registry_csv)},
        conn_file_path=str(dgops_connection),
    )

    import_ti = next(ti for ti in run.get_task_instances() if ti.task_id == "import_registry")
    assert import_ti.state == "failed"
    assert import_ti.try_number == 1
    assert _count_agencies(sqlite_engine) == 0


def test_should_write_nothing_on_a_dry_run(
    registry_dag: Any, registry_csv: Path, dgops_connection: Path, sqlite_engine: Engine
) -> None:
    run = registry_dag.test(
        run_conf={"cycle_year": 2568, "registry_file": str(registry_csv), "dry_run": True},
        conn_file_path=str(dgops_connection),
    )

    assert _states(run) == {
        "validate_registry": "success",
        "import_registry": "skipped",
        "summary": "success",
    }
    assert _count_agencies(sqlite_engine) == 0
    assert _asset_events(run.run_id) == []  # a dry run starts no invitations


def test_should_stop_before_importing_a_registry_with_errors(
    registry_dag: Any, tmp_path: Path, dgops_connection: Path, sqlite_engine: Engine
) -> None:
    bad = tmp_path / "bad.csv"
    broken_row = GOOD_ROWS[0].replace(",department,", ",no_such_level,")
    bad.write_text("\n".join([REGISTRY_HEADER, broken_row]) + "\n", encoding="utf-8")

    run = registry_dag.test(
        run_conf={"cycle_year": 2568, "registry_file": str(bad)},
        conn_file_path=str(dgops_connection),
    )

    states = _states(run)
    assert run.state == "failed"
    assert states["validate_registry"] == "failed"
    assert states["import_registry"] == "upstream_failed"
    assert _count_agencies(sqlite_engine) == 0


@pytest.mark.parametrize(
    "conf",
    [
        {"cycle_year": 2023, "registry_file": "x.csv"},  # Gregorian, not Buddhist era
        {"cycle_year": "2568", "registry_file": "x.csv"},
        {"cycle_year": 2568, "registry_file": ""},
        {"registry_file": "x.csv"},
    ],
    ids=["gregorian-year", "year-as-text", "empty-file", "no-year"],
)
def test_should_refuse_invalid_params(dagbag: Any, conf: dict[str, Any]) -> None:
    from airflow.sdk.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError):
        dagbag.dags["dgops_registry"].test(run_conf=conf)


# ---------------------------------------------------------------- the invitation DAG


@pytest.fixture
def invite_setup(
    tmp_path: Path, sqlite_engine: Engine, registry_csv: Path
) -> Iterator[tuple[Path, Any]]:
    """Cycle 2568 with the three registry agencies, a sink, and a connections file for both."""
    import datetime as dt

    from dgops.cycles import create_cycle
    from dgops.db import Database
    from dgops.registry import import_registry
    from dgops_devtools import SinkServer

    with Database(sqlite_engine).begin() as session:
        create_cycle(
            session,
            year=2568,
            open_date=dt.date(2025, 7, 1),
            deadline=dt.date(2025, 9, 30),
            actor="test",
        )
        import_registry(session, registry_csv, cycle_year=2568, actor="test")
    with SinkServer(api_key="SG.dag-test", outbox=tmp_path / "outbox") as sink:
        host, port = sink.url.removeprefix("http://").split(":")
        conns = {
            "dgops_db": {"conn_type": "sqlite", "host": sqlite_engine.url.database},
            "dgops_sendgrid": {
                "conn_type": "http",
                "host": host,
                "schema": "http",
                "port": int(port),
                "password": "SG.dag-test",
                "extra": {"activity_lag": 0},
            },
        }
        path = tmp_path / "connections.json"
        path.write_text(json.dumps(conns), encoding="utf-8")
        yield path, sink


def test_should_run_the_invitation_stage_by_hand_one_at_a_time(dagbag: Any) -> None:
    dag = dagbag.dags["dgops_invite"]
    schema = {name: dag.params.get_param(name).schema for name in dag.params}

    assert type(dag.timetable).__name__ == "AssetTriggeredTimetable"  # or by hand
    assert dag.max_active_runs == 1
    assert "invitations" in dag.tags
    assert schema["agency_codes"]["type"] == "array"
    assert dag.params["agency_codes"] == []
    assert dag.params["dry_run"] is False
    assert "must never cross a task boundary" in " ".join((dag.doc_md or "").split())


def test_should_invite_every_agency_once_and_send_nothing_on_a_second_run(
    dagbag: Any, airflow_db: None, invite_setup: tuple[Path, Any], sqlite_engine: Engine
) -> None:
    from dgops.mail import MailMessage

    conn_file, sink = invite_setup
    dag = dagbag.dags["dgops_invite"]

    first = dag.test(run_conf={"cycle_year": 2568}, conn_file_path=str(conn_file))
    second = dag.test(run_conf={"cycle_year": 2568}, conn_file_path=str(conn_file))

    assert first.state == "success", _states(first)
    assert second.state == "success", _states(second)
    agencies = sorted(m.custom_args["dgops_agency"] for m in sink.received())
    assert agencies == ["DG001", "DG002", "PV001"]
    with sqlite_engine.connect() as conn:
        statuses = list(conn.scalars(select(MailMessage.status)))
    assert [str(s) for s in statuses] == ["accepted"] * 3


def test_should_send_nothing_on_an_invitation_dry_run(
    dagbag: Any, airflow_db: None, invite_setup: tuple[Path, Any]
) -> None:
    conn_file, sink = invite_setup

    run = dagbag.dags["dgops_invite"].test(
        run_conf={"cycle_year": 2568, "dry_run": True}, conn_file_path=str(conn_file)
    )

    assert run.state == "success", _states(run)
    assert sink.received() == []
