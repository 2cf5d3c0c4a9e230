"""The statistical tables of the national report, computed from :class:`PublicationData`.

Each :class:`StatTable` is one table of the report, one sheet of the workbook and the source
of the charts and slides that show it: the numbers are computed once, here. A percentage over a
group of fewer than :data:`MIN_GROUP` agencies is not printed (a misleading 100 % for one
agency); the cell says so (None, shown ``–``) and the table's notes explain it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from dgops.publish.coding import coded_counts
from dgops.publish.data import PublicationData
from dgops.registry import (
    BANGKOK_PROVINCE,
    LEVEL_LABELS_TH,
    MISSION_LABELS_TH,
    PROVINCES,
    TYPE_LABELS_TH,
)
from dgops.results import level_distribution

__all__ = [
    "GROUPS",
    "MIN_GROUP",
    "SMALL_NOTE_TH",
    "Column",
    "StatTable",
    "all_provinces",
    "build_tables",
    "group_label",
    "pillar_strength",
]

MIN_GROUP = 5
"""Fewest agencies a percentage is printed for."""
SMALL_NOTE_TH = f"– กลุ่มที่มีน้อยกว่า {MIN_GROUP} หน่วยงาน ไม่แสดงร้อยละเพื่อไม่ให้ตีความคลาดเคลื่อน"
NO_GROUP_TH = "ไม่ระบุ"
SOURCE_TH = "ที่มา: การสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ ปี {year} ({version})"
GROUPS: dict[str, str] = {
    "level": "ระดับหน่วยงาน",
    "agency_type": "ประเภทหน่วยงาน",
    "mission": "ภารกิจหลัก",
    "ministry": "กระทรวง (สังกัด)",
    "province": "จังหวัด",
}
DEFINED = 3
"""Level ขั้นกลาง (Defined): the report's "at Defined or above" share."""

Kind = Literal["text", "int", "pct", "score"]


@dataclass(frozen=True)
class Column:
    """A column of a table: key, Thai header and how its numbers are shown."""

    key: str
    label_th: str
    kind: Kind = "text"


@dataclass
class StatTable:
    """One table of the report (and one sheet of the workbook)."""

    key: str
    title_th: str
    columns: list[Column]
    rows: list[list[Any]]
    base_th: str
    source_th: str
    notes_th: list[str] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame with the columns' keys."""
        return pd.DataFrame(self.rows, columns=[c.key for c in self.columns])


def all_provinces() -> tuple[str, ...]:
    """The 77 provinces: Bangkok, then the 76 others."""
    return (BANGKOK_PROVINCE, *PROVINCES)


def group_label(by: str, value: Any) -> str:
    """The Thai label of a group value (level, type, mission codes; names as they are)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return NO_GROUP_TH
    tables: dict[str, dict[Any, str]] = {
        "level": dict(LEVEL_LABELS_TH),
        "agency_type": dict(TYPE_LABELS_TH),
        "mission": dict(MISSION_LABELS_TH),
    }
    labels = tables.get(by, {})
    return labels.get(value, str(value))


def _pct(part: float, whole: float) -> float | None:
    return None if whole < MIN_GROUP else round(100.0 * part / whole, 2)


def _levels(data: PublicationData) -> pd.DataFrame:
    """Scored agencies' overall score and level with their group fields."""
    overall = data.scores[data.scores["kind"] == "overall"].set_index("agency_id")
    # "level" of an agency is its administrative level; the maturity level is "maturity".
    scored = overall[["score", "level"]].rename(columns={"level": "maturity"})
    out = data.agencies.join(scored, how="inner")
    return out[out["maturity"].notna()]


