"""`dgops invite`: invite a cycle's agencies (codes, letters, e-mails), its status and problems."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer
from rich.table import Table

from dgops.cli._common import actor, console, database, fail, progress
from dgops.cycles import CycleError
from dgops.invite import (
    DEFAULT_BATCH_SIZE,
    STATUS_TH,
    InviteProblem,
    LetterRenderer,
    invitation_summary,
    invite_batch,
    plan_invitations,
)
from dgops.mail import MailConfig
from dgops.settings import get_settings

app = typer.Typer(help="เชิญตอบแบบสำรวจ / invitations.", no_args_is_help=True)

COUNT_TH = {
    "accepted": "ส่งแล้ว / sent now",
    "already_accepted": "ส่งไปก่อนแล้ว / sent before",
    "reconciled": "ยืนยันว่าส่งแล้ว / found sent",
    "issued": "ออกรหัส / codes issued",
    "reissued": "ออกรหัสใหม่แทนรหัสที่ไม่ได้ส่ง / codes replaced",
    "letters": "หนังสือ / letters",
    "blocked": "มีปัญหา ไม่ส่ง / blocked",
    "uncertain": "ไม่แน่ใจ รอตรวจสอบ / uncertain",
    "held": "รอผู้ดูแล / held",
    "failed": "ล้มเหลว / failed",
    "deferred": "เลื่อนไปรอบหน้า / deferred",
}


def _problem_table(problems: list[InviteProblem] | tuple[InviteProblem, ...]) -> Table:
    table = Table("หน่วยงาน / agency", "ปัญหา / problem", "รายละเอียด / detail", "ส่ง? / sent?")
    for p in sorted(problems, key=lambda p: (p.agency_code, p.code)):
        detail = f"{p.detail} ({p.email})" if p.email else p.detail
        table.add_row(p.agency_code, p.code, detail, "ไม่ส่ง / no" if p.blocking else "ส่ง / yes")
    return table


@app.command("run")
def run_cmd(
    cycle: int = typer.Option(..., help="Survey year (BE 2566 or CE 2023)."),
    agency: list[str] = typer.Option([], help="Only these agency codes (repeat the option)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and render a sample only."),
    batch_size: int = typer.Option(DEFAULT_BATCH_SIZE, min=1, help="Agencies per batch."),
    letter_workers: int = typer.Option(1, min=1, help="Processes rendering letters."),
    sample_out: Path | None = typer.Option(
        None, help="With --dry-run: write the sample letter (placeholder code) here."
    ),
) -> None:
    """Issue codes, render letters and send the invitations; re-run safely after any failure."""
    settings = get_settings()
    config = MailConfig.from_settings(settings)
    db = database()
    try:
        with db.begin() as session:
            plan = plan_invitations(
                session,
                cycle,
                agency_codes=agency or None,
                mail_config=config,
                settings=settings,
                batch_size=batch_size,
            )
    except CycleError as exc:
        fail(str(exc))
    if plan.problems:
        console.print(f"[bold]ปัญหาก่อนส่ง / pre-send problems ({len(plan.problems)})[/]")
        console.print(_problem_table(plan.problems))
    console.print(
        f"รอบปี {plan.cycle_year}: {plan.selected} หน่วยงาน, จะส่ง {plan.to_send} "
        f"ใน {len(plan.batches)} ชุด | {plan.selected} agencies, {plan.to_send} to send in "
        f"{len(plan.batches)} batches"
    )
    # Agencies the plan already settled (accepted before, waiting for an operator, blocked).
    totals: Counter[str] = Counter(
        {k: plan.counts[k] for k in ("already_accepted", "held", "failed", "blocked")}
    )
    sample: bytes | None = None
    with (
        LetterRenderer(letter_workers) as renderer,
        progress("ส่งคำเชิญ / inviting", len(plan.batches)) as bar,
    ):
        for batch in plan.batches:
            report = invite_batch(
                db,
                settings,
                config,
                plan.cycle_year,
                batch,
                dry_run=dry_run,
                renderer=renderer,
                actor=actor(),
            )
            totals.update(report.counts)
            sample = sample or report.sample_pdf
            bar.advance(bar.task_ids[0])
    table = Table("ผล / outcome", "จำนวน / count")
    for key, label in COUNT_TH.items():
        if totals[key]:
            table.add_row(label, f"{totals[key]:,}")
    console.print(table)
    if dry_run:
        console.print("ทดลองเท่านั้น ไม่ได้ออกรหัสหรือส่งอีเมล / dry run: nothing issued or sent")
        if sample is not None and sample_out is not None:
            sample_out.write_bytes(sample)
            console.print(f"ตัวอย่างหนังสือ / sample letter → {sample_out}")
    if totals["failed"] or totals["held"] or totals["uncertain"] or totals["deferred"]:
        console.print("ดูรายละเอียด / details: dgops invite status --cycle " + str(plan.cycle_year))
        raise typer.Exit(2)


@app.command("status")
def status_cmd(cycle: int = typer.Option(..., help="Survey year (BE 2566 or CE 2023).")) -> None:
    """Counts by ledger state, failed and held invitations with their reasons."""
    settings = get_settings()
    try:
        with database() as db, db.begin() as session:
            summary = invitation_summary(
                session, cycle, mail_config=MailConfig.from_settings(settings), settings=settings
            )
    except CycleError as exc:
        fail(str(exc))
    console.print(f"[bold]คำเชิญ รอบปี {summary.cycle_year}[/]: {summary.enrolled} หน่วยงาน")
    table = Table("สถานะ / status", "", "จำนวน / count")
    for status, n in summary.by_status.items():
        table.add_row(status, STATUS_TH.get(status, ""), f"{n:,}")
    console.print(table)
    if summary.by_delivery:
        console.print(
            "delivery: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.by_delivery.items()))
        )
    if summary.attention:
        att = Table("หน่วยงาน / agency", "ledger id", "สถานะ / status", "เหตุผล / reason")
        for f in summary.attention:
            att.add_row(f.agency_code, str(f.ledger_id), f.status, f.error)
        console.print(att)
        console.print("ตัดสินใจ / decide: dgops mail release --id N --decision sent|resend")
    if summary.problems:
        n = len(summary.problems)
        console.print(f"ปัญหาก่อนส่ง / pre-send problems: {n} (dgops invite problems)")


@app.command("problems")
def problems_cmd(cycle: int = typer.Option(..., help="Survey year (BE 2566 or CE 2023).")) -> None:
    """What stops or limits invitations before sending: addresses, salutations, bounces."""
    settings = get_settings()
    try:
        with database() as db, db.begin() as session:
            plan = plan_invitations(
                session, cycle, mail_config=MailConfig.from_settings(settings), settings=settings
            )
    except CycleError as exc:
        fail(str(exc))
    if not plan.problems:
        console.print("ไม่พบปัญหา / no problems")
        return
    console.print(_problem_table(plan.problems))
    blocked = len(plan.blocked_ids)
    console.print(
        f"ไม่ส่ง {blocked} หน่วยงานจนกว่าจะแก้ทะเบียน | {blocked} agencies blocked until the "
        "registry is fixed"
    )


COMMANDS = {"invite": app}
