"""`dgops privacy`: PDPA retention purge and data-subject access exports (docs/privacy.md)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer

from dgops.cli._common import actor, console, database, fail
from dgops.cycles import CycleError
from dgops.settings import get_settings

app = typer.Typer(
    help="ข้อมูลส่วนบุคคล (PDPA): ลบเมื่อพ้นระยะเก็บรักษา, ส่งออกให้เจ้าของข้อมูล / personal data.",
    no_args_is_help=True,
)

LABELS = {
    "contact": "ผู้ติดต่อ (ชื่อ อีเมล โทรศัพท์)",
    "mail_message": "อีเมลในสมุดส่ง (ผู้รับ)",
    "mail_recipient": "ผลการส่งรายผู้รับ",
    "mail_event": "เหตุการณ์จาก SendGrid",
    "mail_correction": "รายการอีเมลตีกลับ",
    "evidence_file": "ไฟล์หลักฐาน (ชื่อไฟล์)",
    "evidence_bytes": "ไฟล์หลักฐานบนดิสก์",
}


@app.command("purge")
def purge_cmd(
    cycle: int = typer.Option(..., "--cycle", help="Survey year (พ.ศ.)."),
    before: dt.datetime = typer.Option(
        ...,
        formats=["%Y-%m-%d"],
        help="Remove data collected before this day (YYYY-MM-DD, Gregorian); must be outside "
        "the retention period (DGOPS_PRIVACY_RETENTION_DAYS).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only say what would be removed."),
) -> None:
    """Remove a cycle's personal data past the retention period; keep pseudonymised rows."""
    from dgops.privacy import PrivacyError, purge_personal_data
    from dgops.responses import EvidenceStorage

    settings = get_settings()
    try:
        with database() as db:
            report = purge_personal_data(
                db,
                cycle,
                before.date(),
                actor=actor(),
                storage=EvidenceStorage(settings.var_dir / "evidence"),
                retention_days=settings.privacy_retention_days,
                key=settings.privacy_key.get_secret_value(),
                dry_run=dry_run,
            )
    except (PrivacyError, CycleError) as exc:
        fail(str(exc))
    head = "จะลบ (ทดลอง ไม่มีการเปลี่ยนแปลง)" if dry_run else "ลบแล้ว"
    console.print(f"รอบสำรวจ {report.cycle_year}: ข้อมูลก่อน {before.date().isoformat()} — {head}")
    for table, n in report.counts.items():
        console.print(f"  {LABELS.get(table, table)}: {n:,}")
    if not dry_run:
        console.print(f"  ไฟล์ที่ลบจากดิสก์: {report.files_deleted:,}")
    if report.total == 0:
        console.print("ไม่มีข้อมูลที่ต้องลบแล้ว (nothing left to purge)")


@app.command("export")
def export_cmd(
    agency: str = typer.Option(..., "--agency", help="Agency code."),
    out: Path | None = typer.Option(
        None, "--out", help="File to write (.json or .xlsx); default: JSON on standard output."
    ),
) -> None:
    """Everything stored about an agency's people (data-subject access), as JSON or XLSX."""
    from dgops.privacy import PrivacyError, export_agency_data, export_bytes, format_of

    try:
        with database() as db, db.begin() as session:
            data = export_agency_data(session, agency)
        content = export_bytes(data, format_of(out))
    except PrivacyError as exc:
        fail(str(exc))
    if out is None:
        sys.stdout.write(content.decode("utf-8") + "\n")
        return
    out.write_bytes(content)
    rows = sum(len(v) for v in data.values() if isinstance(v, list))
    console.print(f"ส่งออกข้อมูลของ {data['agency']['code']}: {rows:,} รายการ → {out}")


COMMANDS = {"privacy": app}