def _response_tables(data: PublicationData, source: str) -> list[StatTable]:
    tables = []
    a = data.agencies
    total, responded = len(a), int(a["responded"].sum())
    cols = [
        Column("group", "กลุ่ม"),
        Column("invited", "จำนวนหน่วยงาน", "int"),
        Column("responded", "ตอบแบบสำรวจ", "int"),
        Column("rate", "อัตราการตอบกลับ (ร้อยละ)", "pct"),
    ]
    for i, (by, title) in enumerate(GROUPS.items(), start=1):
        grouped = a.assign(_g=[group_label(by, v) for v in a[by]]).groupby("_g", sort=True)
        rows: list[list[Any]] = []
        small = False
        for name, part in grouped:
            n, r = len(part), int(part["responded"].sum())
            rate = _pct(r, n)
            small |= rate is None
            rows.append([str(name), n, r, rate])
        rows.sort(key=lambda row: (row[0] == NO_GROUP_TH, -row[1], row[0]))
        rows.append(["รวมทั้งหมด", total, responded, _pct(responded, total)])
        notes = [SMALL_NOTE_TH] if small else []
        tables.append(
            StatTable(
                f"T1{i}_response_{by}",
                f"อัตราการตอบกลับแบบสำรวจ จำแนกตาม{title}",
                cols,
                rows,
                f"ฐาน: หน่วยงานที่ได้รับเชิญตอบแบบสำรวจ {total:,} หน่วยงาน",
                source,
                notes,
            )
        )
    return tables


def _dist_row(label: str, year: str, dist: pd.DataFrame, code: str) -> list[Any]:
    if code not in dist.index:
        return [label, year, 0, None, None, None, None, None, None]
    row: dict[Any, Any] = dist.loc[code].to_dict()
    n = int(row["n"])
    pcts = [None if n < MIN_GROUP else round(float(row[f"pct_{k}"]), 2) for k in range(1, 6)]
    mean: float | None = None if pd.isna(row["mean"]) else round(float(row["mean"]), 2)
    return [label, year, n, *pcts, mean]


def _level_columns(data: PublicationData, first: Sequence[Column]) -> list[Column]:
    names = {lv.level: lv.name_th for lv in data.framework.levels}
    return [
        *first,
        Column("n", "จำนวนหน่วยงาน", "int"),
        *(Column(f"pct_{k}", f"{names.get(k, k)} (ร้อยละ)", "pct") for k in range(1, 6)),
        Column("mean", "คะแนนเฉลี่ย", "score"),
    ]


def _maturity_table(data: PublicationData, source: str, base: str) -> StatTable:
    dist = level_distribution(data.scores)
    prev = data.previous
    prev_dist = level_distribution(prev.scores) if prev is not None else None
    cols = _level_columns(data, [Column("item", "ภาพรวม/มิติ"), Column("year", "ปี")])
    rows: list[list[Any]] = []
    notes: list[str] = []
    items = [("overall", "ภาพรวม")] + [
        (p.code, f"{p.code} {p.name_th}") for p in data.framework.pillars
    ]
    new_items = []
    for code, label in items:
        rows.append(_dist_row(label, str(data.cycle_year), dist, code))
        if prev is not None and prev_dist is not None:
            row = _dist_row(label, str(prev.year_be), prev_dist, code)
            if row[2] == 0:
                new_items.append(label)
                row[1] = f"{prev.year_be} (ไม่มีข้อมูลเทียบ)"
            rows.append(row)
    if prev is None:
        notes.append("ไม่มีผลการสำรวจปีก่อนสำหรับเปรียบเทียบ")
    else:
        notes.append(f"ปีก่อน: {prev.label_th}")
        if new_items:
            notes.append("ไม่มีข้อมูลปีก่อนเทียบได้ (ตัวชี้วัดใหม่หรือเปลี่ยนกรอบ): " + ", ".join(new_items))
        notes.extend(prev.notes_th)
    if any(r[3] is None and r[2] > 0 for r in rows):
        notes.append(SMALL_NOTE_TH)
    return StatTable(
        "T21_maturity",
        "การกระจายระดับความพร้อมรัฐบาลดิจิทัล ภาพรวมและรายมิติ เทียบกับปีก่อน",
        cols,
        rows,
        base,
        source,
        notes,
    )


