"""Results to agencies: score, recommend, wait for an operator's release, send the letters.

Every task is one call into ``dgops.results``; the same steps run without Airflow as
``dgops score`` → ``dgops recommend`` → ``dgops results release`` → ``dgops results send``.
dgops is imported inside the tasks so that parsing this file stays fast. Only run ids and
counts travel through XCom.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any

from airflow.sdk import Param, PokeReturnValue, task
from airflow.sdk.exceptions import AirflowFailException
from dgops_airflow import (
    QUALITY_VERIFIED,
    RESULTS_RELEASED,
    announce,
    cycle_year_param,
    dgops_dag,
    task_env,
    xcom,
)

log = logging.getLogger(__name__)

DOC_MD = """
### dgops_results — แจ้งผลการสำรวจแก่หน่วยงาน / results to agencies

**Owner:** survey-ops (ทีมปฏิบัติการสำรวจ). Starts when `dgops_quality` verifies responses
(asset `dgops://quality/verified`, with the cycle year) or by hand (*Trigger DAG w/ config*).
Params: `cycle_year` (พ.ศ.), `external_file` (external inputs
on the worker, as `dgops score --external`; empty: `<var_dir>/inbox/external-<year>.csv` or
`.xlsx` when there), `supersede_reason` (only to replace
results already released: why, in Thai — agencies read it in their correction letter),
`batch_size` (agencies per mail batch).

Tasks: `score` (verified responses → a new **draft** run; skipped when a release stands and no
`supersede_reason` is given) → `recommend` (advice per agency on the draft) →
`wait_for_release` (a sensor: nothing reaches agencies until an operator checks the draft and
runs `dgops results release --cycle YEAR --run N`; it then emits the `dgops://results/released`
asset that starts the publication) → `send_letters` (issue numbers, render each agency's letter,
e-mail it through the send ledger in batches) → `summary`.

**Re-running is safe.** A released run is never re-scored or re-advised by a re-run; letters
keep their numbers; an accepted e-mail is never sent again; after a superseding release only
agencies whose results changed get a correction letter.

**Triage**
- `score` failed, not retried: no cycle, a framework or external-input problem, or results
  already released (give `supersede_reason`). Fix and trigger again.
- `wait_for_release` timed out (14 days): nobody released the draft. Check it
  (`dgops results export` of a release, `dgops score` output), release, trigger again.
- `send_letters` failed: letters that could not be rendered or e-mails not accepted are listed
  in the log; `dgops results status --cycle YEAR` shows them. Fix (registry contacts,
  `dgops mail corrections`) and trigger again: only what is missing goes out.
- Connections: `dgops_db`, `dgops_sendgrid`.
"""

# How often the sensor looks for the release (env DGOPS_RESULTS_POKE_SECONDS; default 5 min).
POKE = dt.timedelta(seconds=float(os.environ.get("DGOPS_RESULTS_POKE_SECONDS", "300")))
WAIT = dt.timedelta(days=14)


@task
def score() -> dict[str, Any]:
    """Score the cycle's verified responses into a draft run (unless a release stands)."""
    from dgops.results import external_inputs_file, score_or_keep
    from dgops.scoring import read_external_file

    with task_env(no_retry=(LookupError, ValueError)) as env:
        given = env.params.get("external_file") or None
        external = (
            Path(given) if given else external_inputs_file(env.settings.var_dir, env.cycle_year)
        )
        frame = read_external_file(external) if external else None
        with env.db.begin() as session:
            out = score_or_keep(
                session,
                env.cycle_year,
                actor=env.actor,
                reason=env.params.get("supersede_reason") or None,
                external=frame,
            )
    log.info("Scoring: %s", out)
    return out


@task
def recommend(scored: dict[str, Any]) -> dict[str, Any]:
    """Advise every agency on the draft run (a released run keeps its advice)."""
    from dgops.results import recommend_cycle

    with task_env(no_retry=(LookupError, ValueError)) as env, env.db.begin() as session:
        out = recommend_cycle(session, env.cycle_year)
    return {"run_id": out.run_id, "rows": out.n_rows, "released": out.released}


