"""OpenDocument spreadsheets (.ods): what calamine's values do not say, read from the XML.

calamine reads an .ods file's values and sheet visibility, but not which cells are formulas
(it gives their last computed result), which are merged, or how a number is formatted. Those
come from ``content.xml`` (and the number styles of ``styles.xml``), read once by expat, a
streaming XML parser, with the same guarantees as :func:`dgops.tabular.scan_sheet_xml` for
XLSX: a document type declaration is refused (no entity expansion), and every position is the
true one a spreadsheet shows, counting ``table:number-columns-repeated`` and
``table:number-rows-repeated`` (LibreOffice writes an empty area as one repeated cell).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from dgops.tabular.cells import Cell, CellRange, SheetScan, column_letter
from dgops.tabular.errors import TableError

__all__ = ["ODS_MIMETYPE", "OdsScan", "scan_ods"]

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
"""The ``mimetype`` entry of an .ods zip (also of a template, which ends in ``-template``)."""

# Element and attribute names as expat reports them with namespace_separator="}".
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_NUMBER = "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0}"
_SHEET, _ROW, _COLUMN = (f"{_TABLE}{t}" for t in ("table", "table-row", "table-column"))
_CELL, _COVERED = f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"
_NAME, _STYLE_NAME, _FORMULA = (f"{_TABLE}{t}" for t in ("name", "style-name", "formula"))
_ROWS_REPEATED, _COLS_REPEATED = f"{_TABLE}number-rows-repeated", f"{_TABLE}number-columns-repeated"
_ROWS_SPANNED, _COLS_SPANNED = f"{_TABLE}number-rows-spanned", f"{_TABLE}number-columns-spanned"
_DEFAULT_CELL_STYLE = f"{_TABLE}default-cell-style-name"
_VALUE_TYPE = f"{_OFFICE}value-type"
_CELL_STYLE, _DATA_STYLE = f"{_STYLE}style", f"{_STYLE}data-style-name"
_STYLE_KEY, _PARENT, _FAMILY = f"{_STYLE}name", f"{_STYLE}parent-style-name", f"{_STYLE}family"
_NUMBER_STYLE, _PERCENT_STYLE = f"{_NUMBER}number-style", f"{_NUMBER}percentage-style"
_NUMBER_PART = f"{_NUMBER}number"

MAX_EXPANDED_CELLS = 2_000_000
"""Most non-empty cells a sheet may expand to through repeat counts (a repeated-cell bomb:
one cell repeated a million times in a million rows is a few bytes of XML)."""


@dataclass(slots=True)
class OdsScan:
    """What one pass over an .ods file's XML found: a :class:`SheetScan` per sheet (in file
    order) and whether each sheet holds at least one value."""

    sheets: dict[str, SheetScan] = field(default_factory=dict)
    filled: dict[str, bool] = field(default_factory=dict)


def _parser() -> Any:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _doctype
    parser.buffer_text = True
    return parser


def _doctype(*_: Any) -> None:
    # ODF parts never carry a DTD; refusing one rules out entity-expansion attacks.
    raise ValueError("DTD in a workbook part")


def scan_ods(content: bytes, styles: bytes = b"") -> OdsScan:
    """Formulas, merged areas and telling number formats of every sheet of an .ods file, from
    its ``content.xml`` (``content``) and ``styles.xml`` (``styles``; may be empty).

    A cell with ``table:formula`` is a formula (its text without the ``of:`` namespace, e.g.
    ``=[.D4]*2``); ``table:number-columns-spanned``/``-rows-spanned`` make a merged area; a
    ``percentage`` value is formatted ``0%``; a number whose data style pads the integer part
    with zeros (``number:min-integer-digits`` over 1, no decimals) is formatted ``00000``.
    Raises :class:`TableError` ``not_workbook`` on XML that does not parse (or a DTD), and
    ``unreadable`` when repeat counts expand past :data:`MAX_EXPANDED_CELLS`.
    """
    scanner = _OdsScanner()
    try:
        if styles:
            scanner.feed(styles)
        scanner.feed(content)
    except TableError:
        raise
    except (expat.ExpatError, ValueError) as exc:
        raise TableError("not_workbook", f"content.xml: {exc}") from exc
    return scanner.result


class _OdsScanner:
    """The state of the expat passes over styles.xml then content.xml."""

    def __init__(self) -> None:
        self.result = OdsScan()
        # Number styles that change how a number reads, and each cell style's data style.
        self.number_formats: dict[str, str] = {}
        self.cell_styles: dict[str, tuple[str | None, str | None]] = {}  # name → (data, parent)
        self.resolved: dict[str | None, str | None] = {}
        self.number_style: str | None = None
        self.sheet: str | None = None
        self.merged: list[CellRange] = []
        self.formulas: list[Cell] = []
        self.formats: dict[tuple[int, int], str] = {}
        self.filled = False
        self.columns: list[tuple[int, str | None]] = []  # (first 0-based column, default style)
        self.column_count = 0
        self.row = 0  # the last row number before the current row
        self.row_repeat = 1
        self.col = 0
        self.expanded = 0

    def feed(self, xml: bytes) -> None:
        parser = _parser()
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.Parse(xml, True)

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if name in (_CELL, _COVERED):
            self._cell(name == _CELL, attrs)
        elif name == _ROW:
            self.row_repeat = int(attrs.get(_ROWS_REPEATED) or 1)
            self.col = 0
        elif name == _COLUMN:
            self.columns.append((self.column_count, attrs.get(_DEFAULT_CELL_STYLE)))
            self.column_count += int(attrs.get(_COLS_REPEATED) or 1)
        elif name == _SHEET:
            self.sheet = attrs.get(_NAME, "")
            self.merged, self.formulas, self.formats = [], [], {}
            self.filled, self.columns, self.column_count = False, [], 0
            self.row, self.row_repeat, self.expanded = 0, 1, 0
        elif name == _CELL_STYLE and attrs.get(_FAMILY) == "table-cell":
            key = attrs.get(_STYLE_KEY)
            if key:
                self.cell_styles[key] = (attrs.get(_DATA_STYLE), attrs.get(_PARENT))
        elif name == _PERCENT_STYLE:
            key = attrs.get(_STYLE_KEY)
            if key:
                self.number_formats[key] = "0%"
        elif name == _NUMBER_STYLE:
            self.number_style = attrs.get(_STYLE_KEY)
        elif name == _NUMBER_PART and self.number_style:
            digits = int(attrs.get(f"{_NUMBER}min-integer-digits") or 1)
            decimals = int(attrs.get(f"{_NUMBER}decimal-places") or 0)
            grouped = attrs.get(f"{_NUMBER}grouping") == "true"
            if digits > 1 and not decimals and not grouped:
                self.number_formats[self.number_style] = "0" * digits

    def _end(self, name: str) -> None:
        if name == _ROW:
            self.row += self.row_repeat
            self.row_repeat = 1
        elif name == _NUMBER_STYLE:
            self.number_style = None
        elif name == _SHEET and self.sheet is not None:
            scan = SheetScan(
                self.sheet, True, tuple(self.merged), tuple(self.formulas), self.formats
            )
            self.result.sheets[self.sheet] = scan
            self.result.filled[self.sheet] = self.filled
            self.sheet = None

    def _cell(self, real: bool, attrs: dict[str, str]) -> None:
        repeat = int(attrs.get(_COLS_REPEATED) or 1)
        first_col = self.col
        self.col += repeat
        if not real or self.sheet is None:
            return
        value_type = attrs.get(_VALUE_TYPE)
        formula = attrs.get(_FORMULA)
        cols_spanned = int(attrs.get(_COLS_SPANNED) or 1)
        rows_spanned = int(attrs.get(_ROWS_SPANNED) or 1)
        if value_type is None and formula is None and cols_spanned == rows_spanned == 1:
            return  # an empty cell (however often repeated) tells nothing
        self.filled = self.filled or value_type is not None
        self.expanded += repeat * self.row_repeat
        if self.expanded > MAX_EXPANDED_CELLS:
            raise TableError("unreadable", f"{self.sheet}: repeated cells over the limit")
        fmt = None
        if value_type == "percentage":
            fmt = "0%"
        elif value_type == "float":
            fmt = self._format_of(attrs.get(_STYLE_NAME) or self._column_style(first_col))
        for row in range(self.row + 1, self.row + 1 + self.row_repeat):
            for col in range(first_col, first_col + repeat):
                if formula is not None:
                    text = formula.partition(":")[2] if formula[:1] != "=" else formula
                    self.formulas.append(
                        Cell(self.sheet, row, column_letter(col), text or None, is_formula=True)
                    )
                if cols_spanned > 1 or rows_spanned > 1:
                    last = f"{column_letter(col + cols_spanned - 1)}{row + rows_spanned - 1}"
                    self.merged.append(CellRange(self.sheet, row, column_letter(col), last))
                if fmt is not None:
                    self.formats[(row, col)] = fmt

    def _column_style(self, col: int) -> str | None:
        """The default cell style of 0-based column ``col`` (``table:table-column``)."""
        style = None
        for first, default in self.columns:
            if first > col:
                break
            style = default
        return style

    def _format_of(self, style: str | None) -> str | None:
        """The telling number format of cell style ``style`` (through its parents), or None."""
        if style in self.resolved:
            return self.resolved[style]
        fmt, seen, current = None, set(), style
        while current is not None and current not in seen:
            seen.add(current)
            data, parent = self.cell_styles.get(current, (None, None))
            if data is not None:
                fmt = self.number_formats.get(data)
                break
            current = parent
        self.resolved[style] = fmt
        return fmt
