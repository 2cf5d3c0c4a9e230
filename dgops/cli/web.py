"""`dgops web`: serve the agency portal; `dgops web reset-password`: e-mail a new code;
`dgops web throttled`: who must wait before signing in again, and clearing it."""

from __future__ import annotations

import datetime as dt

import typer
from rich.table import Table

from dgops.cli._common import actor, console, database, fail

app = typer.Typer(
    help="เว็บไซต์สำหรับหน่วยงานตอบแบบสำรวจ / the agency portal.",
    invoke_without_command=True,
)


@app.callback()
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes (uvicorn)."),
) -> None:
    """Serve the portal with uvicorn (``dgops web --host 127.0.0.1 --port 8000``).

    Behind a TLS proxy set ``DGOPS_WEB_TRUSTED_PROXIES='["127.0.0.1"]'`` so that
    X-Forwarded-Proto/For are believed (Secure cookies, real client addresses for throttling).
    """
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    # Proxy headers are handled inside the app (only from DGOPS_WEB_TRUSTED_PROXIES).
    uvicorn.run(
        "dgops.web.server:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        server_header=False,
        access_log=False,
        log_level="info",
    )


@app.command("reset-password")
def reset_password_cmd(
    cycle: int = typer.Option(..., help="Survey year (BE 2566 or CE 2023)."),
    agency: list[str] = typer.Option(..., help="Agency code(s) whose password is reset."),
) -> None:
    """Revoke the password and sessions, e-mail a one-time reset link to the coordinators."""
    import datetime as dt

    from dgops.cycles import CycleError
    from dgops.mail import MailConfig
    from dgops.settings import get_settings
    from dgops.web import ResetError, reset_passwords

    settings = get_settings()
    try:
        with database() as db:
            report = reset_passwords(
                db,
                cycle,
                agency,
                actor=actor(),
                mail_config=MailConfig.from_settings(settings),
                portal_url=settings.portal_url,
                ttl=dt.timedelta(minutes=settings.password_reset_ttl_minutes),
            )
    except (ResetError, CycleError) as exc:
        fail(str(exc))
    delivered = report.delivered
    console.print(
        f"ตั้งรหัสใหม่ {len(report.agencies)} หน่วยงาน, ปิดเซสชัน {report.sessions_revoked}, "
        f"ส่งอีเมลสำเร็จ {len(delivered)} | reset {len(report.agencies)}, "
        f"e-mail accepted {len(delivered)}: {report.send.counts}"
    )
    for problem in report.send.problems:
        console.print(f"[yellow]{problem}[/]", highlight=False)
    failed = sorted(set(report.agencies) - set(delivered))
    if failed:
        fail(
            "ส่งอีเมลไม่สำเร็จ ให้ตรวจ `dgops mail status` แล้วสั่งตั้งรหัสใหม่อีกครั้ง "
            f"(e-mail not accepted): {', '.join(failed)}"
        )


COMMANDS = {"web": app}


@app.command("throttled")
def throttled_cmd(
    clear: str | None = typer.Option(
        None, "--clear", help="Let this username or client address sign in again at once."
    ),
    clear_all: bool = typer.Option(False, "--clear-all", help="Clear every wait and old lock."),
) -> None:
    """List who must wait before signing in again (and accounts under an old lock); clear."""
    from dgops.thai import to_local
    from dgops.web import WebConfig, clear_throttle, throttled

    db = database()
    if clear is not None or clear_all:
        with db.begin() as session:
            count = clear_throttle(session, None if clear_all else clear, actor=actor())
        console.print(f"ล้างการหน่วงเวลา/การล็อก {count} รายการ | cleared {count}")
        return
    config = WebConfig()
    with db.begin() as session:
        entries = throttled(session, now=dt.datetime.now(dt.UTC), config=config)
    if not entries:
        console.print("ไม่มีบัญชีหรือที่อยู่ที่ต้องรอ | nothing is throttled")
        return
    table = Table("ประเภท / kind", "ใคร / who", "ครั้งที่ผิด / failures", "ผิดล่าสุด", "รอถึง")
    for e in entries:
        last = to_local(e.last_failure).strftime("%Y-%m-%d %H:%M") if e.last_failure else "-"
        until = to_local(e.wait_until).strftime("%H:%M:%S") if e.wait_until else "-"
        table.add_row(e.kind, e.who, str(e.failures), last, until)
    console.print(table)
    console.print(
        "ล้างด้วย `dgops web throttled --clear <ชื่อผู้ใช้หรือที่อยู่>` (บัญชีที่ถูกล็อกตามกฎเดิมจะถูกปลดล็อกด้วย)"
    )
