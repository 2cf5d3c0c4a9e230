"""The operators' workbook of a released run: every agency's results in one XLSX.

Sheet ``ผลการสำรวจ``: one row per agency of the run (scored or not) with its groups, overall
score and level, peer mean and rank, last year, each pillar's score and level, each
sub-indicator's score, and its result letter (number, date, kind) and e-mail state. Sheet
``รายละเอียด``: which run, released when and by whom, the framework, the peer rule, last
year's source. Numbers are stored at full precision and shown with two decimals.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from dgops.registry import LEVEL_LABELS_TH, MISSION_LABELS_TH, TYPE_LABELS_TH
from dgops.results.view import MIN_PEERS, ResultSet
from dgops.thai import to_local

__all__ = ["FONT_NAME", "results_frame", "results_workbook"]

FONT_NAME = "TH Sarabun New"


def results_frame(
    results: ResultSet,
    letters: pd.DataFrame | None = None,
    mail_states: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """One row per agency of the run, with Thai column headers (see the module doc)."""
    agencies = results.agencies.loc[results.agency_ids()]
    scores = results.scores
    out = pd.DataFrame(index=agencies.index)
    out["รหัสหน่วยงาน"] = agencies["code"]
    out["ชื่อหน่วยงาน"] = agencies["name_th"]
    labels: list[tuple[str, str, Mapping[Any, str]]] = [
        ("ระดับหน่วยงาน", "level", {k.value: v for k, v in LEVEL_LABELS_TH.items()}),
        ("ประเภท", "agency_type", {k.value: v for k, v in TYPE_LABELS_TH.items()}),
        ("ภารกิจ", "mission", {k.value: v for k, v in MISSION_LABELS_TH.items()}),
    ]
    for header, column, names in labels:
        out[header] = agencies[column].map(lambda v, n=names: n.get(v, "") if v else "")
    out["กระทรวง"] = agencies["ministry"].fillna("")
    out["จังหวัด"] = agencies["province"].fillna("")
    out["กลุ่มเปรียบเทียบ"] = agencies["peer_label_th"]
    overall = scores[scores["kind"] == "overall"].set_index("agency_id")
    out["ได้รับคะแนน"] = ["ใช่" if i in overall.index else "ไม่ได้ตอบ" for i in out.index]
    out["คะแนนภาพรวม"] = overall["score"].reindex(out.index)
    out["ระดับภาพรวม"] = overall["level"].reindex(out.index)
    out["ค่าเฉลี่ยกลุ่ม"] = overall["peer_mean"].reindex(out.index)
    out["อันดับในกลุ่ม"] = overall["rank_peer"].reindex(out.index)
    out["จำนวนในกลุ่ม"] = overall["peer_size"].reindex(out.index)
    out["คะแนนปีก่อน"] = overall["previous"].reindex(out.index)
    for pillar in results.framework.pillars:
        rows = scores[(scores["kind"] == "pillar") & (scores["code"] == pillar.code)]
        rows = rows.set_index("agency_id")
        out[f"{pillar.code} คะแนน"] = rows["score"].reindex(out.index)
        out[f"{pillar.code} ระดับ"] = rows["level"].reindex(out.index)
    subs = scores[scores["kind"] == "sub_indicator"]
    if len(subs):
        wide = subs.pivot(index="agency_id", columns="code", values="score")
        for pillar in results.framework.pillars:
            for sub in pillar.sub_indicators:
                if sub.code in wide.columns:
                    out[f"{sub.code} คะแนน"] = wide[sub.code].reindex(out.index)
    if letters is not None and len(letters):
        mine = letters[letters["run_id"] == results.run.id].set_index("agency_id")
        kind_th = {"result": "แจ้งผล", "correction": "แจ้งแก้ไขผล"}
        out["เลขที่หนังสือ"] = mine["number"].reindex(out.index).fillna("")
        out["ลงวันที่"] = mine["issued_on"].reindex(out.index)
        out["ประเภทหนังสือ"] = mine["kind"].map(kind_th).reindex(out.index).fillna("")
    if mail_states is not None:
        out["สถานะอีเมล"] = [mail_states.get(int(i), "ยังไม่ส่ง") for i in out.index]
    return out.reset_index(drop=True)


def results_workbook(
    results: ResultSet,
    letters: pd.DataFrame | None = None,
    mail_states: Mapping[int, str] | None = None,
) -> bytes:
    """The operators' XLSX of the released run (bytes)."""
    frame = results_frame(results, letters, mail_states)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "ผลการสำรวจ"
    font = Font(name=FONT_NAME, size=14)
    bold = Font(name=FONT_NAME, size=14, bold=True)
    ws.append(list(frame.columns))
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for record in frame.itertuples(index=False):
        ws.append([_cell(v) for v in record])
    decimals = {i + 1 for i, c in enumerate(frame.columns) if "คะแนน" in c or c == "ค่าเฉลี่ยกลุ่ม"}
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.font = font
            if cell.column in decimals and isinstance(cell.value, float):
                cell.number_format = "0.00"
            elif cell.column == 1:
                cell.number_format = "@"  # codes stay text (leading zeros)
    ws.freeze_panes = "C2"
    for i, column in enumerate(frame.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(column) + 4))
    ws.column_dimensions["B"].width = 45
    about = wb.create_sheet("รายละเอียด")
    run = results.run
    previous = results.previous
    released = to_local(run.released_at).strftime("%Y-%m-%d %H:%M") if run.released_at else ""
    rows = [
        ("ปีการสำรวจ", results.year_be),
        ("รอบการคำนวณคะแนน (run)", run.id),
        ("กรอบการประเมิน", run.framework_version),
        (
            "เผยแพร่ผลเมื่อ",
            released,
        ),
        ("ผู้เผยแพร่ผล", run.released_by or ""),
        ("เหตุผลที่แก้ไขผล", run.supersede_reason or "-"),
        (
            "กลุ่มเปรียบเทียบ",
            "หน่วยงานระดับ ประเภท และภารกิจเดียวกัน; กลุ่มที่มีหน่วยงานได้รับคะแนนน้อยกว่า "
            f"{MIN_PEERS} แห่ง เทียบกับหน่วยงานระดับเดียวกัน",
        ),
        ("คะแนนปีก่อน", previous.label_th if previous else "ไม่มีข้อมูลปีก่อน"),
        ("จำนวนหน่วยงาน", len(frame)),
    ]
    for key, value in rows:
        about.append([key, value])
    for row in about.iter_rows():
        row[0].font = bold
        row[1].font = font
    about.column_dimensions["A"].width = 30
    about.column_dimensions["B"].width = 80
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value
