"""Invite a survey year's agencies: activation codes, official letters, e-mails through SendGrid.

Every task is one call into ``dgops.invite``; the same run without Airflow is
``dgops invite run --cycle YEAR`` (``--dry-run`` to check only).
dgops is imported inside the tasks so that parsing this file stays fast; ``dgops_airflow``
gives each task its database and mail configuration.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import Param, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException
from dgops_airflow import (
    INVITATIONS_SENT,
    REGISTRY_IMPORTED,
    announce,
    cycle_year_param,
    dgops_dag,
    xcom,
)

log = logging.getLogger(__name__)

DOC_MD = """
### dgops_invite — เชิญหน่วยงานตอบแบบสำรวจ / invite the agencies

**Owner:** survey-ops (ทีมปฏิบัติการสำรวจ). Starts by itself when the registry of a year is
imported (asset `dgops://registry/imported`, the year from the event); run by hand:
*Trigger DAG w/ config*.

Params: `cycle_year` (พ.ศ., e.g. 2568; empty = the year of the registry event),
`agency_codes` (only these agencies; empty = every enrolled active agency), `dry_run` (check
and render one sample letter per batch; issue and send nothing), `batch_size` (agencies per
batch; at most 20 batches are made: a large cycle gets larger batches).

Tasks: `select_agencies` (plan: who still needs an invitation, pre-send problems) →
`issue_credentials` (non-secret half: portal accounts/usernames and letter numbers) →
`render_and_send` (one mapped task per batch) → `summary` (counts by ledger status) →
`invitations_sent` (produces the asset `dgops://invitations/sent` for the year, which starts a
`dgops_fieldwork` run; skipped on a dry run or when `summary` failed).

**Why codes, letters and e-mails are one task.** An activation code exists in plaintext only
while its letter and e-mail are produced. It is generated, rendered into the letter PDF (in
memory) and sent inside one `render_and_send` task: a plaintext code must never cross a task
boundary (XCom is stored in the metadata database). Tasks return counts only. The letter
carries the code; the e-mail body does not.

