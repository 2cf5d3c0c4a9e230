"""`dgops mail`: the send ledger, reconciliation, the correction list and the local sink."""

from __future__ import annotations

from math import ceil
from pathlib import Path

import typer

from dgops.cli._common import actor, console, database, fail
from dgops.cycles import CycleError, get_cycle
from dgops.mail import (
    MailConfig,
    MailOpsError,
    create_webhook_app,
    list_corrections,
    mail_status,
    reconcile,
    release,
    resolve_correction,
)
from dgops.settings import get_settings

app = typer.Typer(
    help="E-mail through SendGrid: status, reconciliation, corrections, sink.", no_args_is_help=True
)

STATUS_TH = {
    "pending": "รอส่ง",
    "sending": "กำลังส่ง/ไม่แน่ใจ",
    "accepted": "SendGrid รับแล้ว",
    "failed": "ล้มเหลว",
    "held": "รอผู้ดูแลตัดสินใจ",
}


def _cycle_id(year: int) -> int:
    try:
        with database().begin() as session:
            return get_cycle(session, year).id
    except CycleError as exc:
        fail(str(exc))


@app.command("status")
def status_cmd(
    cycle: int = typer.Option(..., help="Survey year (2566 or 2023)."),
    kind: str | None = typer.Option(None, help="Only this kind of message (invitation, ...)."),
) -> None:
    """Counts by status, failures with their reasons, held and uncertain messages."""
    cycle_id = _cycle_id(cycle)
    with database().begin() as session:
        st = mail_status(session, cycle_id, kind)
    console.print(f"[bold]อีเมล รอบปี {cycle}[/]" + (f" ({kind})" if kind else ""))
    for s, n in st.by_status.items():
        console.print(f"  {s.value:9} {STATUS_TH[s.value]:20} {n:6}")
    if any(k != "none" for k in st.by_delivery):
        console.print(
            "  delivery: " + ", ".join(f"{k} {v}" for k, v in sorted(st.by_delivery.items()))
        )
    for title, lines in (
        ("ล้มเหลว (failed)", st.failed),
        ("รอผู้ดูแล (held)", st.held),
        ("ไม่แน่ใจ (sending)", st.uncertain),
        ("ส่งไม่สำเร็จ รอส่งใหม่", st.deferred),
    ):
        if lines:
            console.print(f"[bold]{title}[/]")
            for line in lines:
                code = f" HTTP {line.error_code}" if line.error_code else ""
                console.print(
                    f"  #{line.id} {line.agency_code} {line.agency_name} {line.kind} "
                    f"r{line.round}{code}: {line.error}",
                    highlight=False,
                )


@app.command("reconcile")
def reconcile_cmd(
    cycle: int = typer.Option(..., help="Survey year (2566 or 2023)."),
    lag: float | None = typer.Option(
        None,
        help="Uncertainty window in seconds: how long SendGrid may take to list a sent "
        "message in Email Activity (default: DGOPS_MAIL_ACTIVITY_LAG, 600).",
    ),
    no_activity: bool = typer.Option(
        False, "--no-activity", help="The account has no Email Activity: hold uncertain mail."
    ),
    batch_size: int | None = typer.Option(
        None, help="Messages per Email Activity request (default: DGOPS_MAIL_ACTIVITY_BATCH)."
    ),
    per_minute: float | None = typer.Option(
        None, help="Email Activity requests per minute (default: DGOPS_MAIL_ACTIVITY_PER_MINUTE)."
    ),
    max_wait: float | None = typer.Option(
        None, help="Longest wait for Activity's rate limit (default: DGOPS_MAIL_ACTIVITY_MAX_WAIT)."
    ),
) -> None:
    """Settle uncertain (`sending`) messages through SendGrid's Email Activity API."""
    cycle_id = _cycle_id(cycle)
    overrides: dict[str, object] = {}
    if lag is not None:
        overrides["activity_lag"] = lag
    if no_activity:
        overrides["activity_api"] = False
    if batch_size is not None:
        overrides["activity_batch"] = batch_size
    if per_minute is not None:
        overrides["activity_per_minute"] = per_minute
    if max_wait is not None:
        overrides["activity_max_wait"] = max_wait
    try:
        config = MailConfig.from_settings(None, **overrides)
    except ValueError as exc:
        fail(str(exc))
    report = reconcile(database(), config, cycle_id=cycle_id, actor=actor())
    if not report.results:
        console.print("ไม่มีข้อความที่สถานะไม่แน่นอน (no uncertain messages)")
    for row_id, outcome, detail in report:
        console.print(f"#{row_id}: {outcome} {detail}", highlight=False)
    if report.results:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items()))
        console.print(f"สรุป (one line per message): {counts}", highlight=False)
    if report.retry_after is not None:
        console.print(
            f"SendGrid จำกัดจำนวนการตรวจสอบ: สั่ง `dgops mail reconcile --cycle {cycle}` ใหม่"
            f"ในอีก {ceil(report.retry_after)} วินาที "
            f"(Email Activity rate limit: retry in {ceil(report.retry_after)} s)",
            highlight=False,
            soft_wrap=True,
        )
    if report.decide_after is not None:
        console.print(
            f"บางข้อความเพิ่งส่ง ยังตัดสินไม่ได้: สั่งใหม่ในอีก {ceil(report.decide_after)} วินาที "
            f"(too recent to decide: retry in {ceil(report.decide_after)} s)",
            highlight=False,
            soft_wrap=True,
        )


