"""XLSX workbooks: sheet names and visibility, cell values, and what importers must see besides.

Two engines, one interface. Values of a whole sheet come from calamine (Rust, about ten times
faster than openpyxl); what calamine does not report is read from the sheet's XML by a real
XML parser (:func:`scan_sheet_xml`, ``iterparse``; never regular expressions): formulas,
merged cells, and the number format of every number (a percentage, digits padded with zeros
such as ``00000``). Sheet visibility comes from ``workbook.xml``: hidden sheets are never
chosen unless named (:meth:`Workbook.choose_sheet`). When cell-level detail is needed for a
few rows, :meth:`Workbook.cells` reads them through openpyxl's read-only mode. Callers check
the container first (:func:`dgops.tabular.xlsx_container_problem`): nothing here guards
against zip bombs. An OpenDocument spreadsheet (.ods) is read through the same
:class:`Workbook`, its XML by :mod:`dgops.tabular.ods`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

from dgops.tabular.cells import (
    Cell,
    CellRange,
    Row,
    SheetScan,
    Table,
    column_index,
    column_letter,
)
from dgops.tabular.errors import TableError
from dgops.tabular.ods import ODS_MIMETYPE, OdsScan, scan_ods

__all__ = ["SheetInfo", "SheetScan", "Workbook", "scan_sheet_xml"]

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Element names as expat reports them with namespace_separator="}".
_MAIN = _NS_MAIN[1:]
_C, _F, _V, _IS = (f"{_MAIN}{t}" for t in ("c", "f", "v", "is"))
_ROW, _MERGE, _SHEET_DATA = (f"{_MAIN}{t}" for t in ("row", "mergeCell", "sheetData"))

# The number formats Excel numbers instead of writing them into styles.xml (ECMA-376 18.8.30);
# only those that change how a number is read matter here (percent, text, zero-padding).
_BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%"}
_BUILTIN_FORMATS |= {10: "0.00%", 11: "0.00E+00", 49: "@"}
_BUILTIN_FORMATS |= dict.fromkeys((*range(14, 23), *range(45, 48)), "date")


@dataclass(frozen=True, slots=True)
class SheetInfo:
    """A sheet as the workbook lists it: name, XML part, ``state`` (``visible``, ``hidden`` or
    ``veryHidden``), and whether it is a worksheet (not a chartsheet)."""

    name: str
    part: str
    state: str = "visible"

    @property
    def visible(self) -> bool:
        return self.state == "visible"


def _check_no_dtd(data: bytes) -> None:
    # OOXML parts never carry a DTD; refusing one rules out entity-expansion attacks.
    head = data[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise SyntaxError("DTD in a workbook part")


def _parse_part(zf: zipfile.ZipFile, name: str) -> ET.Element:
    data = zf.read(name)
    _check_no_dtd(data)
    return ET.fromstring(data)  # noqa: S314 - small part, no DTD, size already capped


def _sheet_infos(zf: zipfile.ZipFile) -> list[SheetInfo]:
    """The sheets listed by workbook.xml, in order, with their parts and visibility."""
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in _parse_part(zf, "xl/_rels/workbook.xml.rels").iter(f"{_NS_PKG}Relationship")
    }
    infos: list[SheetInfo] = []
    for node in _parse_part(zf, "xl/workbook.xml").iter(f"{_NS_MAIN}sheet"):
        target = targets.get(node.get(f"{_NS_REL}id"), "")
        if target:
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            infos.append(SheetInfo(node.get("name", ""), path, node.get("state", "visible")))
    return infos


def _style_formats(zf: zipfile.ZipFile) -> list[str]:
    """The number format of each cell style (``s`` attribute of a cell), by index."""
    try:
        root = _parse_part(zf, "xl/styles.xml")
    except KeyError:
        return []
    custom = {
        int(n.get("numFmtId", "0")): n.get("formatCode", "General")
        for n in root.iter(f"{_NS_MAIN}numFmt")
    }
    xfs = root.find(f"{_NS_MAIN}cellXfs")
    formats: list[str] = []
    for xf in xfs.iter(f"{_NS_MAIN}xf") if xfs is not None else ():
        fmt_id = int(xf.get("numFmtId", "0"))
        formats.append(custom.get(fmt_id) or _BUILTIN_FORMATS.get(fmt_id, "General"))
    return formats


def _telling(fmt: str) -> bool:
    """Whether a number format changes what a number means to an importer."""
    return "%" in fmt or (len(fmt) > 1 and set(fmt) == {"0"})


def _split_ref(ref: str) -> tuple[int, int]:
    """``C12`` → ``(12, 2)``: row number and 0-based column index."""
    i = 0
    while i < len(ref) and ref[i].isalpha():
        i += 1
    return int(ref[i:]), column_index(ref[:i])


def scan_sheet_xml(sheet: str, xml: bytes, styles: Sequence[str] = ()) -> SheetScan:
    """Merged areas, formula cells and number formats of a worksheet part's XML (see
    :class:`SheetScan`); ``styles`` is the number format of each cell style.

    Parsed by expat, a real XML parser (attribute order, namespace prefixes, whitespace and
    comments do not matter), with one handler on start tags so that a 10,000-row sheet costs
    well under a second. A document type declaration is refused (no entity expansion).
    Raises :class:`TableError` ``not_workbook`` on XML that does not parse.
    """
    scan = _SheetScanner(sheet, styles)
    if not scan.special and not _may_hold_formula_or_merge(xml):
        # Nothing to find (no telling format in the workbook, no element that can be a
        # formula or a merge): the parse would only confirm it. Well-formedness is still
        # checked by the value reader (calamine) that follows.
        return SheetScan(sheet, b"sheetData" in xml)
    try:
        scan.feed(xml)
    except (expat.ExpatError, ValueError) as exc:
        raise TableError("not_workbook", f"{sheet}: {exc}") from exc
    return SheetScan(sheet, scan.has_cells, tuple(scan.merged), tuple(scan.formulas), scan.formats)


def _may_hold_formula_or_merge(xml: bytes) -> bool:
    """False only when ``xml`` cannot contain a formula (``f``) or ``mergeCell`` element.

    A sound shortcut, not a parser: an element's start tag is ``<f`` or ``<prefix:f`` followed
    by whitespace, ``>`` or ``/`` (names cannot hold references, text cannot hold a raw
    ``<``), so when no such bytes occur there is none. Anything that might be one (or any
    ``mergeCell``) sends the sheet to the full expat scan.
    """
    if b"mergeCell" in xml or b"<!DOCTYPE" in xml:
        return True
    for marker in (b"<f", b":f"):
        at = xml.find(marker)
        while at >= 0:
            if xml[at + 2 : at + 3] in (b">", b"/", b" ", b"\t", b"\n", b"\r"):
                return True
            at = xml.find(marker, at + 2)
    return False


class _SheetScanner:
    """The state of one expat pass over a worksheet part."""

    def __init__(self, sheet: str, styles: Sequence[str]) -> None:
        self.sheet = sheet
        # Only styles whose format changes how a number reads are looked up per cell: a
        # percentage, or digits padded with zeros (00000); dates are read by calamine.
        self.special = {str(i): f for i, f in enumerate(styles) if _telling(f)}
        self.has_cells = False
        self.merged: list[CellRange] = []
        self.formulas: list[Cell] = []
        self.formats: dict[tuple[int, int], str] = {}
        self.row = 0
        self.ref: str | None = None
        self.offset = -1
        self.text: list[str] | None = None
        self.parser = expat.ParserCreate(namespace_separator="}")

    def feed(self, xml: bytes) -> None:
        parser = self.parser
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.StartElementHandler = self._start
        parser.buffer_text = True
        parser.Parse(xml, True)

    @staticmethod
    def _doctype(*_: Any) -> None:
        # OOXML parts never carry a DTD; refusing one rules out entity-expansion attacks.
        raise ValueError("DTD in a workbook part")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _C:
            # The position is worked out only when needed (a formula, a special format).
            ref = attrs.get("r")
            if ref:
                self.ref, self.offset = ref, 0
            else:  # cells may omit their reference: count them as a spreadsheet does
                self.offset += 1
            style = attrs.get("s")
            if style in self.special and attrs.get("t", "n") == "n":
                self.formats[self._position()] = self.special[style]
        elif name == _ROW:
            self.row = int(attrs.get("r") or self.row + 1)
            self.ref, self.offset = None, -1
        elif name == _F:
            self.text = []
            self.parser.CharacterDataHandler = self.text.append
            self.parser.EndElementHandler = self._end_formula
        elif name == _MERGE:
            first, _, last = (attrs.get("ref") or "").partition(":")
            if first:
                row, col = _split_ref(first)
                self.merged.append(CellRange(self.sheet, row, column_letter(col), last or None))
        elif name == _SHEET_DATA:
            self.has_cells = True

    def _position(self) -> tuple[int, int]:
        """``(row number, 0-based column)`` of the current cell."""
        if self.ref is None:
            return self.row, self.offset
        row, column = _split_ref(self.ref)
        return row, column + self.offset

    def _end_formula(self, name: str) -> None:
        if name != _F:
            return
        text = "".join(self.text or ())
        row, column = self._position()
        self.formulas.append(
            Cell(
                self.sheet,
                row,
                column_letter(column),
                f"={text}" if text else None,
                is_formula=True,
            )
        )
        self.text = None
        self.parser.CharacterDataHandler = None
        self.parser.EndElementHandler = None


def _has_values(xml: bytes) -> bool:
    """Whether a worksheet part holds at least one value (stops at the first one)."""
    found = False

    def start(name: str, _attrs: dict[str, str]) -> None:
        nonlocal found
        if name in (_V, _IS):
            found = True
            raise StopIteration

    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    try:
        parser.Parse(xml, True)
    except StopIteration:
        pass
    except expat.ExpatError:
        return True  # let the full read report the damage
    return found


class Workbook:
    """An XLSX or ODS file opened for reading; use it as a context manager (or call
    :meth:`close`).

    ``Workbook.open(path)`` reads only the workbook's sheet list. ``cells=True`` also opens an
    XLSX file with openpyxl (read-only, formulas as written, external links ignored) for
    :meth:`cells`. An OpenDocument spreadsheet (``.ods``, told by its ``mimetype`` entry, not
    its name) gives the same answers through the same methods: sheets and values from
    calamine, formulas, merged areas and number formats from its XML (:func:`scan_ods`).
    Opening raises :class:`TableError` ``not_workbook`` (its detail says why) when the parts
    cannot be read.
    """

    def __init__(self, path: Path, sheet_names: list[str], book: Any = None) -> None:
        self.path = path
        self.sheet_names: tuple[str, ...] = tuple(sheet_names)
        self.sheets: tuple[SheetInfo, ...] = ()
        self.is_ods = False
        self._book = book
        self._styles: list[str] | None = None
        self._ods: OdsScan | None = None
        self._tables: dict[str, Table] = {}

    @classmethod
    def open(cls, path: str | Path, *, cells: bool = False) -> Workbook:
        """Open ``path`` (see the class docstring)."""
        path = Path(path)
        if _is_ods(path):
            return cls._open_ods(path)
        book = None
        if cells:
            from openpyxl import load_workbook

            try:
                book = load_workbook(path, read_only=True, data_only=False, keep_links=False)
            except Exception as exc:  # openpyxl raises many types on damaged files
                raise TableError("not_workbook", str(exc)) from exc
        workbook = cls(path, [], book)
        try:
            with zipfile.ZipFile(path) as zf:
                workbook.sheets = tuple(_sheet_infos(zf))
        except (KeyError, zipfile.BadZipFile, SyntaxError, ET.ParseError, OSError) as exc:
            workbook.close()
            raise TableError("not_workbook", str(exc)) from exc
        workbook.sheet_names = tuple(s.name for s in workbook.sheets)
        return workbook

    @classmethod
    def _open_ods(cls, path: Path) -> Workbook:
        from python_calamine import CalamineWorkbook, SheetVisibleEnum

        visible = SheetVisibleEnum.Visible
        workbook = cls(path, [])
        workbook.is_ods = True
        # The XML pass comes first: it refuses a DTD and repeat-count bombs cheaply, while
        # calamine expands every sheet's cells as soon as it opens the file.
        workbook._ods_scan()
        try:
            metadata = CalamineWorkbook.from_path(str(path)).sheets_metadata
        except Exception as exc:  # calamine raises its own error types on damaged files
            raise TableError("not_workbook", type(exc).__name__) from exc
        workbook.sheets = tuple(
            SheetInfo(m.name, "content.xml", "visible" if m.visible == visible else "hidden")
            for m in metadata
        )
        workbook.sheet_names = tuple(s.name for s in workbook.sheets)
        return workbook

    def _ods_scan(self) -> OdsScan:
        """The one pass over an .ods file's XML (every sheet at once), kept for later calls."""
        if self._ods is None:
            try:
                with zipfile.ZipFile(self.path) as zf:
                    content = zf.read("content.xml")
                    styles = zf.read("styles.xml") if "styles.xml" in zf.namelist() else b""
            except (KeyError, zipfile.BadZipFile, OSError) as exc:
                raise TableError("not_workbook", str(exc)) from exc
            self._ods = scan_ods(content, styles)
        return self._ods

    def _filled(self, sheet: str) -> bool:
        """Whether ``sheet`` holds at least one value."""
        if self.is_ods:
            return self._ods_scan().filled.get(sheet, False)
        return _has_values(self._read_part(sheet)[0])

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

    @property
    def hidden_sheets(self) -> tuple[str, ...]:
        """The names of the sheets a person does not see (``hidden`` or ``veryHidden``)."""
        return tuple(s.name for s in self.sheets if not s.visible)

    def _info(self, sheet: str) -> SheetInfo:
        for info in self.sheets:
            if info.name == sheet:
                return info
        raise TableError("sheet_missing", ", ".join(self.sheet_names))

    def _read_part(self, sheet: str) -> tuple[bytes, list[str]]:
        info = self._info(sheet)
        try:
            with zipfile.ZipFile(self.path) as zf:
                if self._styles is None:
                    self._styles = _style_formats(zf)
                return zf.read(info.part), self._styles
        except (KeyError, zipfile.BadZipFile, SyntaxError, ET.ParseError, OSError) as exc:
            raise TableError("not_workbook", str(exc)) from exc

    def choose_sheet(self, wanted: str | None = None, hints: Iterable[str] = ()) -> str:
        """The sheet to read: ``wanted`` when given (hidden or not); otherwise the one visible
        sheet that holds values, preferring those whose name contains one of ``hints``.

        Hidden sheets are never chosen unless named: a spreadsheet keeps last year's list
        there, out of the operator's sight. Raises :class:`TableError` ``sheet_missing``
        (detail: every sheet), ``sheet_ambiguous`` (detail: the candidates, comma-separated)
        or ``no_visible_sheet`` (detail: the hidden sheets).
        """
        if wanted is not None:
            self._info(wanted)
            return wanted
        visible = [s.name for s in self.sheets if s.visible]
        if not visible:
            if not self.sheets:
                raise TableError("sheet_missing", "")
            raise TableError("no_visible_sheet", ", ".join(self.hidden_sheets))
        filled = [name for name in visible if self._filled(name)]
        pool = filled or visible[:1]
        words = [h.casefold() for h in hints]
        hinted = [n for n in pool if any(w in n.casefold() for w in words)]
        candidates = hinted or pool
        if len(candidates) > 1:
            raise TableError("sheet_ambiguous", ", ".join(candidates))
        return candidates[0]

    def scan(self, sheet: str) -> SheetScan:
        """Merged areas, formula cells and number formats of ``sheet`` (its XML; no values).

        Raises :class:`TableError` ``sheet_missing`` or ``not_workbook``.
        """
        if self.is_ods:
            self._info(sheet)
            found = self._ods_scan().sheets.get(sheet)
            return found if found is not None else SheetScan(sheet, False)
        xml, styles = self._read_part(sheet)
        return scan_sheet_xml(sheet, xml, styles)

    def table(self, sheet: str, scan: SheetScan | None = None) -> Table:
        """Every row of ``sheet`` from row 1 (empty rows included, so row numbers are true),
        values as calamine gives them: text, float/int, bool, date/time, or ``""`` when empty.
        With the sheet's ``scan``, the table also knows each number's format
        (:attr:`Table.formats`).

        Raises :class:`TableError` ``sheet_missing``, or ``unreadable`` (detail: calamine's
        error type) on damaged parts.
        """
        self._info(sheet)
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_path(str(self.path))
            source = workbook.get_sheet_by_name(sheet)
            values = source.to_python(skip_empty_area=False)
            start, end = source.start, source.end
        except Exception as exc:  # calamine raises its own error types on damaged parts
            raise TableError("unreadable", type(exc).__name__) from exc
        rows: list[Row] = list(enumerate(values, start=1))
        if values and start is not None and end is not None:
            # True coordinates even from a calamine that leaves out the empty area above
            # and left of the data (a table that does not start at A1).
            top, left = start
            shift_rows = top if len(values) == end[0] - top + 1 else 0
            shift_cols = left if len(values[0]) == end[1] - left + 1 else 0
            if shift_rows or shift_cols:
                pad = [""] * shift_cols
                rows = [(n + shift_rows, [*pad, *v]) for n, v in rows]
        formats = dict(scan.formats) if scan is not None else {}
        return Table(self.path.name, sheet, rows, formats=formats)

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
        ``max_col`` is None); a row may be shorter than ``max_col``. An .ods workbook needs no
        ``cells=True``: its cells are built from the sheet's values and scan.
        """
        if self.is_ods:
            yield from self._ods_cells(sheet, min_row, max_row, max_col)
            return
        if self._book is None:
            raise RuntimeError("Workbook.cells needs Workbook.open(path, cells=True)")
        self._info(sheet)
        rows = self._book[sheet].iter_rows(min_row=min_row, max_row=max_row, max_col=max_col)
        for number, row in enumerate(rows, start=min_row):
            yield number, tuple(_cell(sheet, number, i, c) for i, c in enumerate(row))

    def _ods_cells(
        self, sheet: str, min_row: int, max_row: int | None, max_col: int | None
    ) -> Iterator[tuple[int, tuple[Cell, ...]]]:
        """:meth:`cells` of an .ods sheet: calamine's values, with the formulas (their text,
        never the cached result) and number formats of the scan; values as openpyxl gives an
        XLSX's (:func:`_as_written`)."""
        scan = self.scan(sheet)
        table = self._tables.get(sheet)
        if table is None:
            table = self._tables[sheet] = self.table(sheet, scan)
        formulas = {(c.row, column_index(c.column)): c for c in scan.formulas}
        for number, values in table.rows:
            if number < min_row:
                continue
            if max_row is not None and number > max_row:
                break
            width = len(values) if max_col is None else min(max_col, len(values))
            yield (
                number,
                tuple(
                    formulas.get((number, i))
                    or Cell(
                        sheet,
                        number,
                        column_letter(i),
                        _as_written(values[i]),
                        number_format=table.format_of(number, i),
                    )
                    for i in range(width)
                ),
            )


def _as_written(value: Any) -> Any:
    """A calamine value as openpyxl reads the same cell of an XLSX: None when empty, and a
    whole number as an int (calamine gives every .ods number as a float: 2566.0), so
    importers that compare text see ``2566`` either way."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _cell(sheet: str, row: int, index: int, source: Any) -> Cell:
    value = source.value
    if getattr(source, "data_type", None) == "f":
        return Cell(sheet, row, column_letter(index), value, is_formula=True)
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Only numbers are shown through their format; reading it costs a style lookup.
        fmt = getattr(source, "number_format", "") or "General"
        return Cell(sheet, row, column_letter(index), value, number_format=fmt)
    return Cell(sheet, row, column_letter(index), value)


def _is_ods(path: Path) -> bool:
    """Whether ``path`` is an OpenDocument spreadsheet (its first zip entry, ``mimetype``)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.read("mimetype").strip().startswith(ODS_MIMETYPE)
    except (KeyError, zipfile.BadZipFile, OSError):
        return False
