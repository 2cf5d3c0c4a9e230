"""From the framework and a response to what a page shows, and from a form back to answers."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dgops.framework import Framework, Pillar, Question, is_empty

STATUS_TH = {
    "not_started": "ยังไม่เริ่มตอบ",
    "in_progress": "กำลังตอบ (ร่าง)",
    "submitted": "ส่งแล้ว รอตรวจสอบ",
    "returned": "ส่งกลับให้แก้ไข",
    "verified": "ตรวจสอบแล้ว",
}
YES_NO_TH = {"yes": "ใช่ / มี", "no": "ไม่ใช่ / ไม่มี"}
UNLOCKED = frozenset({"not_started", "in_progress", "returned"})
PRESENT_FIELD = "_q"
"""Hidden field naming each question a form carries (an unticked checkbox sends nothing)."""
UNKNOWN_QUESTION = "ไม่พบข้อนี้ในส่วนนี้ของแบบสำรวจ กรุณาโหลดหน้าใหม่แล้วตอบอีกครั้ง"
REASONS_TH = {
    "not_a_number": "กรุณากรอกเป็นตัวเลข เช่น 25 หรือ 1,200",
    "not_an_option": "กรุณาเลือกจากตัวเลือกที่มีให้",
    "wrong_type": "คำตอบไม่ตรงกับรูปแบบของข้อนี้ กรุณาตอบใหม่",
    "unknown_question": UNKNOWN_QUESTION,
    "evidence_question": "ข้อนี้ตอบโดยการแนบไฟล์หลักฐาน",
}
"""What an agency reads for each reason a value is refused (the engine's codes)."""
OUT_OF_RANGE_TH = {
    "percentage": "กรุณากรอกร้อยละเป็นตัวเลขตั้งแต่ 0 ถึง 100 เช่น 12.5",
    "number": "ตัวเลขนี้อยู่นอกช่วงที่ข้อนี้กำหนด กรุณาตรวจสอบอีกครั้ง",
}
CANNOT_SAVE = "บันทึกคำตอบข้อนี้ไม่ได้ กรุณาตรวจสอบแล้วลองอีกครั้ง"


def reason_th(question: Question | None, reason: str) -> str:
    """The plain-Thai message an agency reads when a value is refused for ``reason``."""
    if reason == "out_of_range":
        kind = question.type if question is not None else "number"
        return OUT_OF_RANGE_TH.get(kind, OUT_OF_RANGE_TH["number"])
    return REASONS_TH.get(reason, CANNOT_SAVE)


def agency_errors(
    framework: Framework, errors: Mapping[str, str], reasons: Mapping[str, str]
) -> dict[str, str]:
    """``errors`` (question id → the domain's bilingual text) reworded for the agency from
    their reason codes; errors without a code keep their text (the portal's own, in Thai)."""
    out: dict[str, str] = {}
    known = set(framework.question_ids)
    for qid, text in errors.items():
        reason = reasons.get(qid)
        if reason is None:
            out[qid] = text
            continue
        out[qid] = reason_th(framework.question(qid) if qid in known else None, reason)
    return out


@dataclass
class QuestionView:
    """One question as a page shows it."""

    question: Question
    number: str
    value: Any = None
    shown: bool = True
    error: str | None = None
    missing: bool = False
    evidence_missing: bool = False
    comments: list[Any] = field(default_factory=list)
    files: list[Any] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def show_if_json(self) -> str:
        """The show-if condition as JSON for the page script ("" when always shown)."""
        cond = self.question.show_if
        if cond is None:
            return ""
        return json.dumps(cond.model_dump(by_alias=True, exclude_none=True), ensure_ascii=False)

    @property
    def text_value(self) -> str:
        """The value for a text box (numbers without a trailing .0)."""
        v = self.value
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    def checked(self, option_id: str) -> bool:
        v = self.value
        if isinstance(v, list | tuple):
            return option_id in v
        return bool(v == option_id)

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(option id, Thai label) of a choice question."""
        if self.question.type == "yes_no":
            return list(YES_NO_TH.items())
        return [(o.id, o.text_th) for o in self.question.options or []]

    @property
    def answer_text(self) -> str:
        """The answer as the review page shows it."""
        v, q = self.value, self.question
        if q.type == "evidence":
            return "แนบไฟล์แล้ว" if self.files else "— ยังไม่ได้แนบไฟล์ —"
        if not is_answered(v):
            return "— ยังไม่ได้ตอบ —"
        labels = dict(self.choices)
        if q.type in ("yes_no", "single_choice"):
            return labels.get(str(v), str(v))
        if q.type == "multiple_choice" and isinstance(v, list | tuple):
            return ", ".join(labels.get(str(x), str(x)) for x in v)
        if q.type == "percentage":
            return f"ร้อยละ {self.text_value}"
        if q.type == "number" and isinstance(v, int | float):
            return f"{v:,.10g}" if isinstance(v, float) else f"{v:,}"
        return str(v)

    @property
    def answer_items(self) -> list[str]:
        """A multiple choice's ticked options, one label each (the review page lists them)."""
        v = self.value
        if self.question.type != "multiple_choice" or not isinstance(v, list | tuple):
            return []
        labels = dict(self.choices)
        return [labels.get(str(x), str(x)) for x in v]

    @property
    def wants_file(self) -> bool:
        """Whether the question takes uploads (an evidence question, or evidence on another)."""
        return self.question.type == "evidence" or self.question.evidence != "none"


@dataclass
class SubView:
    code: str
    name: str
    questions: list[QuestionView]
    number: str = ""
    """``pillar.sub`` (the prefix of its questions' numbers)."""


@dataclass
class PillarView:
    code: str
    name: str
    subs: list[SubView]
    answered: int = 0
    required: int = 0

    @property
    def shown_questions(self) -> list[QuestionView]:
        """The questions the agency sees, in order."""
        return [qv for sub in self.subs for qv in sub.questions if qv.shown]

    @property
    def commented(self) -> list[QuestionView]:
        """Shown questions that carry an officer's open comment."""
        return [qv for qv in self.shown_questions if qv.comments]

    @property
    def incomplete(self) -> list[QuestionView]:
        """Shown questions still missing an answer or required evidence."""
        return [qv for qv in self.shown_questions if qv.missing or qv.evidence_missing]

    @property
    def needs_work(self) -> bool:
        """Whether the pillar has comments to answer or missing items."""
        return bool(self.commented or self.incomplete)


def question_numbers(
    framework: Framework, shown: Mapping[str, bool] | None = None
) -> dict[str, str]:
    """``pillar.sub.question`` numbers (1-based) in questionnaire order, e.g. ``2.1.3``.

    With ``shown`` (``Framework.evaluate_show_if``) only the questions the agency sees are
    counted, so the numbers run on without gaps; hidden ones get ``""``. The page script
    renumbers the same way when a question appears or disappears."""
    out: dict[str, str] = {}
    for pi, pillar in enumerate(framework.pillars, start=1):
        for si, sub in enumerate(pillar.sub_indicators, start=1):
            qi = 0
            for q in sub.questions:
                if shown is not None and not shown.get(q.id, True):
                    out[q.id] = ""
                    continue
                qi += 1
                out[q.id] = f"{pi}.{si}.{qi}"
    return out


def sub_numbers(framework: Framework) -> dict[str, str]:
    """``pillar.sub`` of each sub-indicator code (the prefix of its questions' numbers)."""
    return {
        sub.code: f"{pi}.{si}"
        for pi, pillar in enumerate(framework.pillars, start=1)
        for si, sub in enumerate(pillar.sub_indicators, start=1)
    }


def pillar_view(
    framework: Framework,
    pillar: Pillar,
    answers: Mapping[str, Any],
    *,
    shown: Mapping[str, bool],
    errors: Mapping[str, str] | None = None,
    missing: Iterable[str] = (),
    evidence_missing: Iterable[str] = (),
    comments: Sequence[Any] = (),
    files: Sequence[Any] = (),
) -> PillarView:
    """The questions of one pillar with their values, visibility, errors, comments and files
    (numbered over the shown questions only)."""
    numbers = question_numbers(framework, shown)
    prefixes = sub_numbers(framework)
    errors = errors or {}
    missing_set, ev_missing = set(missing), set(evidence_missing)
    by_q: dict[str, list[Any]] = {}
    for c in comments:
        if c.question_id:
            by_q.setdefault(c.question_id, []).append(c)
    files_by_q: dict[str, list[Any]] = {}
    for f in files:
        files_by_q.setdefault(f.question_id, []).append(f)
    subs = [
        SubView(
            code=sub.code,
            name=sub.name_th,
            questions=[
                QuestionView(
                    question=q,
                    number=numbers[q.id],
                    value=answers.get(q.id),
                    shown=shown.get(q.id, True),
                    error=errors.get(q.id),
                    missing=q.id in missing_set,
                    evidence_missing=q.id in ev_missing,
                    comments=by_q.get(q.id, []),
                    files=files_by_q.get(q.id, []),
                )
                for q in sub.questions
            ],
            number=prefixes[sub.code],
        )
        for sub in pillar.sub_indicators
    ]
    return PillarView(code=pillar.code, name=pillar.name_th, subs=subs)


def outside_answers(framework: Framework, pillar: Pillar, answers: Mapping[str, Any]) -> str:
    """JSON of the answers to questions of *other* pillars that this pillar's show-ifs read."""
    on_page = {q.id for s in pillar.sub_indicators for q in s.questions}
    needed: set[str] = set()
    for s in pillar.sub_indicators:
        for q in s.questions:
            if q.show_if is not None:
                needed.update(q.show_if.referenced_questions())
    # The whole chain before this page matters for cascading; send its visibility-resolved values.
    shown = framework.evaluate_show_if(answers)
    values = {
        qid: (answers.get(qid) if shown.get(qid, True) else None)
        for qid in sorted(needed - on_page)
    }
    return json.dumps(values, ensure_ascii=False).replace("</", "<\\/")


def answers_from_form(
    framework: Framework,
    form: Sequence[tuple[str, Any]],
    *,
    allowed: set[str] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers a form carries (question id → raw value), and refused question ids.

    Only questions named in the hidden ``_q`` fields are read. Multiple choice gives the list
    of ticked options (None when none is ticked); other types the raw string (None when blank);
    evidence questions are answered by uploading, not by this form.
    """
    present: list[str] = []
    values: dict[str, list[str]] = {}
    for key, value in form:
        if not isinstance(value, str):
            continue
        if key == PRESENT_FIELD:
            if value not in present:
                present.append(value)
        else:
            values.setdefault(key, []).append(value)
    answers: dict[str, Any] = {}
    refused: dict[str, str] = {}
    known = set(framework.question_ids)
    for qid in present:
        if qid not in known or (allowed is not None and qid not in allowed):
            refused[qid] = UNKNOWN_QUESTION
            continue
        q = framework.question(qid)
        if q.type == "evidence":
            continue
        raw = values.get(qid, [])
        if q.type == "multiple_choice":
            answers[qid] = list(dict.fromkeys(raw)) or None
        else:
            text = raw[0].strip() if raw else ""
            answers[qid] = text or None
    return answers, refused


def is_answered(value: Any) -> bool:
    """Whether a stored value counts as an answer (not blank, not an empty list)."""
    return not is_empty(value)
