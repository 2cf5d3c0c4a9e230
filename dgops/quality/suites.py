"""Expectation suites kept as files in ``expectations/``: generated from a framework, plus
hand-written cross-field rules.

The generated suite of a framework year (``dgops_<id>_framework.json``) checks what the
framework says about each question: the answer's type, its options, its range, that required
questions are answered when shown, that hidden questions are left blank, and that claims at
level 3 and above carry evidence. Hand-written suites of the same year
(``dgops_<id>_<anything>.json``, e.g. ``dgops_2566_cross.json``) hold rules across questions
and agencies. Every expectation's ``meta`` carries ``severity`` (``error`` blocks scoring and
returns the response; ``warning`` is for the operators' review), ``message_th`` (what the
agency reads), ``rule`` and, when it is about one question, ``question_id``.

Suites are plain JSON in Great Expectations' 1.x format; this module writes and reads them
without importing Great Expectations (which takes seconds to import).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dgops.framework import Framework, Question

__all__ = [
    "SEVERITIES",
    "SuiteError",
    "SuiteFile",
    "check_suites_in_sync",
    "column_names",
    "default_expectations_dir",
    "generate_suite",
    "generated_suite_name",
    "load_suites",
    "render_suite",
    "write_suites",
]

SEVERITIES = ("error", "warning")
GX_SEVERITY = {"error": "critical", "warning": "warning"}
"""Great Expectations' own severity field, kept in step with ``meta.severity``."""
_NAMESPACE = uuid.UUID("6f1c2a47-0d5e-4b8e-9a61-2f3d7c9b5e10")

KIND_OF_TYPE = {
    "yes_no": "string",
    "single_choice": "string",
    "multiple_choice": "array",
    "number": "number",
    "percentage": "number",
    "text": "string",
    "evidence": "string",
}

_TYPE_TH = {
    "yes_no": "คำตอบ ใช่ หรือ ไม่ใช่",
    "single_choice": "ตัวเลือกเดียวจากรายการที่กำหนด",
    "multiple_choice": "รายการตัวเลือก (เลือกได้หลายข้อ)",
    "number": "ตัวเลข",
    "percentage": "ตัวเลขร้อยละ",
    "text": "ข้อความ",
    "evidence": "ไฟล์หลักฐาน",
}


class SuiteError(Exception):
    """A suite file is missing, unreadable or malformed: the run stops before any change."""


@dataclass(frozen=True)
class SuiteFile:
    """One suite read from ``expectations/``: its name, path and parsed JSON."""

    name: str
    path: Path
    data: dict[str, Any]


def default_expectations_dir() -> Path:
    """The top-level ``expectations/`` folder of the project (``DGOPS_HOME``)."""
    from dgops.settings import get_settings

    return get_settings().expectations_dir


def generated_suite_name(framework_id: str, pillar: str) -> str:
    """Name (and file stem) of the suite generated for one pillar of ``framework_id``.

    One suite per pillar: each suite is validated on a frame of only the columns it reads, so
    the per-expectation row filtering of Great Expectations stays cheap on wide frames."""
    return f"dgops_{framework_id}_framework_{pillar.lower().replace('.', '_')}"


def column_names(question_id: str) -> dict[str, str]:
    """The check frame's columns for one question (see :mod:`dgops.quality.frame`)."""
    return {
        "value": question_id,
        "kind": f"{question_id}__kind",
        "if_shown": f"{question_id}__if_shown",
        "if_hidden": f"{question_id}__if_hidden",
        "evidence": f"{question_id}__evidence",
        "peer_z": f"{question_id}__peer_z",
    }


def _expectation(
    kind: str,
    kwargs: dict[str, Any],
    *,
    rule: str,
    severity: str,
    message_th: str,
    question_id: str | None,
    message_en: str,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"rule": rule, "severity": severity, "message_th": message_th}
    meta["message_en"] = message_en
    if question_id is not None:
        meta["question_id"] = question_id
    return {"type": kind, "kwargs": kwargs, "meta": meta, "severity": GX_SEVERITY[severity]}


