"""Errors of response intake; every message is bilingual (Thai first, then English)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from dgops.thai import thai_date

__all__ = [
    "EvidenceError",
    "IncompleteError",
    "LateError",
    "LockedError",
    "NotEnrolledError",
    "ResponseError",
    "TransitionError",
]


class ResponseError(Exception):
    """Base class: a response operation refused, with a Thai + English message."""

    def __init__(self, message_th: str, message_en: str) -> None:
        self.message_th = message_th
        self.message_en = message_en
        super().__init__(f"{message_th} ({message_en})")


class LockedError(ResponseError):
    """The response is submitted or verified: answers and evidence cannot change."""

    def __init__(self, status: str) -> None:
        self.status = status
        super().__init__(
            f"แบบสำรวจอยู่ในสถานะ {status} จึงแก้ไขไม่ได้",
            f"the response is {status} and cannot be edited",
        )


class LateError(ResponseError):
    """The agency's answering window closed: its deadline (extensions counted) and the late
    days the rule allows have passed."""

    def __init__(self, last_day: dt.date) -> None:
        self.last_day = last_day
        super().__init__(
            f"พ้นกำหนดส่งแบบสำรวจแล้ว (รับคำตอบถึงวันที่ {thai_date(last_day)})",
            f"the answering window closed on {last_day.isoformat()}",
        )


class TransitionError(ResponseError):
    """A status change that the status machine does not allow."""

    def __init__(self, from_status: str, to_status: str) -> None:
        self.from_status = from_status
        self.to_status = to_status
        super().__init__(
            f"เปลี่ยนสถานะจาก {from_status} เป็น {to_status} ไม่ได้",
            f"cannot move a response from {from_status} to {to_status}",
        )


class IncompleteError(ResponseError):
    """Submission refused: required answers (or required evidence) are missing."""

    def __init__(self, missing: Sequence[str], evidence_missing: Sequence[str] = ()) -> None:
        self.missing = list(missing)
        self.evidence_missing = list(evidence_missing)
        parts_th, parts_en = [], []
        if self.missing:
            parts_th.append(f"ยังไม่ได้ตอบคำถามที่ต้องตอบ {len(self.missing)} ข้อ")
            parts_en.append(f"{len(self.missing)} required answer(s) missing")
        if self.evidence_missing:
            parts_th.append(f"ยังไม่ได้แนบหลักฐาน {len(self.evidence_missing)} ข้อ")
            parts_en.append(f"{len(self.evidence_missing)} required evidence file(s) missing")
        ids = ", ".join([*self.missing, *self.evidence_missing][:20])
        super().__init__(" และ ".join(parts_th) + f": {ids}", "; ".join(parts_en) + f": {ids}")


class NotEnrolledError(ResponseError):
    """The agency is not surveyed in this cycle."""

    def __init__(self, agency: str, cycle: str) -> None:
        super().__init__(
            f"หน่วยงาน {agency} ไม่อยู่ในรายชื่อผู้ตอบแบบสำรวจปี {cycle}",
            f"agency {agency} is not enrolled in cycle {cycle}",
        )


class EvidenceError(ResponseError):
    """An evidence file was refused (type, size, macros) or does not belong to the response."""