@app.command("release")
def release_cmd(
    id: int = typer.Option(..., "--id", help="Ledger id of a held or failed message."),
    decision: str = typer.Option(..., help="'sent' (it did go out) or 'resend' (send it again)."),
    message_id: str | None = typer.Option(None, help="SendGrid message id, when known (sent)."),
    note: str = typer.Option("", help="Why (kept in the audit trail)."),
) -> None:
    """An operator's decision on a held message: mark it sent, or allow it to be sent again."""
    try:
        with database().begin() as session:
            msg = release(
                session, id, decision=decision, actor=actor(), sg_message_id=message_id, note=note
            )
            console.print(f"#{msg.id} → {msg.status.value}")
    except MailOpsError as exc:
        fail(str(exc))


@app.command("corrections")
def corrections_cmd(
    all_: bool = typer.Option(False, "--all", help="Include resolved addresses."),
    resolve: str | None = typer.Option(None, help="Mark this address as corrected."),
) -> None:
    """Addresses that bounced or were dropped: fix the contacts before the next send."""
    with database().begin() as session:
        if resolve:
            try:
                resolve_correction(session, resolve, actor=actor())
            except MailOpsError as exc:
                fail(str(exc))
            console.print(f"{resolve}: resolved")
            return
        lines = list_corrections(session, include_resolved=all_)
    if not lines:
        console.print("ไม่มีที่อยู่อีเมลที่ต้องแก้ไข (the correction list is empty)")
    for c in lines:
        console.print(
            f"{c.email}  {c.agency_code} {c.agency_name}  {c.event} x{c.occurrences}  "
            f"{c.last_seen:%Y-%m-%d}  {c.status}  {c.reason}",
            highlight=False,
        )


@app.command("sink")
def sink_cmd(
    port: int = typer.Option(8025, help="Port on 127.0.0.1."),
    host: str = typer.Option(
        "127.0.0.1", help="Address to listen on (0.0.0.0 in a container, for other services)."
    ),
    outbox: Path | None = typer.Option(
        None, help="Also write each mail as JSON here (default: <var_dir>/outbox)."
    ),
    no_outbox: bool = typer.Option(False, "--no-outbox", help="Keep mail in memory only."),
    api_key: str | None = typer.Option(None, help="Only accept this bearer key (default: any)."),
    webhook_url: str | None = typer.Option(
        None, help="Post signed processed/delivered events for each accepted mail to this URL."
    ),
    public_key_file: Path | None = typer.Option(
        None, help="Write the event-signing public key here (for the webhook)."
    ),
    activity_lag: float = typer.Option(
        0.0, help="Seconds before a mail shows in Email Activity (SendGrid: minutes)."
    ),
    activity_per_minute: int | None = typer.Option(
        None, help="Email Activity requests allowed per minute (SendGrid: a few); default none."
    ),
    verified_sender: list[str] | None = typer.Option(
        None, help="Accept only these `from` addresses (SendGrid's verified senders)."
    ),
) -> None:
    """A local SendGrid-compatible endpoint (demo and tests); see docs/mail.md."""
    from dgops_devtools import SinkServer

    box = None if no_outbox else (outbox or get_settings().var_dir / "outbox")
    sink = SinkServer(
        host=host,
        port=port,
        api_key=api_key,
        outbox=box,
        activity_lag=activity_lag,
        activity_per_minute=activity_per_minute,
        verified_senders=frozenset(verified_sender) if verified_sender else None,
    )
    sink.state.auto_events_url = webhook_url
    if public_key_file:
        public_key_file.write_text(sink.state.public_key + "\n", encoding="utf-8")
    console.print(f"sink: http://{host}:{port} (set DGOPS_SENDGRID_BASE_URL to it)")
    console.print(f"outbox: {box or '(memory only)'}")
    console.print(f"event webhook public key: {sink.state.public_key}", soft_wrap=True)
    try:
        sink.serve_forever()
    except KeyboardInterrupt:
        console.print("sink stopped")


@app.command("webhook")
def webhook_cmd(
    public_key_file: Path = typer.Option(..., help="File with SendGrid's verification key."),
    port: int = typer.Option(8026, help="Port on 127.0.0.1."),
) -> None:
    """Serve the Event Webhook endpoint (POST /sendgrid/events) on its own."""
    import uvicorn

    key = public_key_file.read_text(encoding="utf-8").strip()
    app_ = create_webhook_app(database(), key)
    uvicorn.run(app_, host="127.0.0.1", port=port, log_level="warning")


COMMANDS = {"mail": app}
