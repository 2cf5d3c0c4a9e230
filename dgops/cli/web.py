"""`dgops web`: serve the agency portal; `dgops web reset-password`: e-mail a new code."""

from __future__ import annotations

import typer

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
