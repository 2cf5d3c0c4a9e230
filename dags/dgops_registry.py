"""Import the agency registry (ทะเบียนหน่วยงาน) for a survey year.

Every task is one call into ``dgops.registry``; the same steps run without Airflow as
``dgops registry import FILE --cycle YEAR`` (add ``--dry-run`` to validate only).
dgops is imported inside the tasks so that parsing this file stays fast; ``dgops_airflow``
gives each task its database and the DAG its shared declaration.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import Param, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException
from dgops_airflow import REGISTRY_IMPORTED, announce, dgops_dag, xcom

log = logging.getLogger(__name__)

DOC_MD = """
### dgops_registry — นำเข้าทะเบียนหน่วยงาน / import the agency registry

**Owner:** survey-ops (ทีมปฏิบัติการสำรวจ). Run by hand: *Trigger DAG w/ config*.

Params: `cycle_year` (พ.ศ., e.g. 2568), `registry_file` (path the workers can read, e.g.
`/opt/dgops/inbox/registry-2568.xlsx` under compose: files dropped in `data/inbox/`),
`dry_run` (validate only, write nothing).

Tasks: `validate_registry` → `import_registry` (skipped when `dry_run`) → `summary`.

**Next stage**: a successful import produces the asset `dgops://registry/imported` (extra
`cycle_year`), which starts `dgops_invite` for that year. A dry run produces nothing.

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
def validate_registry() -> dict[str, Any]:
    """Read and check the file; only counts travel through XCom, never rows."""
    from dgops_airflow import task_env

    from dgops.registry import RegistryError, read_registry

    # A missing or unreadable file is the operator's to fix: task_env fails it at once.
    with task_env(no_retry=(RegistryError,)) as env:
        result = read_registry(env.params["registry_file"])
    for issue in result.issues:
        log.log(logging.ERROR if issue.is_error else logging.WARNING, "%s", issue.format())
    if result.errors:
        lines = "\n".join(issue.format() for issue in result.errors)
        raise AirflowFailException(
            f"ทะเบียนมีข้อผิดพลาด {len(result.errors)} รายการ / "
            f"{len(result.errors)} error(s) in the registry:\n{lines}"
        )
    return result.counts()


@task(outlets=[REGISTRY_IMPORTED])
def import_registry() -> dict[str, int]:
    """Write the registry to the survey database in one transaction (skipped on a dry run);
    announces ``REGISTRY_IMPORTED`` for the cycle year (the invitations DAG waits for it)."""
    from dgops_airflow import task_env

    from dgops.registry import RegistryError
    from dgops.registry import import_registry as run_import

    with task_env(no_retry=(RegistryError,)) as env:
        if env.params["dry_run"]:
            raise AirflowSkipException("dry_run: validated only, nothing written")
        with env.db.begin() as session:
            report = run_import(
                session, env.params["registry_file"], cycle_year=env.cycle_year, actor=env.actor
            )
        announce(REGISTRY_IMPORTED, env.cycle_year)
    return report.counts()


@task(trigger_rule="none_failed")
def summary(checked: dict[str, Any], imported: dict[str, int] | None) -> None:
    """Log what was read, by level, and what changed (nothing on a dry run)."""
    log.info("Registry: %s agencies, %s warning(s)", checked["records"], checked["warnings"])
    for level, count in sorted(checked["by_level"].items()):
        log.info("  level %s: %s", level, count)
    log.info("Import: %s", imported if imported is not None else "dry run, nothing written")


@dgops_dag(
    "dgops_registry",
    tags=["registry"],
    doc_md=DOC_MD,
    params={
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
    summary(xcom(checked), xcom(imported))


dgops_registry()