@task.sensor(poke_interval=POKE.total_seconds(), timeout=WAIT.total_seconds(), mode="reschedule")
def wait_for_release(scored: dict[str, Any]) -> PokeReturnValue:
    """Done when the scored run (or a later one) is released by an operator."""
    from dgops.results import release_state

    with task_env() as env, env.db.begin() as session:
        released = release_state(session, env.cycle_year, scored["run_id"])
    if released is None:
        log.info(
            "Run %s of %s is a draft: release it with `dgops results release --cycle %s --run %s`",
            scored["run_id"],
            scored["cycle_year"],
            scored["cycle_year"],
            scored["run_id"],
        )
    return PokeReturnValue(is_done=released is not None, xcom_value={"run_id": released})


@task(outlets=[RESULTS_RELEASED])
def announce_release(released: dict[str, Any]) -> dict[str, Any]:
    """Tell the next DAG (publication) that the cycle's results are released."""
    with task_env() as env:
        year = env.cycle_year
    announce(RESULTS_RELEASED, year)
    return {"cycle_year": year, **released}


@task
def send_letters(released: dict[str, Any]) -> dict[str, Any]:
    """Issue, render and e-mail the result letters of the released run, in batches."""
    from dgops.results import send_results

    with task_env(no_retry=(LookupError, ValueError)) as env:
        report = send_results(
            env.db,
            env.settings,
            env.mail,
            env.cycle_year,
            actor=env.actor,
            issued_on=env.logical_day,
            batch_size=int(env.params.get("batch_size") or 500),
        )
    for code, reason in report.failed_render:
        log.error("Letter of %s not rendered: %s", code, reason)
    for code, reason in report.not_sent:
        log.warning("E-mail to %s not accepted: %s", code, reason)
    return {
        "run_id": report.run_id,
        "issued": report.issue.issued,
        "corrections": report.issue.corrections,
        "unchanged": len(report.issue.unchanged),
        "rendered": report.rendered,
        "accepted": report.accepted,
        "already_sent": report.already_sent,
        "failed_render": len(report.failed_render),
        "not_sent": len(report.not_sent),
    }


@task
def summary(sent: dict[str, Any]) -> dict[str, Any]:
    """Fail (for a person to look) when some letters were not rendered or not accepted."""
    log.info("Result letters: %s", sent)
    if sent["failed_render"] or sent["not_sent"]:
        raise AirflowFailException(
            f"{sent['failed_render']} letters not rendered, {sent['not_sent']} e-mails not "
            "accepted: see send_letters' log or `dgops results status`; fix and trigger again"
        )
    return sent


@dgops_dag(
    "dgops_results",
    schedule=QUALITY_VERIFIED,
    cycle_year=cycle_year_param(when_empty="the year of the quality-verified event"),
    tags=["results"],
    doc_md=DOC_MD,
    # The release waits for a person (up to two weeks); then letters go out in batches.
    dagrun_timeout=WAIT + dt.timedelta(days=1),
    params={
        "supersede_reason": Param(
            "",
            type="string",
            title="เหตุผลที่แก้ไขผลที่เผยแพร่แล้ว / why released results are replaced",
            description="Empty unless the cycle's released results must be replaced.",
        ),
        "external_file": Param(
            "",
            type="string",
            title="ไฟล์ข้อมูลจากภายนอก / external inputs file",
            description="CSV/XLSX on the worker: agency codes and one column per external key "
            "(as `dgops score --external`); empty when the framework needs none.",
        ),
        "batch_size": Param(500, type="integer", minimum=1, maximum=5000),
    },
)
def dgops_results() -> None:
    scored = score()
    advised = recommend(xcom(scored))
    released = wait_for_release(xcom(scored))
    advised >> released
    announced = announce_release(xcom(released))
    sent = send_letters(xcom(released))
    announced >> sent
    summary(xcom(sent))


dgops_results()
