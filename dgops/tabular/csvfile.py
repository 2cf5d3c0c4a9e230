"""CSV files: the one decoder of operators' text files, and the parser.

Operators' CSV files come from Excel on Thai Windows as well as from other tools, so the
accepted encodings are UTF-8 (with or without BOM), UTF-16 with a BOM, and TIS-620 (read as
Windows-874, its superset).
"""

from __future__ import annotations

import csv
import io

from dgops.tabular.cells import Table
from dgops.tabular.errors import TableError

__all__ = ["CP874", "DELIMITERS", "decode_csv", "parse_csv", "read_csv"]

CP874 = "cp874"
"""The encoding name reported for TIS-620 text (importers tell the operator about it)."""
DELIMITERS = ",;\t"
"""Delimiters recognised when none is given: the one used most on the first line wins."""


def decode_csv(data: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of a CSV file's bytes; raises :class:`TableError` ``encoding``.

    In order: a UTF-8 BOM (``utf-8-sig``; the rest must be valid UTF-8), a UTF-16 BOM
    (``utf-16``), plain UTF-8 (``utf-8``), then TIS-620 (``cp874``). The BOM is removed.
    """
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16"), "utf-16"
    except UnicodeDecodeError as exc:
        raise TableError("encoding", str(exc)) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(CP874), CP874
    except UnicodeDecodeError as exc:
        raise TableError("encoding", str(exc)) from exc


def sniff_delimiter(text: str) -> str:
    """The delimiter of ``text``: whichever of ``,`` ``;`` tab the first line uses most."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    return max(DELIMITERS, key=first_line.count)


def parse_csv(
    text: str,
    *,
    file: str = "",
    delimiter: str | None = None,
    strict: bool = True,
    encoding: str | None = None,
) -> Table:
    """The rows of decoded CSV ``text`` (row 1 is the first line), as text values.

    ``delimiter`` None sniffs it (:func:`sniff_delimiter`). ``strict`` refuses broken
    quoting with :class:`TableError` ``malformed`` (its ``row`` is the first row not read).
    """
    delimiter = delimiter or sniff_delimiter(text)
    table = Table(file=file, sheet=None, encoding=encoding, delimiter=delimiter)
    rows = table.rows
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
        for number, values in enumerate(reader, start=1):
            rows.append((number, values))
    except csv.Error as exc:
        raise TableError("malformed", str(exc), row=len(rows) + 1, encoding=encoding) from exc
    return table


def read_csv(
    data: bytes, *, file: str = "", delimiter: str | None = None, strict: bool = True
) -> Table:
    """Decode and parse a CSV file's bytes; raises :class:`TableError`.

    Codes, in the order checked: ``is_zip`` (a workbook renamed .csv), ``encoding``
    (:func:`decode_csv`), ``binary`` (NUL characters), ``malformed`` (:func:`parse_csv`).
    """
    if data.startswith(b"PK\x03\x04"):
        raise TableError("is_zip")
    text, encoding = decode_csv(data)
    if "\x00" in text:
        raise TableError("binary", encoding=encoding)
    return parse_csv(text, file=file, delimiter=delimiter, strict=strict, encoding=encoding)
