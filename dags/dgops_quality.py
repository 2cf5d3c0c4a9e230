"""Check submitted responses with the Great Expectations suites, return or verify them.

Every task is one call into ``dgops.quality``; the same steps run without Airflow as
``dgops quality run --cycle YEAR``. Great Expectations and dgops are imported inside the tasks
(GE's import alone takes seconds), so parsing this file stays fast. Only the run id and counts
travel through XCom.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from airflow.sdk import Param, dag, task
from airflow.sdk.exceptions import AirflowFailException

log = logging.getLogger(__name__)

OWNER = "survey-ops"

DOC_MD = """
### dgops_quality — ตรวจคุณภาพข้อมูลแบบสำรวจ / data quality of submitted responses

**Owner:** survey-ops (ทีมปฏิบัติการสำรวจ). Runs on demand (*Trigger DAG w/ config*), typically
after intake imports or a day of online submissions. Params: `cycle_year` (พ.ศ.).

Tasks: `validate` (GE suites of the cycle's framework year over every submitted response;
findings recorded as pending) → `store_findings` (earlier open findings of those responses
superseded; accepted ones carried over) → `return_or_verify` (open errors: the response goes
back to the agency with a comment per question and a Thai clarification e-mail through the send
ledger; otherwise verified) → `summary`.

**Triage**
- `validate` failed, not retried: a suite file in `expectations/` is missing or broken (the
  log names the file and expectation). No response changed status. Fix the file or regenerate
  (`dgops quality suites --framework 2566`) and trigger again.
- `validate` failed after retries: database (`dgops_db`) or the `var/quality` folder. Nothing
  was written (one transaction).
- `return_or_verify` failed: status changes are committed per run before e-mail; re-running the
  DAG or `dgops quality run --cycle YEAR` is safe (the ledger sends each clarification once).
  Held or failed e-mails: `dgops mail status --cycle YEAR`.
- Too many findings of one rule in `summary`: a rule may be wrong — check the suite, accept
  findings with a reason (`dgops quality accept ID --reason ...`).
"""


@task
def validate(params: dict[str, Any] | None = None, run_id: str | None = None) -> dict[str, Any]:
    """Run the suites; findings are written to the database, counts returned."""
    from dgops_airflow import DgopsDatabaseHook

    from dgops.db import session_scope
    from dgops.quality import SuiteError, validate_cycle

    engine = DgopsDatabaseHook().get_engine()
    try:
        with session_scope(engine) as session:
            outcome = validate_cycle(session, params["cycle_year"], actor=f"airflow:{run_id}")
    except SuiteError as exc:  # a broken suite: retrying cannot help
        raise AirflowFailException(str(exc)) from exc
    finally:
        engine.dispose()
    return {
        "run_id": outcome.run_id,
        "responses": outcome.n_responses,
        "errors": outcome.n_errors,
        "warnings": outcome.n_warnings,
    }


@task
def store_findings(checked: dict[str, Any], run_id: str | None = None) -> dict[str, int]:
    """Make the run's findings current (supersede earlier ones)."""
    from dgops_airflow import DgopsDatabaseHook

    from dgops.db import session_scope
    from dgops.quality import store_findings as store

    engine = DgopsDatabaseHook().get_engine()
    try:
        with session_scope(engine) as session:
            return store(session, checked["run_id"], actor=f"airflow:{run_id}")
    finally:
        engine.dispose()


@task
def return_or_verify(checked: dict[str, Any], stored: dict[str, int]) -> dict[str, Any]:
    """Return responses with open errors (comments + e-mail), verify the others."""
    from dgops_airflow import DgopsDatabaseHook, SendGridHook

    from dgops.db import Database, session_scope
    from dgops.quality import send_clarifications, settle_run
    from dgops.settings import get_settings

    engine = DgopsDatabaseHook().get_engine()
    try:
        with session_scope(engine) as session:
            out = settle_run(session, checked["run_id"])
        mail = send_clarifications(
            Database(engine),
            checked["run_id"],
            mail_config=SendGridHook().get_config(),
            portal_url=get_settings().portal_url,
        )
    finally:
        engine.dispose()
    return {
        "returned": len(out.returned),
        "verified": len(out.verified),
        "skipped": len(out.skipped),
        "mail": mail,
    }


@task
def summary(checked: dict[str, Any], settled: dict[str, Any]) -> dict[str, Any]:
    """Log the run's counts by outcome, severity and rule."""
    from dgops_airflow import DgopsDatabaseHook

    from dgops.db import session_scope
    from dgops.quality import run_summary

    engine = DgopsDatabaseHook().get_engine()
    try:
        with session_scope(engine) as session:
            counts = run_summary(session, checked["run_id"])
    finally:
        engine.dispose()
    log.info("Quality run %s: %s", checked["run_id"], counts)
    log.info("Returned/verified/mail: %s", settled)
    return {"run_id": checked["run_id"], "outcomes": counts["outcomes"]}


@dag(
    dag_id="dgops_quality",
    schedule=None,
    max_active_runs=1,
    catchup=False,
    tags=["dgops", "quality"],
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
    },
)
def dgops_quality() -> None:
    checked = validate()
    stored = store_findings(checked)
    settled = return_or_verify(checked, stored)
    summary(checked, settled)


dgops_quality()
