"""The one exception of the tabular reader: why a file could not be read, as a short code."""

from __future__ import annotations

__all__ = ["TableError"]


class TableError(ValueError):
    """A file that cannot be read as a table.

    ``code`` says why, in a short stable word that importers map to their own messages:
    ``not_workbook`` (the XLSX parts cannot be read), ``unreadable`` (the cell values cannot be
    decoded; ``detail`` names the error), ``sheet_missing`` (``detail`` lists the sheets),
    ``is_zip`` (a workbook named .csv), ``encoding`` (text in no accepted encoding),
    ``binary`` (NUL characters in text), ``malformed`` (broken CSV quoting; ``row`` is the
    first row that could not be read). ``row`` is a 1-based row number when one is known;
    ``encoding`` is the text encoding already recognised when a decoded CSV failed later.
    """

    def __init__(
        self,
        code: str,
        detail: str = "",
        *,
        row: int | None = None,
        encoding: str | None = None,
    ) -> None:
        self.code = code
        self.detail = detail
        self.row = row
        self.encoding = encoding
        super().__init__(f"{code}: {detail}" if detail else code)
