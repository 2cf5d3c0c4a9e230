"""XLSX workbooks: sheet names, cell values, and the cells importers must refuse.

Two engines, one interface. Values of a whole sheet come from calamine (Rust, about ten times
faster than openpyxl); formulas and merged cells, which calamine does not report, are found by
scanning the sheet's XML (:meth:`Workbook.scan`). When cell-level detail is needed (a formula's
text in a given cell, number formats), :meth:`Workbook.cells` reads rows of cells through
openpyxl's read-only mode. Callers check the container first
(:func:`dgops.tabular.xlsx_container_problem`): nothing here guards against zip bombs.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from xml.etree import ElementTree as ET

from dgops.tabular.cells import Cell, CellRange, Table, column_letter
from dgops.tabular.errors import TableError

__all__ = ["SheetScan", "Workbook"]

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+\d+))?"')
_FORMULA = re.compile(
    rb'<(?:\w+:)?c\s+r="([A-Z]+)(\d+)"[^>]*>\s*<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>([^<]*)<)'
)


@dataclass(frozen=True, slots=True)
class SheetScan:
    """What a scan of one sheet's XML found.

    ``has_cells`` is False for a sheet without cell data (a chartsheet); ``merged`` lists the
    merged areas and ``formulas`` the formula cells (value: ``=`` and the formula text, or
    None for a shared formula's copies), both in file order.
    """

    sheet: str
    has_cells: bool
    merged: tuple[CellRange, ...] = ()
    formulas: tuple[Cell, ...] = ()


def _may_have_formulas(xml: bytes) -> bool:
    """A cheap pre-check before the full formula scan: False only when no cell can hold a
    formula (no ``<f`` tag before the end of the cell data, in a sheet without a namespace
    prefix); the common case of a plain sheet is decided without running the regex."""
    if xml.find(b"<sheetData") < 0:
        return True  # prefixed tags (<x:sheetData>): let the regex decide
    return xml.find(b"<f", 0, xml.rfind(b"sheetData>")) >= 0


def _parse_part(zf: zipfile.ZipFile, name: str) -> ET.Element:
    data = zf.read(name)
    # OOXML parts never carry a DTD; refusing one rules out entity-expansion attacks.
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise SyntaxError("DTD in a workbook part")
    return ET.fromstring(data)  # noqa: S314 - small part, no DTD, size already capped


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part in the archive (from workbook.xml and its relationships)."""
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in _parse_part(zf, "xl/_rels/workbook.xml.rels").iter(f"{_NS_PKG}Relationship")
    }
    parts: dict[str, str] = {}
    for node in _parse_part(zf, "xl/workbook.xml").iter(f"{_NS_MAIN}sheet"):
        target = targets.get(node.get(f"{_NS_REL}id"), "")
        if target:
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            parts[node.get("name", "")] = path
    return parts


def scan_sheet_xml(sheet: str, xml: bytes) -> SheetScan:
    """Merged areas and formula cells of a worksheet part's XML (see :class:`SheetScan`)."""
    if b"<sheetData" not in xml and b":sheetData" not in xml:  # a chartsheet has no cells
        return SheetScan(sheet, has_cells=False)
    merged = tuple(
        CellRange(
            sheet,
            int(m.group(2)),
            m.group(1).decode(),
            m.group(3).decode() if m.group(3) else None,
        )
        for m in (_MERGE.finditer(xml) if b"mergeCell" in xml else ())
    )
    formulas = []
    for m in _FORMULA.finditer(xml) if _may_have_formulas(xml) else ():
        text = (m.group(3) or b"").decode("utf-8", "replace")
        formulas.append(
            Cell(
                sheet,
                int(m.group(2)),
                m.group(1).decode(),
                ("=" + text) if text else None,
                is_formula=True,
            )
        )
    return SheetScan(sheet, True, merged, tuple(formulas))