def _question_expectations(framework: Framework, q: Question) -> list[dict[str, Any]]:
    cols = column_names(q.id)
    out: list[dict[str, Any]] = []

    def add(kind: str, kwargs: dict[str, Any], rule: str, severity: str, th: str, en: str) -> None:
        out.append(
            _expectation(
                kind,
                kwargs,
                rule=rule,
                severity=severity,
                message_th=th,
                message_en=en,
                question_id=q.id,
            )
        )

    if q.type not in ("yes_no", "single_choice"):  # choices: the option check covers it
        number = q.type in ("number", "percentage")
        add(
            "expect_column_values_to_be_in_set",
            {"column": cols["kind"], "value_set": [KIND_OF_TYPE[q.type]]},
            "wrong_type",
            "error",
            f"รูปแบบคำตอบไม่ถูกต้อง คำตอบของข้อนี้ต้องเป็น{_TYPE_TH[q.type]}"
            + (" (เลขอารบิก 0–9 ไม่ใช้เลขไทย ไม่ใส่หน่วยหรือข้อความอื่น)" if number else ""),
            f"answer of the wrong type: expected {q.type}",
        )
    if q.type in ("yes_no", "single_choice"):
        options = q.option_ids()
        add(
            "expect_column_values_to_be_in_set",
            {"column": cols["value"], "value_set": options},
            "not_an_option",
            "error",
            "คำตอบไม่อยู่ในตัวเลือกของคำถาม กรุณาเลือกจากตัวเลือกที่กำหนด",
            f"not an option (allowed: {', '.join(options)})",
        )
    elif q.type == "multiple_choice":
        alt = "|".join(re.escape(o) for o in q.option_ids())
        add(
            "expect_column_values_to_match_regex",
            {"column": cols["value"], "regex": rf"^(?:(?:{alt})(?:\|(?:{alt}))*)?$"},
            "not_an_option",
            "error",
            "มีตัวเลือกที่ไม่อยู่ในรายการของคำถาม กรุณาเลือกจากตัวเลือกที่กำหนด",
            "a selected value is not an option",
        )
    elif q.type in ("number", "percentage"):
        if q.type == "percentage":
            add(
                "expect_column_values_to_be_between",
                {"column": cols["value"], "min_value": 0, "max_value": 100},
                "out_of_range",
                "error",
                "ค่าร้อยละต้องอยู่ระหว่าง 0 ถึง 100",
                "a percentage must be within 0..100",
            )
        else:
            add(
                "expect_column_values_to_be_between",
                {"column": cols["value"], "min_value": 0},
                "out_of_range",
                "error",
                "ตัวเลขต้องไม่ติดลบ (ตั้งแต่ 0 ขึ้นไป)",
                "a count or amount cannot be negative",
            )
    if q.required:
        add(
            "expect_column_values_to_not_be_null",
            {"column": cols["if_shown"]},
            "required",
            "error",
            "ยังไม่ได้ตอบข้อนี้ ซึ่งเป็นข้อที่ต้องตอบ" + (" (กรุณาแนบไฟล์หลักฐาน)" if q.type == "evidence" else ""),
            "a required question is not answered",
        )
    if q.show_if is not None:
        refs = ", ".join(dict.fromkeys(q.show_if.referenced_questions()))
        add(
            "expect_column_values_to_be_null",
            {"column": cols["if_hidden"]},
            "answered_hidden",
            "warning",
            f"มีคำตอบในข้อนี้ ทั้งที่ตามคำตอบข้อ {refs} ไม่ต้องตอบข้อนี้ "
            f"คำตอบนี้จะไม่นำไปคิดคะแนน กรุณาตรวจสอบคำตอบข้อ {refs}",
            f"answered although hidden by {refs}; it is not scored",
        )
    if q.level is not None and q.level >= 3 and q.evidence != "none" and q.type != "evidence":
        add(
            "expect_column_values_to_be_in_set",
            {"column": cols["evidence"], "value_set": [True]},
            "evidence_missing",
            "error",
            f"ข้อนี้ระบุว่าหน่วยงานดำเนินการแล้ว (ระดับ {q.level}) แต่ยังไม่ได้แนบหลักฐาน "
            "กรุณาแนบเอกสารหลักฐานประกอบ",
            f"a level-{q.level} claim without evidence",
        )
    return out


def generate_suite(framework: Framework) -> list[dict[str, Any]]:
    """The suites generated from ``framework`` (one per pillar), as GE 1.x suite JSON."""
    suites = []
    for pillar in framework.pillars:
        expectations: list[dict[str, Any]] = []
        for sub in pillar.sub_indicators:
            for q in sub.questions:
                expectations.extend(_question_expectations(framework, q))
        suites.append(
            {
                "name": generated_suite_name(framework.id, pillar.code),
                "expectations": expectations,
                "meta": {
                    "dgops": {
                        "framework": framework.id,
                        "pillar": pillar.code,
                        "generated": True,
                        "note": "Generated by `dgops quality suites --framework "
                        f"{framework.id}`; do not edit by hand.",
                    }
                },
                "notes": None,
            }
        )
    return suites


def with_ids(suite: dict[str, Any]) -> dict[str, Any]:
    """``suite`` with stable ids (UUID 5 of the suite name and position) on the suite and
    every expectation. Great Expectations writes random ids into a suite file that has none
    the first time it validates it; stable ids keep the committed files untouched."""
    name = str(suite["name"])
    out = dict(suite)
    out["id"] = str(uuid.uuid5(_NAMESPACE, name))
    out["expectations"] = [
        {**e, "id": str(uuid.uuid5(_NAMESPACE, f"{name}/{i}/{e['type']}"))}
        for i, e in enumerate(suite["expectations"])
    ]
    return out