def _by_group_table(
    data: PublicationData, levels: pd.DataFrame, by: str, key: str, source: str
) -> StatTable:
    cols = _level_columns(data, [Column("group", GROUPS[by])])
    rows: list[list[Any]] = []
    part = levels[levels[by].notna()]
    small = False
    for value, grp in part.groupby(by, sort=True):
        n = len(grp)
        counts = grp["maturity"].astype(int).value_counts()
        pcts = [_pct(int(counts.get(k, 0)), n) for k in range(1, 6)]
        small |= pcts[0] is None
        rows.append([group_label(by, value), n, *pcts, round(float(grp["score"].mean()), 2)])
    notes = [SMALL_NOTE_TH] if small else []
    missing = len(levels) - len(part)
    if missing:
        notes.append(f"ไม่รวมหน่วยงานที่ไม่มีข้อมูล{GROUPS[by]} {missing:,} หน่วยงาน")
    return StatTable(
        key,
        f"การกระจายระดับความพร้อมภาพรวม จำแนกตาม{GROUPS[by]}",
        cols,
        rows,
        f"ฐาน: หน่วยงานที่ได้รับการประเมินและมีข้อมูล{GROUPS[by]} {len(part):,} หน่วยงาน",
        source,
        notes,
    )


def _province_table(data: PublicationData, levels: pd.DataFrame, source: str) -> StatTable:
    cols = [
        Column("province", "จังหวัด"),
        Column("invited", "จำนวนหน่วยงาน", "int"),
        Column("scored", "ได้รับการประเมิน", "int"),
        Column("mean", "คะแนนเฉลี่ย", "score"),
        Column("defined_up", "ระดับขั้นกลางขึ้นไป (ร้อยละ)", "pct"),
    ]
    invited = data.agencies.groupby("province").size()
    rows: list[list[Any]] = []
    small = False
    for prov in all_provinces():
        grp = levels[levels["province"] == prov]
        n = len(grp)
        mean = round(float(grp["score"].mean()), 2) if n else None
        share = _pct(int((grp["maturity"] >= DEFINED).sum()), n) if n else None
        small |= 0 < n < MIN_GROUP
        rows.append([prov, int(invited.get(prov, 0)), n, mean, share])
    notes = ["ส่วนราชการส่วนกลาง (ไม่ระบุจังหวัด) ไม่รวมในตารางนี้"]
    if small:
        notes.append(SMALL_NOTE_TH)
    return StatTable(
        "T31_provinces",
        "ผลการประเมินรายจังหวัด (77 จังหวัด)",
        cols,
        rows,
        f"ฐาน: หน่วยงานที่ได้รับการประเมินและระบุจังหวัด {int(levels['province'].notna().sum()):,} หน่วยงาน",
        source,
        notes,
    )


def pillar_strength(data: PublicationData) -> pd.DataFrame:
    """Per pillar: n, share at Defined or above, share at Initial, mean — strongest first."""
    pillars = data.scores[(data.scores["kind"] == "pillar") & data.scores["level"].notna()]
    names = {p.code: p.name_th for p in data.framework.pillars}
    rows = []
    for p in data.framework.pillars:
        grp = pillars[pillars["code"] == p.code]
        n = len(grp)
        if not n:
            continue
        rows.append(
            {
                "code": p.code,
                "name_th": names[p.code],
                "n": n,
                "defined_up": round(100.0 * int((grp["level"] >= DEFINED).sum()) / n, 2),
                "initial": round(100.0 * int((grp["level"] == 1).sum()) / n, 2),
                "mean": round(float(grp["score"].mean()), 2),
            }
        )
    frame = pd.DataFrame(rows, columns=["code", "name_th", "n", "defined_up", "initial", "mean"])
    return frame.sort_values(["defined_up", "initial"], ascending=[False, True], kind="stable")


