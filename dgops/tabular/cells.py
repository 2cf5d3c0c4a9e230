"""Cells and tables as read from a file, located where the operator sees them.

A :class:`Table` keeps the values of each row as a plain sequence (importers read tens of
thousands of rows, and a Python object per cell would cost more than the checks); a
:class:`Cell` is built when something needs a value with its coordinates (an error to report,
a formula, a number format).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Cell", "CellRange", "Row", "SheetScan", "Table", "column_index", "column_letter"]

Row = tuple[int, Sequence[Any]]
"""``(row number, cell values)``: the 1-based row number as shown by a spreadsheet program,
and the values from column A onwards (short rows are not padded)."""


def column_letter(index: int) -> str:
    """The letter of the 0-based column ``index``: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letter: str) -> int:
    """The 0-based index of column ``letter``: A → 0, Z → 25, AA → 26."""
    index = 0
    for char in letter.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: where it is (sheet, row, column letter), what it holds, and how it is shown.

    ``value`` is the raw value: text, a number, a bool, a date/time, or None when empty; for a
    formula it is the formula text (``=SUM(A1:A3)``; None for a shared formula's copies, whose
    text lives in another cell), as written, never its computed result. ``number_format`` is
    the cell's Excel number format when the reader knows it (``General`` otherwise).
    """

    sheet: str | None
    row: int
    column: str
    value: Any = None
    is_formula: bool = False
    number_format: str = "General"

    @property
    def ref(self) -> str:
        """The cell reference, e.g. ``D12``."""
        return f"{self.column}{self.row}"

    @property
    def formula(self) -> str | None:
        """The formula text (``=...``) of a formula cell, else None."""
        return None if not self.is_formula else "" if self.value is None else str(self.value)

    @property
    def shown(self) -> Any:
        """The value as the person saw it: a number formatted as a percentage (0.85 shown as
        85%) is 85; anything else is the raw value."""
        value = self.value
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and "%" in self.number_format
        ):
            return round(value * 100, 10)
        return value


@dataclass(frozen=True, slots=True)
class CellRange:
    """A rectangle of cells such as a merged area: ``first`` (``A1``) to ``last`` (``B2``),
    or a single cell when ``last`` is None."""

    sheet: str | None
    row: int
    column: str
    last: str | None = None

    @property
    def ref(self) -> str:
        """``A1:B2`` (or ``A1`` for a single cell)."""
        first = f"{self.column}{self.row}"
        return f"{first}:{self.last}" if self.last else first


@dataclass(frozen=True, slots=True)
class SheetScan:
    """What a scan of one sheet's XML found.

    ``has_cells`` is False for a sheet without cell data (a chartsheet); ``merged`` lists the
    merged areas and ``formulas`` the formula cells (value: ``=`` and the formula text, or
    None for a shared formula's copies), both in file order. ``formats`` maps ``(row number,
    0-based column)`` of each number whose format is not ``General`` to that format.
    """

    sheet: str
    has_cells: bool
    merged: tuple[CellRange, ...] = ()
    formulas: tuple[Cell, ...] = ()
    formats: Mapping[tuple[int, int], str] = field(default_factory=dict)


@dataclass(slots=True)
class Table:
    """The rows of one sheet (or one CSV file), each with its true row number.

    ``file`` is the file name used in messages; ``sheet`` the sheet's name (None for a CSV);
    ``encoding`` and ``delimiter`` say how a CSV was decoded (None for a workbook);
    ``formats`` maps ``(row number, 0-based column)`` of a workbook's numbers to their number
    format when it is not ``General`` (a percentage, zero-padded digits), so a value can be
    read as it was shown (:attr:`Cell.shown`).
    """

    file: str
    sheet: str | None
    rows: list[Row] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    formats: dict[tuple[int, int], str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def cell(self, row: int, index: int) -> Cell:
        """The cell at row number ``row`` and 0-based column ``index`` (empty when absent),
        with its number format when the table knows it."""
        fmt = self.formats.get((row, index), "General")
        for number, values in self.rows:
            if number == row:
                value = values[index] if index < len(values) else None
                return Cell(self.sheet, row, column_letter(index), value, number_format=fmt)
        return Cell(self.sheet, row, column_letter(index), number_format=fmt)

    def format_of(self, row: int, index: int) -> str:
        """The number format of the number at row ``row``, 0-based column ``index``
        (``General`` when unknown or not a number)."""
        return self.formats.get((row, index), "General")

    def first_filled(self) -> int | None:
        """The position in :attr:`rows` of the first row with a non-blank cell, or None."""
        for position, (_, values) in enumerate(self.rows):
            if not is_blank(values):
                return position
        return None


def is_blank(values: Sequence[Any]) -> bool:
    """Whether every value is None or text of only whitespace."""
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)
