"""The row layout of the offline questionnaire, shared by the template writer and the importer.

Column A of every body row holds a key (pillar code, sub-indicator code, question id, or
``question id/option id`` for a multiple-choice option row); the importer reads the keys back
to prove that no row was moved, added or deleted. The layout's SHA-256 goes into the hidden
signature sheet with the framework id, the cycle and the agency code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from dgops.framework import Framework, Question

__all__ = [
    "ANSWER_COLUMN",
    "FIRST_ROW",
    "FORMAT",
    "LayoutRow",
    "build_layout",
    "layout_digest",
    "signature_of",
]

FORMAT = "dgops-responses-xlsx/1"
FIRST_ROW = 9
ANSWER_COLUMN = "D"
YES_TH, NO_TH = "ใช่", "ไม่ใช่"


@dataclass(frozen=True, slots=True)
class LayoutRow:
    """One body row: ``kind`` is pillar, sub, question, option or evidence."""

    row: int
    kind: str
    key: str
    number: str
    text: str
    question: Question | None = None
    option_id: str | None = None

    @property
    def takes_answer(self) -> bool:
        """Whether column D of this row is an answer cell (unlocked)."""
        if self.kind == "option":
            return True
        return (
            self.kind == "question"
            and self.question is not None
            and self.question.type != "multiple_choice"
        )


def build_layout(framework: Framework) -> list[LayoutRow]:
    """Every body row of the questionnaire sheet, in order."""
    rows: list[LayoutRow] = []
    n = FIRST_ROW
    for pi, pillar in enumerate(framework.pillars, 1):
        rows.append(LayoutRow(n, "pillar", pillar.code, f"{pi}", f"มิติที่ {pi} {pillar.name_th}"))
        n += 1
        for si, sub in enumerate(pillar.sub_indicators, 1):
            rows.append(LayoutRow(n, "sub", sub.code, f"{pi}.{si}", sub.name_th))
            n += 1
            for qi, q in enumerate(sub.questions, 1):
                kind = "evidence" if q.type == "evidence" else "question"
                rows.append(LayoutRow(n, kind, q.id, f"{pi}.{si}.{qi}", q.text_th, q))
                n += 1
                if q.type == "multiple_choice":
                    for oi, option in enumerate(q.options or [], 1):
                        rows.append(
                            LayoutRow(
                                n,
                                "option",
                                f"{q.id}/{option.id}",
                                f"({oi})",
                                option.text_th,
                                q,
                                option.id,
                            )
                        )
                        n += 1
    return rows


def layout_digest(layout: list[LayoutRow]) -> str:
    """SHA-256 of the rows' keys and positions (any moved/added/deleted row changes it)."""
    text = "\n".join(f"{r.row}\t{r.kind}\t{r.key}" for r in layout)
    return hashlib.sha256(text.encode()).hexdigest()


def signature_of(framework_id: str, cycle: int, agency_code: str, digest: str) -> str:
    """The template's signature: SHA-256 over format, framework, cycle, agency and layout.

    An integrity check that catches another agency's or another year's file and a changed
    structure; it is not authentication (anyone with the code could recompute it)."""
    text = "\x1f".join((FORMAT, framework_id, str(cycle), agency_code, digest))
    return hashlib.sha256(text.encode()).hexdigest()
