"""Problems found in a registry file: where they are, and what to do, in Thai and English."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.StrEnum):
    ERROR = "error"
    """The file cannot be imported until this is fixed."""
    WARNING = "warning"
    """Imported, but the operator should look (unknown column, a parent about to be retired)."""
    INFO = "info"
    """What the reader decided (which sheet, which encoding)."""


@dataclass(frozen=True, slots=True)
class RegistryIssue:
    """One problem, located as precisely as the input allows.

    ``row`` is the spreadsheet row number as the operator sees it (the header is row 1 when it is
    the first row); ``column`` is the column letter (A, B, ... AA); ``field`` is the canonical
    field name (``head_email``) and ``header`` the header text as written in the file.
    """

    code: str
    message_th: str
    message_en: str
    severity: Severity = Severity.ERROR
    file: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    header: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def where(self) -> str:
        """``file › sheet › row 5 › C (ระดับหน่วยงาน)`` with the parts that are known."""
        parts = [self.file or "-"]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column or self.header or self.field:
            label = self.header or self.field or ""
            parts.append(f"{self.column} ({label})" if self.column else label)
        return " › ".join(parts)

    def format(self) -> str:
        """One line for humans: where, severity, the Thai message and the English one."""
        return f"{self.where}: [{self.severity.value}] {self.message_th} / {self.message_en}"


class RegistryError(Exception):
    """A registry file or record set cannot be imported; ``issues`` holds every problem found."""

    def __init__(self, issues: Iterable[RegistryIssue]) -> None:
        self.issues: tuple[RegistryIssue, ...] = tuple(issues)
        errors = [i for i in self.issues if i.is_error]
        head = f"{len(errors)} error(s) in the registry; nothing was written"
        super().__init__(head)

    @property
    def errors(self) -> tuple[RegistryIssue, ...]:
        return tuple(i for i in self.issues if i.is_error)

    def format(self) -> str:
        """Every issue, one per line, under a one-line summary."""
        return "\n".join([str(self), *(i.format() for i in self.issues)])
