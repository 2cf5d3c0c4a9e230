"""Monthly PDPA retention purge: one task, one call into ``dgops.privacy``.

The same thing runs without Airflow as ``dgops privacy purge --cycle YEAR --before DATE``.
dgops is imported inside the task so that parsing this file stays fast; ``dgops_airflow``
gives the task its database and settings. Only counts travel through XCom.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from airflow.sdk import task
from dgops_airflow import cycle_year_param, dgops_dag

log = logging.getLogger(__name__)

DOC_MD = """
### dgops_privacy — ลบข้อมูลส่วนบุคคลที่พ้นระยะเวลาเก็บรักษา / PDPA retention purge

**Owner:** survey-ops (ทีมปฏิบัติการสำรวจ). Runs on the 1st of every month at 02:00 Bangkok
time, and on demand. Param: `cycle_year` (พ.ศ.; empty = every cycle).

Task: `purge_expired` — for each cycle, personal data collected more than
`DGOPS_PRIVACY_RETENTION_DAYS` days ago (default 730) is removed: contacts' names, e-mail
addresses and phone numbers (agencies in no later cycle), addresses in the mail ledger and
webhook events, evidence files. Rows stay, pseudonymised, so counts still work; the audit
trail gets counts and ids (action `privacy_purge`). See docs/privacy.md.

**Triage**
- Failed after retries: database (`dgops_db`) or the evidence folder (`var/evidence`). The
  database part is one transaction: nothing half-done. Files are deleted after the commit; a
  re-run (trigger again, or `dgops privacy purge --cycle YEAR --before DATE`) deletes any left.
- Nothing purged month after month while old cycles exist: check
  `DGOPS_PRIVACY_RETENTION_DAYS`; `dgops privacy purge --cycle YEAR --before DATE --dry-run`
  lists what would go.
"""


@task
def purge_expired() -> list[dict[str, Any]]:
    """Purge every cycle's personal data older than the retention period; counts per cycle."""
    from dgops_airflow import task_env

    from dgops.cycles import CycleError
    from dgops.privacy import purge_expired as purge
    from dgops.responses import EvidenceStorage

    with task_env(no_retry=(CycleError,)) as env:
        reports = purge(
            env.db,
            actor=env.actor,
            storage=EvidenceStorage(env.settings.var_dir / "evidence"),
            retention_days=env.settings.privacy_retention_days,
            key=env.settings.privacy_key.get_secret_value(),
            today=env.logical_day,
            cycle_year=env.params.get("cycle_year"),
        )
    for report in reports:
        log.info("Privacy purge: %s", report.as_dict())
    return [r.as_dict() for r in reports]


@dgops_dag(
    "dgops_privacy",
    schedule="0 2 1 * *",
    start_date=dt.date(2025, 1, 1),
    tags=["privacy"],
    doc_md=DOC_MD,
    cycle_year=cycle_year_param(when_empty="every cycle"),
)
def dgops_privacy() -> None:
    purge_expired()


dgops_privacy()
