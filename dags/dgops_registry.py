"""Import the agency registry (ทะเบียนหน่วยงาน) for a survey year.

Every task is one call into ``dgops.registry``; the same steps run without Airflow as
``dgops registry import FILE --cycle YEAR`` (add ``--dry-run`` to validate only).
dgops is imported inside the tasks so that parsing this file stays fast.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from airflow.sdk import Param, dag, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

log = logging.getLogger(__name__)

OWNER = "survey-ops"

DOC_MD = """
### dgops_registry — นำเข้าทะเบียนหน่วยงาน / import the agency registry

**Owner:** survey-ops (ทีมปฏิบัติการสำรวจ). Run by hand: *Trigger DAG w/ config*.

Params: `cycle_year` (พ.ศ., e.g. 2568), `registry_file` (path the workers can read, e.g.
`/opt/airflow/var/registry/2568.xlsx`), `dry_run` (validate only, write nothing).

Tasks: `validate_registry` → `import_registry` (skipped when `dry_run`) → `summary`.

**Triage**
- `validate_registry` failed: the file has errors. The log lists every one (file › row › column,
  Thai and English). Send the list to whoever keeps the spreadsheet, fix the file, trigger again.
  Not retried: the same file fails the same way.
- `import_registry` failed, not retried: the log lists the problems (file › row, Thai/English).
  `cycle.missing`: create the year first (`dgops cycle create --year 2568 --open YYYY-MM-DD
  --deadline YYYY-MM-DD`); unknown parent codes: the
  parent must be in the file or already registered.
- `import_registry` failed after retries: the database (`dgops_db` connection) or a concurrent
  import. Nothing is half-written (one transaction). Check the connection and trigger again.
  Same step by hand: `dgops registry import FILE --cycle YEAR`.
- Counts in `summary` look wrong: compare with `dgops registry import FILE --cycle YEAR
  --dry-run`, which reads the file exactly as this DAG does and writes nothing.
"""


@task
def validate_registry(params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read and check the file; only counts travel through XCom, never rows."""
    from collections import Counter

    from dgops.registry import read_registry

    result = read_registry(params["registry_file"])
    for issue in result.issues:
        log.log(logging.ERROR if issue.is_error else logging.WARNING, "%s", issue.format())
    errors = [issue for issue in result.issues if issue.is_error]
    if errors:
        lines = "\n".join(issue.format() for issue in errors)
        raise AirflowFailException(
            f"ทะเบียนมีข้อผิดพลาด {len(errors)} รายการ / {len(errors)} error(s) in the registry:\n"
            f"{lines}"
        )
    return {
        "records": len(result.records),
        "warnings": sum(1 for issue in result.issues if issue.severity == "warning"),
        "by_level": dict(Counter(str(record.level) for record in result.records)),
    }


@task
def import_registry(
    params: dict[str, Any] | None = None, run_id: str | None = None
) -> dict[str, int]:
    """Write the registry to the survey database in one transaction (skipped on a dry run)."""
    if params["dry_run"]:
        raise AirflowSkipException("dry_run: validated only, nothing written")
    from dgops_airflow import DgopsDatabaseHook

    from dgops.db import session_scope
    from dgops.registry import RegistryError
    from dgops.registry import import_registry as run_import

    engine = DgopsDatabaseHook().get_engine()
    try:
        with session_scope(engine) as session:
            report = run_import(
                session,
                params["registry_file"],
                cycle_year=params["cycle_year"],
                actor=f"airflow:{run_id}",
            )
    except RegistryError as exc:  # data, not infrastructure: retrying cannot help
        raise AirflowFailException(exc.format()) from exc
    finally:
        engine.dispose()
    return {
        "added": len(report.added),
        "changed": len(report.changed),
        "deactivated": len(report.deactivated),
        "unchanged": len(report.unchanged),
        "enrolled": len(report.enrolled),
    }


@task(trigger_rule="none_failed")
def summary(checked: dict[str, Any], imported: dict[str, int] | None) -> None:
    """Log what was read, by level, and what changed (nothing on a dry run)."""
    log.info("Registry: %s agencies, %s warning(s)", checked["records"], checked["warnings"])
    for level, count in sorted(checked["by_level"].items()):
        log.info("  level %s: %s", level, count)
    log.info("Import: %s", imported if imported is not None else "dry run, nothing written")


@dag(
    dag_id="dgops_registry",
    schedule=None,
    max_active_runs=1,
    catchup=False,
    tags=["dgops", "registry"],
    doc_md=DOC_MD,
    default_args={
        "owner": OWNER,
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=2),
    },
    params={
        "cycle_year": Param(
            type="integer",
            minimum=2560,
            maximum=2700,
            title="ปีการสำรวจ (พ.ศ.) / survey year (Buddhist era)",
        ),
        "registry_file": Param(
            type="string",
            minLength=1,
            title="ไฟล์ทะเบียน / registry file",
            description="CSV or XLSX path readable by the Airflow workers",
        ),
        "dry_run": Param(
            False,
            type="boolean",
            title="ตรวจสอบอย่างเดียว / validate only",
        ),
    },
)
def dgops_registry() -> None:
    checked = validate_registry()
    imported = import_registry()
    checked >> imported
    summary(checked, imported)


dgops_registry()