def _strength_table(data: PublicationData, source: str, base: str) -> StatTable:
    frame = pillar_strength(data)
    cols = [
        Column("pillar", "มิติ"),
        Column("n", "จำนวนหน่วยงาน", "int"),
        Column("defined_up", "ระดับขั้นกลางขึ้นไป (ร้อยละ)", "pct"),
        Column("initial", "ระดับริเริ่ม (ร้อยละ)", "pct"),
        Column("mean", "คะแนนเฉลี่ย", "score"),
    ]
    rows = [
        [f"{r['code']} {r['name_th']}", int(r["n"]), r["defined_up"], r["initial"], r["mean"]]
        for r in frame.to_dict("records")
    ]
    return StatTable(
        "T41_pillars",
        "มิติที่มีความพร้อมสูงสุดและต่ำสุด (เรียงตามสัดส่วนระดับขั้นกลางขึ้นไป)",
        cols,
        rows,
        base,
        source,
        [],
    )


def _choice_labels(data: PublicationData, question_id: str) -> dict[str, str]:
    q = data.framework.question(question_id)
    if q.type == "yes_no":
        return {"yes": "ใช่/มี", "no": "ไม่ใช่/ไม่มี"}
    return {o.id: o.text_th for o in q.options or []}


def _fact_tables(data: PublicationData, source: str) -> list[StatTable]:
    tables = []
    cols = [
        Column("answer", "คำตอบ"),
        Column("count", "จำนวน", "int"),
        Column("pct", "ร้อยละ", "pct"),
    ]
    known = set(data.framework.question_ids)
    for i, qid in enumerate(data.config.fact_finding, start=1):
        key = f"T5{i:02d}_{qid}"[:31]
        if qid not in known:
            continue
        q = data.framework.question(qid)
        answers = data.answers.get(qid, {})
        base = len(answers)
        notes: list[str] = []
        rows: list[list[Any]] = []
        frame = data.frame_of(qid)
        title = f"{qid}: {q.text_th}"
        if frame is not None:
            title = f"{qid}: {frame.title_th or q.text_th}"
            counted = coded_counts(
                frame, {a: str(v) for a, v in answers.items()}, data.codes.get(qid, {})
            )
            rows = [
                [label, n, round(100.0 * n / base, 2) if base else None]
                for _, label, n in counted.rows
            ]
            if counted.uncoded:
                notes.append(
                    f"คำตอบที่ยังไม่ได้จัดหมวด {len(counted.uncoded):,} รายการ "
                    "แสดงไว้ในแผ่นงาน 'คำตอบยังไม่จัดหมวด' ของไฟล์ตารางสถิติ"
                )
        elif q.type in ("single_choice", "yes_no", "multiple_choice"):
            labels = _choice_labels(data, qid)
            counts = dict.fromkeys(labels, 0)
            for value in answers.values():
                for v in value if isinstance(value, list) else [value]:
                    counts[str(v)] = counts.get(str(v), 0) + 1
            rows = [
                [labels.get(k, k), n, round(100.0 * n / base, 2) if base else None]
                for k, n in counts.items()
            ]
            if q.type == "multiple_choice":
                notes.append("ตอบได้มากกว่า 1 ข้อ ผลรวมร้อยละจึงอาจเกิน 100")
        else:
            continue
        if not base:
            notes.append("ไม่มีหน่วยงานตอบคำถามนี้")
        tables.append(
            StatTable(
                key,
                title,
                cols,
                rows,
                f"จำนวนผู้ตอบ {base:,} หน่วยงาน (ร้อยละคำนวณจากจำนวนผู้ตอบ)",
                source,
                notes,
            )
        )
    return tables


def build_tables(data: PublicationData) -> list[StatTable]:
    """Every table of the report, in report order."""
    source = SOURCE_TH.format(year=data.cycle_year, version=data.version)
    levels = _levels(data)
    base = f"ฐาน: หน่วยงานที่ได้รับการประเมิน {len(levels):,} หน่วยงาน"
    return [
        *_response_tables(data, source),
        _maturity_table(data, source, base),
        _by_group_table(data, levels, "agency_type", "T22_maturity_type", source),
        _by_group_table(data, levels, "mission", "T23_maturity_mission", source),
        _province_table(data, levels, source),
        _strength_table(data, source, base),
        *_fact_tables(data, source),
    ]
