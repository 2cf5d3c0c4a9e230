"""What reading a registry gives back (:class:`ReadResult`), and the collector of its issues."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dgops.registry.issues import RegistryError, RegistryIssue, Severity
from dgops.registry.messages import message
from dgops.registry.records import AgencyRecord

__all__ = ["IssueCollector", "ReadResult"]


@dataclass(frozen=True, slots=True)
class ReadResult:
    """What :func:`dgops.registry.read_registry` found: the records and every issue.

    ``rows[i]`` is the sheet row of ``records[i]``; ``columns`` maps each field present in the
    file to its column letter and header text, so later checks can point at cells too.
    """

    file: str
    sheet: str | None
    records: tuple[AgencyRecord, ...]
    rows: tuple[int, ...]
    columns: Mapping[str, tuple[str, str]]
    issues: tuple[RegistryIssue, ...]
    encoding: str | None = None

    @property
    def errors(self) -> tuple[RegistryIssue, ...]:
        return tuple(i for i in self.issues if i.is_error)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, Any]:
        """What was read, as counts only (no rows: safe for logs and XCom): ``records``,
        ``warnings`` and ``by_level`` (records per agency level code)."""
        return {
            "records": len(self.records),
            "warnings": sum(1 for i in self.issues if i.severity is Severity.WARNING),
            "by_level": dict(Counter(str(record.level) for record in self.records)),
        }

    def raise_for_errors(self) -> None:
        """Raise :class:`RegistryError` with every issue if any of them is an error."""
        if self.errors:
            raise RegistryError(self.issues)

    def issue(
        self,
        code: str,
        *,
        index: int | None = None,
        field: str | None = None,
        severity: Severity = Severity.ERROR,
        **params: Any,
    ) -> RegistryIssue:
        """An issue about ``records[index]`` (and ``field``), located in the source file."""
        letter, header = self.columns.get(field, (None, None)) if field else (None, None)
        th, en = message(code, **params)
        return RegistryIssue(
            code=code,
            message_th=th,
            message_en=en,
            severity=severity,
            file=self.file,
            sheet=self.sheet,
            row=self.rows[index] if index is not None and index < len(self.rows) else None,
            column=letter,
            field=field,
            header=header,
        )


@dataclass
class IssueCollector:
    """Every issue of one read, located in ``file`` and ``sheet``; ``columns`` (field → column
    letter and header text, filled when the header row is read) lets an issue about a field
    name its column."""

    file: str
    sheet: str | None = None
    issues: list[RegistryIssue] = field(default_factory=list)
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)
    errors: int = 0

    def add(
        self,
        code: str,
        *,
        row: int | None = None,
        column: str | None = None,
        field: str | None = None,
        header: str | None = None,
        severity: Severity = Severity.ERROR,
        **params: Any,
    ) -> None:
        """Record issue ``code`` (its message filled with ``params``) at ``row``/``column``."""
        if field and column is None and field in self.columns:
            column, header = self.columns[field]
        th, en = message(code, header=header, **params)
        self.issues.append(
            RegistryIssue(code, th, en, severity, self.file, self.sheet, row, column, field, header)
        )
        if severity is Severity.ERROR:
            self.errors += 1

    @property
    def has_errors(self) -> bool:
        return self.errors > 0

    def result(
        self, records: Sequence[AgencyRecord], rows: Sequence[int], encoding: str | None = None
    ) -> ReadResult:
        """The :class:`ReadResult` of ``records`` read from sheet ``rows``, with every issue."""
        return ReadResult(
            file=self.file,
            sheet=self.sheet,
            records=tuple(records),
            rows=tuple(rows),
            columns=dict(self.columns),
            issues=tuple(self.issues),
            encoding=encoding,
        )
