"""Check submitted responses with the Great Expectations suites, return or verify them.

Every task is one call into ``dgops.quality``; the same steps run without Airflow as
``dgops quality run --cycle YEAR``. Great Expectations and dgops are imported inside the tasks
(GE's import alone takes seconds), so parsing this file stays fast; ``dgops_airflow`` gives
each task its database and mail configuration. Only the run id and counts travel through XCom.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import task
from airflow.sdk.exceptions import AirflowSkipException
from dgops_airflow import (
    QUALITY_VERIFIED,
    RESPONSES_SUBMITTED,
    announce,
    cycle_year_param,
    dgops_dag,
    xcom,
)

log = logging.getLogger(__name__)

DOC_MD = """
### dgops_quality — ตรวจคุณภาพข้อมูลแบบสำรวจ / data quality of submitted responses

**Owner:** survey-ops (ทีมปฏิบัติการสำรวจ). Starts by itself when `dgops_fieldwork` finds
submitted responses awaiting the checks (asset `dgops://responses/submitted`, the year from the
event), or on demand (*Trigger DAG w/ config*), e.g. after intake imports. Params: `cycle_year`
(พ.ศ.; empty = the year of the event).

Tasks: `validate` (GE suites of the cycle's framework year over every submitted response;
findings recorded as pending) → `store_findings` (earlier open findings of those responses
superseded; accepted ones carried over) → `return_or_verify` (open errors: the response goes
back to the agency with a comment per question and a Thai clarification e-mail through the send
ledger; otherwise verified) → `summary` → `quality_verified` (produces the asset
`dgops://quality/verified` for the year when the run verified responses: scoring and results
follow; skipped when it verified none).

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
def validate() -> dict[str, Any]:
    """Run the suites; findings are written to the database, counts returned."""
    from dgops_airflow import task_env

    from dgops.quality import QualityError, SuiteError, validate_cycle

    with task_env(no_retry=(SuiteError, QualityError)) as env, env.db.begin() as session:
        outcome = validate_cycle(session, env.cycle_year, actor=env.actor)
    return {
        "run_id": outcome.run_id,
        "responses": outcome.n_responses,
        "errors": outcome.n_errors,
        "warnings": outcome.n_warnings,
    }


@task
def store_findings(checked: dict[str, Any]) -> dict[str, int]:
    """Make the run's findings current (supersede earlier ones)."""
    from dgops_airflow import task_env

    from dgops.quality import store_findings as store

    with task_env() as env, env.db.begin() as session:
        return store(session, checked["run_id"], actor=env.actor)


@task
def return_or_verify(checked: dict[str, Any], stored: dict[str, int]) -> dict[str, Any]:
    """Return responses with open errors (comments + e-mail), verify the others."""
    from dgops_airflow import task_env

    from dgops.quality import send_clarifications, settle_run

    with task_env() as env:
        with env.db.begin() as session:
            out = settle_run(session, checked["run_id"])
        mail = send_clarifications(
            env.db,
            checked["run_id"],
            mail_config=env.mail,
            portal_url=env.settings.portal_url,
        )
    return {
        "returned": len(out.returned),
        "verified": len(out.verified),
        "skipped": len(out.skipped),
        "mail": mail,
    }


@task
def summary(checked: dict[str, Any], settled: dict[str, Any]) -> dict[str, Any]:
    """Log the run's counts by outcome, severity and rule."""
    from dgops_airflow import task_env

    from dgops.quality import run_summary

    with task_env() as env, env.db.begin() as session:
        counts = run_summary(session, checked["run_id"])
    log.info("Quality run %s: %s", checked["run_id"], counts)
    log.info("Returned/verified/mail: %s", settled)
    return {"run_id": checked["run_id"], "outcomes": counts["outcomes"]}


@task(outlets=[QUALITY_VERIFIED])
def quality_verified(settled: dict[str, Any]) -> None:
    """Announce ``QUALITY_VERIFIED`` for the year when this run verified responses."""
    from dgops_airflow import task_env

    if not settled["verified"]:
        raise AirflowSkipException("no response verified by this run: nothing to announce")
    with task_env() as env:
        announce(QUALITY_VERIFIED, env.cycle_year)


@dgops_dag(
    "dgops_quality",
    schedule=RESPONSES_SUBMITTED,
    cycle_year=cycle_year_param(when_empty="the year of the responses-submitted event"),
    tags=["quality"],
    doc_md=DOC_MD,
)
def dgops_quality() -> None:
    checked = validate()
    stored = store_findings(xcom(checked))
    settled = return_or_verify(xcom(checked), xcom(stored))
    summary(xcom(checked), xcom(settled)) >> quality_verified(xcom(settled))


dgops_quality()