class Workbook:
    """An XLSX file opened for reading; use it as a context manager (or call :meth:`close`).

    ``Workbook.open(path)`` reads only the workbook's sheet list. ``cells=True`` also opens the
    file with openpyxl (read-only, formulas as written, external links ignored) for
    :meth:`cells`, and takes the sheet names from it. Opening raises :class:`TableError`
    ``not_workbook`` (its detail says why) when the parts cannot be read.
    """

    def __init__(self, path: Path, sheet_names: list[str], book: Any = None) -> None:
        self.path = path
        self.sheet_names: tuple[str, ...] = tuple(sheet_names)
        self._book = book
        self._parts: dict[str, str] | None = None

    @classmethod
    def open(cls, path: str | Path, *, cells: bool = False) -> Workbook:
        """Open ``path`` (see the class docstring)."""
        path = Path(path)
        if cells:
            from openpyxl import load_workbook

            try:
                book = load_workbook(path, read_only=True, data_only=False, keep_links=False)
            except Exception as exc:  # openpyxl raises many types on damaged files
                raise TableError("not_workbook", str(exc)) from exc
            return cls(path, list(book.sheetnames), book)
        workbook = cls(path, [])
        workbook.sheet_names = tuple(workbook._sheet_parts())
        return workbook

    def __enter__(self) -> Workbook:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the openpyxl workbook, if one was opened."""
        if self._book is not None:
            self._book.close()
            self._book = None

    def _sheet_parts(self) -> dict[str, str]:
        if self._parts is None:
            try:
                with zipfile.ZipFile(self.path) as zf:
                    self._parts = _sheet_parts(zf)
            except (KeyError, zipfile.BadZipFile, SyntaxError, OSError) as exc:
                raise TableError("not_workbook", str(exc)) from exc
        return self._parts

    def _require(self, sheet: str) -> None:
        if sheet not in self.sheet_names:
            raise TableError("sheet_missing", ", ".join(self.sheet_names))

    def scan(self, sheet: str) -> SheetScan:
        """Merged areas and formula cells of ``sheet`` (a scan of its XML, no values read).

        Raises :class:`TableError` ``sheet_missing`` or ``not_workbook``.
        """
        self._require(sheet)
        try:
            with zipfile.ZipFile(self.path) as zf:
                xml = zf.read(self._sheet_parts()[sheet])
        except (KeyError, zipfile.BadZipFile, OSError) as exc:
            raise TableError("not_workbook", str(exc)) from exc
        return scan_sheet_xml(sheet, xml)

    def table(self, sheet: str) -> Table:
        """Every row of ``sheet`` from row 1 (empty rows included, so row numbers are true),
        values as calamine gives them: text, float/int, bool, date/time, or ``""`` when empty.

        Raises :class:`TableError` ``sheet_missing``, or ``unreadable`` (detail: calamine's
        error type) on damaged parts.
        """
        self._require(sheet)
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_path(str(self.path))
            values = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises its own error types on damaged parts
            raise TableError("unreadable", type(exc).__name__) from exc
        return Table(self.path.name, sheet, list(enumerate(values, start=1)))

    def cells(
        self,
        sheet: str,
        *,
        min_row: int = 1,
        max_row: int | None = None,
        max_col: int | None = None,
    ) -> Iterator[tuple[int, tuple[Cell, ...]]]:
        """``(row number, cells)`` of every row of ``sheet`` from ``min_row``, the cells with
        their coordinates, formulas and (for numbers) number formats. Needs
        ``Workbook.open(path, cells=True)``.

        Rows come in order, one per row number (an empty row as empty cells, or no cells when
        ``max_col`` is None); a row may be shorter than ``max_col``.
        """
        if self._book is None:
            raise RuntimeError("Workbook.cells needs Workbook.open(path, cells=True)")
        self._require(sheet)
        rows = self._book[sheet].iter_rows(min_row=min_row, max_row=max_row, max_col=max_col)
        for number, row in enumerate(rows, start=min_row):
            yield number, tuple(_cell(sheet, number, i, c) for i, c in enumerate(row))


def _cell(sheet: str, row: int, index: int, source: Any) -> Cell:
    value = source.value
    if getattr(source, "data_type", None) == "f":
        return Cell(sheet, row, column_letter(index), value, is_formula=True)
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Only numbers are shown through their format; reading it costs a style lookup.
        fmt = getattr(source, "number_format", "") or "General"
        return Cell(sheet, row, column_letter(index), value, number_format=fmt)
    return Cell(sheet, row, column_letter(index), value)