def render_suite(suite: dict[str, Any]) -> str:
    """The text of a suite file exactly as Great Expectations writes it back (sorted keys,
    ASCII with ``\\u`` escapes, ids, GE's severity): when GE saves a suite it has read, the
    committed file does not change."""
    return json.dumps(with_ids(suite), ensure_ascii=True, indent=2, sort_keys=True) + "\n"


def _generated_glob(framework_id: str) -> str:
    return f"dgops_{framework_id}_framework_*.json"


def write_suites(framework: Framework, directory: Path | None = None) -> list[Path]:
    """(Re)write the generated suites of ``framework`` into ``directory`` (stale generated
    files of the year are removed; hand-written ones are left alone); return their paths."""
    directory = directory or default_expectations_dir()
    directory.mkdir(parents=True, exist_ok=True)
    wanted = {f"{s['name']}.json": s for s in generate_suite(framework)}
    for old in directory.glob(_generated_glob(framework.id)):
        if old.name not in wanted:
            old.unlink()
    paths = []
    for name, suite in wanted.items():
        path = directory / name
        path.write_text(render_suite(suite), encoding="utf-8")
        paths.append(path)
    return paths


def check_suites_in_sync(framework: Framework, directory: Path | None = None) -> list[str]:
    """Problems when the committed generated suites differ from what the framework gives."""
    directory = directory or default_expectations_dir()
    hint = f"run `dgops quality suites --framework {framework.id}`"
    wanted = {f"{s['name']}.json": render_suite(s) for s in generate_suite(framework)}
    problems = [
        f"{p.name}: no longer generated; {hint}"
        for p in sorted(directory.glob(_generated_glob(framework.id)))
        if p.name not in wanted
    ]
    for name, text in wanted.items():
        path = directory / name
        if not path.is_file():
            problems.append(f"{name}: missing; {hint}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{name}: out of date; {hint}")
    return problems


def _check_suite(path: Path, data: Any) -> list[str]:
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        return [f"{path.name}: not a suite (needs a list of `expectations`)"]
    if data.get("name") != path.stem:
        problems.append(f"{path.name}: `name` must be {path.stem!r}")
    for i, exp in enumerate(data["expectations"]):
        where = f"{path.name}: expectations[{i}]"
        if not isinstance(exp, dict) or not isinstance(exp.get("type"), str):
            problems.append(f"{where}: needs a `type`")
            continue
        meta = exp.get("meta") or {}
        if meta.get("severity") not in SEVERITIES:
            problems.append(f"{where}: meta.severity must be one of {SEVERITIES}")
        if not str(meta.get("message_th") or "").strip():
            problems.append(f"{where}: meta.message_th (the Thai message) is missing")
        if not isinstance(exp.get("kwargs"), dict):
            problems.append(f"{where}: needs `kwargs`")
    return problems


def load_suites(framework_id: str, directory: Path | None = None) -> list[SuiteFile]:
    """The suites of framework ``framework_id`` (``dgops_<id>_*.json``), checked.

    Raises :class:`SuiteError` (Thai and English) when the generated suite is missing or any
    file is not valid JSON or lacks a severity or Thai message.
    """
    directory = directory or default_expectations_dir()
    paths = sorted(directory.glob(f"dgops_{framework_id}_*.json"))
    if not list(directory.glob(_generated_glob(framework_id))):
        raise SuiteError(
            f"ไม่พบชุดกฎตรวจสอบคุณภาพของกรอบปี {framework_id} / no suite files "
            f"{_generated_glob(framework_id)} in {directory} "
            f"(run `dgops quality suites --framework {framework_id}`)"
        )
    suites: list[SuiteFile] = []
    problems: list[str] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{path.name}: not readable JSON ({exc})")
            continue
        found = _check_suite(path, data)
        problems.extend(found)
        if not found:
            suites.append(SuiteFile(path.stem, path, data))
    if problems:
        raise SuiteError(
            "ชุดกฎตรวจสอบคุณภาพเสียหาย ไม่มีการเปลี่ยนสถานะแบบสำรวจ / broken suite file(s), "
            "nothing changed:\n" + "\n".join(problems)
        )
    return suites


def referenced_columns(suites: Iterable[SuiteFile]) -> set[str]:
    """Every column the suites' expectations name (to check them against the check frame)."""
    found: set[str] = set()
    for suite in suites:
        for exp in suite.data["expectations"]:
            kwargs = exp.get("kwargs", {})
            for key in ("column", "column_A", "column_B"):
                if isinstance(kwargs.get(key), str):
                    found.add(kwargs[key])
            for col in kwargs.get("column_list", []) or []:
                found.add(str(col))
    return found
