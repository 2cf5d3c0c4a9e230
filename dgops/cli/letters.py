"""`dgops letters`: official letters (preview only; real letters come with `credentials issue`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer
from sqlalchemy import select

from dgops.cli._common import console, database, fail
from dgops.cycles import CycleError, get_cycle
from dgops.letters import build_invitation_context, load_issuer, render_letter
from dgops.registry.models import Agency

app = typer.Typer(help="หนังสือราชการ / official letters.", no_args_is_help=True)


@app.command("preview")
def preview_cmd(
    cycle: int = typer.Option(..., help="Survey year (BE 2566 or CE 2023)."),
    agency: str = typer.Option(..., help="Agency code, e.g. D0001."),
    out: Path | None = typer.Option(None, help="Output file (default invitation-<code>.pdf)."),
    docx: bool = typer.Option(False, "--docx", help="Write an editable DOCX instead of PDF."),
    issuer: Path | None = typer.Option(None, help="Issuer YAML (default: the shipped DGA one)."),
) -> None:
    """Render one agency's invitation as a sample (ตัวอย่าง): no credential, no letter number."""
    fmt: Literal["pdf", "docx"] = "docx" if docx else "pdf"
    with database() as db, db.begin() as session:
        try:
            cyc = get_cycle(session, cycle)
        except CycleError as exc:
            fail(str(exc))
        row = session.scalar(select(Agency).where(Agency.code == agency))
        if row is None:
            fail(f"ไม่พบหน่วยงานรหัส {agency} (unknown agency code)")
        context = build_invitation_context(session, cyc, row, None, load_issuer(issuer))
        data = render_letter(context, fmt=fmt)
    target = out or Path(f"{context.file_stem}.{fmt}")
    target.write_bytes(data)
    console.print(f"ตัวอย่างหนังสือ (sample letter) → {target}")


COMMANDS = {"letters": app}
