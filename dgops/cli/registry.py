"""`dgops registry`: import, export and inspect the agency registry."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import select

from dgops.cli._common import actor, console, database, err_console, fail, progress
from dgops.cycles import CycleError, get_cycle
from dgops.registry import (
    DEACTIVATE_SHARE,
    ImportReport,
    RegistryError,
    RegistryIssue,
    export_registry,
    import_registry,
    load_records,
)
from dgops.registry import reference as ref
from dgops.registry.models import Agency, AgencyLevel, CycleAgency
from dgops.tabular import ReadLimits

app = typer.Typer(
    help="The agency registry (ทะเบียนหน่วยงาน): import, export and show.",
    no_args_is_help=True,
)
COMMANDS = {"registry": app}


def _issue_table(issues: Sequence[RegistryIssue]) -> Table:
    table = Table(title="ปัญหาในไฟล์ทะเบียน / registry issues", show_lines=False)
    for name in ("severity", "file", "sheet", "row", "column", "message"):
        table.add_column(name, overflow="fold")
    for i in issues:
        column = f"{i.column} ({i.header or i.field})" if i.column else (i.header or i.field or "")
        table.add_row(
            i.severity.value,
            i.file,
            i.sheet or "",
            "" if i.row is None else str(i.row),
            column,
            f"{i.message_th}\n{i.message_en}",
        )
    return table


def _print_report(report: ImportReport, verbose: bool) -> None:
    console.print(report.summary())
    if verbose:
        for code in report.added:
            console.print(f"  + {code}")
        for change in report.changed:
            fields = ", ".join(
                f"{k}: {old!r} → {new!r}" for k, (old, new) in change.changes.items()
            )
            console.print(f"  ~ {change.code}: {fields}")
        for code in report.deactivated:
            console.print(f"  - {code}")


@app.command("import")
def import_cmd(
    file: Path = typer.Argument(
        ..., help="Registry file (.xlsx or .csv: UTF-8, UTF-8 BOM, TIS-620/Windows-874)."
    ),
    cycle: int = typer.Option(..., "--cycle", help="Survey year (Buddhist era 2566, or 2023)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Validate and show what would change; write nothing."
    ),
    sheet: str | None = typer.Option(
        None,
        help="Sheet to read (default: the one named like 'registry'/'ทะเบียน', else the first).",
    ),
    max_mb: int = typer.Option(20, help="Largest file accepted, in MB."),
    allow_deactivate: int = typer.Option(
        0,
        "--allow-deactivate",
        metavar="N",
        help="Allow up to N agencies to be deactivated when that is more than"
        " --max-deactivate-share of the active agencies (the refusal names them).",
    ),
    max_deactivate_share: float = typer.Option(
        DEACTIVATE_SHARE,
        "--max-deactivate-share",
        min=0.0,
        max=1.0,
        help="Largest share of the active agencies one import deactivates without"
        " --allow-deactivate.",
    ),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="List every agency changed."),
) -> None:
    """Import the full registry of a cycle (all or nothing; every issue listed at once).

    Agencies not in the file are deactivated and leave the cycle; active agencies in the file
    are enrolled. Exit code 1 when the file has errors.
    """
    limits = ReadLimits(max_bytes=max_mb * 2**20)
    try:
        with database() as db, db.begin() as session, progress("reading", None) as bar:
            task = bar.task_ids[0]
            report = import_registry(
                session,
                file,
                cycle_year=cycle,
                actor=actor(),
                dry_run=dry_run,
                sheet=sheet,
                limits=limits,
                on_progress=lambda n: bar.update(task, completed=n),
                allow_deactivate=allow_deactivate,
                max_deactivate_share=max_deactivate_share,
            )
    except RegistryError as exc:
        err_console.print(_issue_table(exc.issues))
        fail(
            f"{len(exc.errors)} error(s) in {file.name}; nothing was imported "
            f"(พบข้อผิดพลาด {len(exc.errors)} รายการ ไม่มีการนำเข้าข้อมูล)"
        )
    # What the reader decided (which sheet, hidden sheets skipped, title rows, encoding) is
    # always shown: an operator must see which sheet the registry came from.
    console.print(
        f"อ่านไฟล์ {report.source}"
        + (f" แผ่นงาน {report.sheet}" if report.sheet else "")
        + f" / read {report.source}"
        + (f", sheet {report.sheet}" if report.sheet else "")
    )
    if report.issues:
        console.print(_issue_table(report.issues))
    _print_report(report, verbose)


@app.command("export")
def export_cmd(
    file: Path = typer.Argument(
        ..., help="Where to write (.xlsx formatted for editing, or .csv in UTF-8 with BOM)."
    ),
    cycle: int | None = typer.Option(None, "--cycle", help="Only agencies enrolled in this cycle."),
    english_headers: bool = typer.Option(
        False, "--english-headers", help="Write field names instead of Thai headers."
    ),
) -> None:
    """Export the registry for operators to edit; it imports back unchanged."""
    try:
        with database() as db, db.begin() as session:
            count = export_registry(
                session, file, cycle_year=cycle, headers="en" if english_headers else "th"
            )
    except CycleError as exc:
        fail(str(exc))
    console.print(f"wrote {count} agencies to {file}")


@app.command("show")
def show_cmd(
    cycle: int | None = typer.Option(None, "--cycle", help="Only agencies enrolled in this cycle."),
    level: AgencyLevel | None = typer.Option(None, "--level", help="Only this level."),
    code: str | None = typer.Option(None, "--code", help="Show one agency with its contacts."),
    limit: int = typer.Option(50, help="Most agencies listed in the table."),
) -> None:
    """Counts by level, type, mission and province, and a table of agencies (or one agency)."""
    try:
        with database() as db, db.begin() as session:
            records = load_records(session, cycle_year=cycle)
            enrolled = None
            if cycle is not None:
                cyc = get_cycle(session, cycle)
                enrolled = set(
                    session.scalars(
                        select(Agency.code)
                        .join(CycleAgency, CycleAgency.agency_id == Agency.id)
                        .where(CycleAgency.cycle_id == cyc.id)
                    )
                )
    except CycleError as exc:
        fail(str(exc))
    if level is not None:
        records = [r for r in records if r.level is level]
    if code is not None:
        record = next((r for r in records if r.code == code), None)
        if record is None:
            fail(f"no agency with code {code}")
        table = Table(title=f"{record.code} {record.name_th}", show_header=False)
        for label, value in (
            ("name_en", record.name_en),
            ("level", ref.LEVEL_LABELS_TH[record.level]),
            ("agency_type", ref.TYPE_LABELS_TH[record.agency_type] if record.agency_type else None),
            ("mission", ref.MISSION_LABELS_TH[record.mission] if record.mission else None),
            ("ministry", record.ministry),
            ("province", record.province),
            ("parent_code", record.parent_code),
            ("active", "ใช้งาน" if record.active else "ยกเลิก"),
            ("enrolled", None if enrolled is None else str(record.code in enrolled)),
        ):
            table.add_row(label, value or "")
        for c in record.contacts:
            table.add_row(
                ref.ROLE_LABELS_TH[c.role],
                " · ".join(x for x in (c.name, c.title, c.email, c.phone) if x),
            )
        console.print(table)
        return
    console.print(f"{len(records)} agencies ({sum(r.active for r in records)} active)")
    groups: dict[str, list[str]] = {
        "level": [ref.LEVEL_LABELS_TH[r.level] for r in records],
        "type": [ref.TYPE_LABELS_TH[r.agency_type] if r.agency_type else "-" for r in records],
        "mission": [ref.MISSION_LABELS_TH[r.mission] if r.mission else "-" for r in records],
        "province": [r.province or "-" for r in records],
    }
    for title, values in groups.items():
        counts = Counter(values)
        table = Table(title=f"by {title}")
        table.add_column(title)
        table.add_column("count", justify="right")
        for name, n in counts.most_common(20 if title == "province" else None):
            table.add_row(name, str(n))
        console.print(table)
    table = Table(title=f"agencies (first {min(limit, len(records))})")
    for name in ("code", "name_th", "level", "province", "active"):
        table.add_column(name)
    for r in records[:limit]:
        table.add_row(
            r.code, r.name_th, r.level.value, r.province or "", "ใช้งาน" if r.active else "ยกเลิก"
        )
    console.print(table)
