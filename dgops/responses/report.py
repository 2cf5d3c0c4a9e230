"""What an import found: problems located by file, sheet, row, column and question, in Thai and
English, and per-file outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["FileReport", "ImportProblem", "ImportReport"]


@dataclass(frozen=True)
class ImportProblem:
    """One problem (or warning) of an imported file, as precisely located as possible."""

    file: str
    code: str
    message_th: str
    message_en: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    question_id: str | None = None
    value: str | None = None

    @property
    def where(self) -> str:
        """``file!sheet!D15 [Q_ID]`` — as much as is known."""
        parts = [Path(self.file).name]
        if self.sheet:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(f"{self.column or ''}{self.row}")
        text = "!".join(parts)
        return f"{text} [{self.question_id}]" if self.question_id else text

    def __str__(self) -> str:
        value = f" (ค่า/value: {self.value})" if self.value is not None else ""
        return f"{self.where}: {self.message_th} / {self.message_en}{value}"


@dataclass
class FileReport:
    """The outcome of one file: ``imported`` (saved, submitted or draft) or ``failed``
    (nothing written). ``warnings`` never stop an import."""

    file: str
    agency_code: str | None = None
    outcome: str = "failed"
    status: str | None = None
    saved: int = 0
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome == "imported"


@dataclass
class ImportReport:
    """Every file of an import run."""

    files: list[FileReport] = field(default_factory=list)

    @property
    def imported(self) -> list[FileReport]:
        return [f for f in self.files if f.ok]

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if not f.ok]

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for f in self.files for p in f.errors]

    @property
    def warnings(self) -> list[ImportProblem]:
        return [p for f in self.files for p in f.warnings]

    @property
    def ok(self) -> bool:
        """True when every file was imported."""
        return all(f.ok for f in self.files)