**Re-running is safe.** Every invitation goes through the send ledger (`mail_message`):
accepted invitations are never sent again; a code whose e-mail never left is replaced; an
e-mail that may have left (crash between SendGrid's answer and the ledger write) is looked up
in SendGrid's Email Activity first and keeps its code.

**Triage**
- `select_agencies` lists pre-send problems in its log (no usable e-mail, malformed address,
  over-long name, address that bounced before, head without a position title). Blocked
  agencies are not invited; fix the registry (`dgops registry import`) or the correction list
  (`dgops mail corrections`) and trigger again. Same list: `dgops invite problems --cycle YEAR`.
- `render_and_send` failed after retries: SendGrid unreachable or the database. Trigger again:
  only what was not accepted is sent. Uncertain messages are reconciled first
  (`dgops mail reconcile --cycle YEAR` does it by hand).
- `summary` failed: some invitations are not accepted. `dgops invite status --cycle YEAR`
  lists failed (SendGrid's reason) and held ones; fix, then `dgops mail release --id N
  --decision sent|resend` and trigger again. Held = SendGrid could not be asked whether an
  uncertain e-mail arrived (no Email Activity add-on): check its activity feed first.
- Connections: `dgops_db` (survey database), `dgops_sendgrid` (host = API base URL,
  password = API key, extras `sandbox`, `activity_api`, `activity_lag`).
"""


@task(multiple_outputs=True)
def select_agencies() -> dict[str, Any]:
    """Plan the run; only agency ids (in batches) and counts travel through XCom."""
    from dgops_airflow import task_env

    from dgops.cycles import CycleError
    from dgops.invite import plan_invitations

    with task_env(no_retry=(CycleError,)) as env, env.db.begin() as session:
        plan = plan_invitations(
            session,
            env.cycle_year,
            agency_codes=env.params["agency_codes"] or None,
            mail_config=env.mail,
            batch_size=env.params["batch_size"],
        )
    for p in plan.problems:
        log.log(
            logging.WARNING if p.blocking else logging.INFO,
            "%s %s %s: %s",
            p.agency_code,
            "BLOCKED" if p.blocking else "warning",
            p.code,
            p.detail,
        )
    log.info("Plan: %s", plan.counts)
    return plan.as_xcom()


@task
def issue_credentials(batches: list[list[int]]) -> list[list[int]]:
    """Portal accounts (usernames) and letter numbers for the selected agencies; no codes.

    The codes themselves are made in ``render_and_send`` (they must not cross tasks). Returns
    the batches unchanged, for ``render_and_send`` to map over.
    """
    from dgops_airflow import task_env

    from dgops.invite import ensure_accounts

    with task_env() as env:
        if env.params["dry_run"]:
            log.info("dry_run: no account or letter number created")
            return batches
        with env.db.begin() as session:
            done = ensure_accounts(session, env.cycle_year, [i for b in batches for i in b])
    log.info("Accounts and letter numbers: %s", done)
    return batches


@task(max_active_tis_per_dagrun=2)
def render_and_send(agency_ids: list[int]) -> dict[str, Any]:
    """One batch: issue codes, render the letters in memory, send them (counts only out)."""
    from dgops_airflow import task_env

    from dgops.invite import invite_batch

    with task_env() as env:
        report = invite_batch(
            env.db,
            env.settings,
            env.mail,
            env.cycle_year,
            agency_ids,
            dry_run=env.params["dry_run"],
            actor=env.actor,
        )
    result = report.as_dict()
    log.info("Batch of %d: %s", len(agency_ids), result)
    return result


@task(trigger_rule="all_done")
def summary() -> dict[str, Any]:
    """Counts by ledger status from the database; fails when invitations still need work."""
    from dgops_airflow import task_env

    from dgops.invite import invitation_summary

    with task_env() as env, env.db.begin() as session:
        result = invitation_summary(session, env.cycle_year, mail_config=env.mail)
        dry_run = bool(env.params["dry_run"])
    counts = result.as_dict()
    log.info("Invitations %s: %s", result.cycle_year, counts)
    for f in result.attention:
        log.warning("%s ledger %s %s: %s", f.agency_code, f.ledger_id, f.status, f.error)
    if result.unsettled and not dry_run:
        raise AirflowFailException(
            f"คำเชิญยังไม่ครบ / invitations not settled: {result.unsettled}. "
            f"See `dgops invite status --cycle {result.cycle_year}`."
        )
    return counts


@task(outlets=[INVITATIONS_SENT])
def invitations_sent() -> None:
    """Announce ``INVITATIONS_SENT`` for the year (fieldwork starts); not on a dry run."""
    from dgops_airflow import task_env

    with task_env() as env:
        if env.params["dry_run"]:
            raise AirflowSkipException("dry_run: nothing sent, nothing announced")
        announce(INVITATIONS_SENT, env.cycle_year)


@dgops_dag(
    "dgops_invite",
    schedule=REGISTRY_IMPORTED,
    cycle_year=cycle_year_param(when_empty="the year of the registry-imported event"),
    tags=["invitations"],
    doc_md=DOC_MD,
    params={
        "agency_codes": Param(
            [],
            type="array",
            items={"type": "string", "minLength": 1},
            title="เฉพาะหน่วยงาน / only these agency codes",
            description="Empty: every enrolled active agency of the cycle",
        ),
        "dry_run": Param(False, type="boolean", title="ทดลอง ไม่ส่งจริง / dry run"),
        "batch_size": Param(
            100,
            type="integer",
            minimum=10,
            maximum=1000,
            title="หน่วยงานต่อชุด / agencies per batch",
        ),
    },
)
def dgops_invite() -> None:
    plan = select_agencies()
    batches = issue_credentials(xcom(plan)["batches"])
    sent = render_and_send.expand(agency_ids=batches)
    sent >> summary() >> invitations_sent()


dgops_invite()
