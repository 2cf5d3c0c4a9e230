"""`dgops credentials`: issue and reissue portal logins; the codes go only into the letters."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.cli._common import actor, console, database, fail
from dgops.credentials import issue_credentials
from dgops.cycles import CycleError, get_cycle
from dgops.cycles.models import SurveyCycle
from dgops.letters import build_invitation_contexts, load_issuer, render_letters
from dgops.registry.models import Agency, CycleAgency

app = typer.Typer(help="รหัสเข้าระบบ / portal credentials.", no_args_is_help=True)


def _agencies(session: Session, cycle: SurveyCycle, codes: list[str]) -> list[Agency]:
    if codes:
        rows = list(session.scalars(select(Agency).where(Agency.code.in_(codes))))
        unknown = sorted(set(codes) - {a.code for a in rows})
        if unknown:
            fail(f"ไม่พบหน่วยงาน (unknown agency codes): {', '.join(unknown)}")
        return sorted(rows, key=lambda a: a.code)
    rows = list(
        session.scalars(
            select(Agency)
            .join(CycleAgency, CycleAgency.agency_id == Agency.id)
            .where(CycleAgency.cycle_id == cycle.id, Agency.active.is_(True))
            .order_by(Agency.code)
        )
    )
    if not rows:
        fail(f"ไม่มีหน่วยงานในรอบสำรวจ {cycle.year_be} (no agencies enrolled in the cycle)")
    return rows


def _run(
    year: int, codes: list[str], out: Path, *, reissue: bool, docx: bool, show_code: bool
) -> None:
    with database() as db, db.begin() as session:
        try:
            cycle = get_cycle(session, year)
        except CycleError as exc:
            fail(str(exc))
        agencies = _agencies(session, cycle, codes)
        report = issue_credentials(session, cycle, agencies, actor=actor(), reissue=reissue)
        contexts = build_invitation_contexts(session, cycle, agencies, report.issued, load_issuer())
        # Render inside the transaction: if a letter fails, no code is issued without its letter.
        rendered = render_letters(contexts, out, fmt="docx" if docx else "pdf")
        console.print(
            f"ออกรหัส {len(report.issued)} หน่วยงาน, ข้าม {report.skipped} (มีรหัสที่ยังใช้ได้), "
            f"ยกเลิกรหัสเดิม {report.revoked} | issued {len(report.issued)} "
            f"({report.rate:.1f}/s), skipped {report.skipped}, revoked {report.revoked}; "
            f"{len(rendered.paths)} letters in {out} ({rendered.rate:.1f}/s)"
        )
        if show_code and report.issued:
            only = report.issued[0]
            console.print(f"{only.username}  {only.code.reveal()}", highlight=False)


@app.command("issue")
def issue_cmd(
    cycle: int = typer.Option(..., help="Survey year (BE 2566 or CE 2023)."),
    agency: list[str] = typer.Option([], help="Agency codes (default: every enrolled agency)."),
    out: Path = typer.Option(..., help="Folder for the invitation letters that carry the codes."),
    docx: bool = typer.Option(False, "--docx", help="Editable DOCX letters instead of PDF."),
) -> None:
    """Issue usernames and activation codes to agencies without a live code, with letters."""
    _run(cycle, agency, out, reissue=False, docx=docx, show_code=False)


@app.command("reissue")
def reissue_cmd(
    cycle: int = typer.Option(..., help="Survey year (BE 2566 or CE 2023)."),
    agency: list[str] = typer.Option(..., help="Agency codes whose codes are replaced."),
    out: Path = typer.Option(..., help="Folder for the new letters."),
    docx: bool = typer.Option(False, "--docx", help="Editable DOCX letters instead of PDF."),
    show_code: bool = typer.Option(
        False,
        "--show-code",
        help="Print the new code once, for one agency only, to read out over the phone.",
    ),
) -> None:
    """Revoke the agencies' codes and issue new ones (also unlocks locked accounts)."""
    if show_code and len(agency) != 1:
        fail("--show-code ใช้ได้กับหน่วยงานเดียวเท่านั้น (only with exactly one --agency)")
    _run(cycle, agency, out, reissue=True, docx=docx, show_code=show_code)


COMMANDS = {"credentials": app}
