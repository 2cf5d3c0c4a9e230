"""Reading operators' tables (XLSX, ODS and CSV) for every importer, and refusing unsafe files.

The one place that opens spreadsheets and text tables; the registry, offline questionnaire and
wide-export importers all read through it, so they accept the same encodings and refuse the
same files. It knows nothing of agencies or questionnaires: it returns rows and cells located
where the operator sees them (sheet, row number, column letter) and raises
:class:`TableError` with a short code; each importer words its own messages.

Typical use::

    problem = xlsx_container_problem(path, ReadLimits())    # zip bombs, macros, legacy .xls
    table = read_table(path, sheet=None)                     # CSV, XLSX or ODS, true rows
    for number, values in table.rows: ...

    with Workbook.open(path) as wb:                          # finer control (XLSX or ODS)
        scan = wb.scan(wb.sheet_names[0])                    # formulas and merged cells
        table = wb.table(wb.sheet_names[0])                  # values (calamine)

A legacy .xls (BIFF) is refused by the guards (code ``legacy``): calamine reads its values,
but a formula's cached result cannot be told from a typed value there, and a silent cached
value is worse than asking the operator to save the file as .xlsx.
"""

from __future__ import annotations

from pathlib import Path

from dgops.tabular.cells import Cell, CellRange, Row, Table, column_index, column_letter, is_blank
from dgops.tabular.csvfile import CP874, decode_csv, parse_csv, read_csv, sniff_delimiter
from dgops.tabular.errors import TableError
from dgops.tabular.guards import (
    ReadLimits,
    looks_like_text,
    workbook_problem,
    xlsx_container_problem,
)
from dgops.tabular.xlsx import SheetInfo, SheetScan, Workbook, scan_sheet_xml

__all__ = [
    "CP874",
    "CSV_SUFFIXES",
    "Cell",
    "CellRange",
    "ReadLimits",
    "Row",
    "SheetInfo",
    "SheetScan",
    "Table",
    "TableError",
    "Workbook",
    "column_index",
    "column_letter",
    "decode_csv",
    "is_blank",
    "looks_like_text",
    "parse_csv",
    "read_csv",
    "read_table",
    "scan_sheet_xml",
    "sniff_delimiter",
    "workbook_problem",
    "xlsx_container_problem",
]

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
"""File suffixes read as CSV text; anything else is read as a workbook (XLSX or ODS)."""


def read_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    delimiter: str | None = None,
    strict: bool = True,
) -> Table:
    """Every row of a CSV file, or of one sheet of a workbook (``sheet``; default the one
    visible sheet with values, see :meth:`Workbook.choose_sheet`), with number formats.

    CSV files are decoded by :func:`decode_csv` and parsed by :func:`parse_csv` (``delimiter``
    None sniffs it; ``strict`` refuses broken quoting). Raises :class:`TableError`. Run the
    guards (:func:`xlsx_container_problem`, a size check) first: this only reads.
    """
    path = Path(path)
    if path.suffix.lower() in CSV_SUFFIXES:
        return read_csv(path.read_bytes(), file=path.name, delimiter=delimiter, strict=strict)
    with Workbook.open(path) as workbook:
        # The one visible sheet with values (never a hidden one unless named), with its number
        # formats so that a cell shown as 85 % can be read as shown.
        chosen = workbook.choose_sheet(sheet)
        return workbook.table(chosen, workbook.scan(chosen))
