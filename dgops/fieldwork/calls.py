"""The operators' phone follow-up list: who to call, on which number, what happened so far,
in order of priority (the shortfall of the agency's groups, last year's lateness, bounces,
reminders ignored, days left)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from dgops.fieldwork.policy import FieldworkPolicy, load_policy
from dgops.fieldwork.projection import behind_groups
from dgops.fieldwork.queries import (
    GROUP_FIELDS,
    OPEN_STATUSES,
    RESPONDED,
    agency_progress,
    cycle_of,
    effective_deadlines,
)
from dgops.fieldwork.snapshot import previous_cycle

CALL_COLUMNS = [
    "priority",
    "score",
    "code",
    "name_th",
    "level",
    "ministry",
    "province",
    "status",
    "days_to_deadline",
    "contact_name",
    "contact_phone",
    "contact_email",
    "bounced",
    "reminders_sent",
    "last_reminder_at",
    "last_email_event",
    "group_shortfall",
    "late_last_year",
    "history",
]
HEADERS_TH = {
    "priority": "ลำดับ",
    "score": "คะแนนความเร่งด่วน",
    "code": "รหัสหน่วยงาน",
    "name_th": "ชื่อหน่วยงาน",
    "level": "ระดับ",
    "ministry": "กระทรวง",
    "province": "จังหวัด",
    "status": "สถานะ",
    "days_to_deadline": "เหลือ (วัน)",
    "contact_name": "ผู้ติดต่อ",
    "contact_phone": "โทรศัพท์",
    "contact_email": "อีเมล",
    "bounced": "อีเมลตีกลับ",
    "reminders_sent": "แจ้งเตือนแล้ว (ครั้ง)",
    "last_reminder_at": "แจ้งเตือนล่าสุด",
    "last_email_event": "สถานะอีเมลล่าสุด",
    "group_shortfall": "กลุ่มขาดจากเป้า (จุด)",
    "late_last_year": "ปีก่อนส่งช้า/ไม่ส่ง",
    "history": "ประวัติ",
}


def _late_last_year(session: Session, year_be: int, codes: pd.Series) -> pd.Series:
    cycle = cycle_of(session, year_be)
    prev = previous_cycle(session, cycle)
    if prev is None:
        return pd.Series(False, index=codes.index)
    last = agency_progress(session, prev.year_be, today=prev.deadline).set_index("code")
    deadline_end = pd.Timestamp(prev.deadline + dt.timedelta(days=1), tz="UTC")
    late = ~last["status"].isin(RESPONDED) | (last["submitted_at"] >= deadline_end)
    return codes.map(late).fillna(False).astype(bool)


def _history(r: dict[Any, Any]) -> str:
    """What happened so far, in Thai, for the operator on the phone."""
    parts = [f"แจ้งเตือน {r['reminders_sent']} ครั้ง"]
    if pd.notna(r["last_reminder_at"]):
        parts[0] += f" ล่าสุด {r['last_reminder_at']:%Y-%m-%d}"
    if r["last_email_event"]:
        parts.append(f"อีเมลล่าสุด: {r['last_email_event']}")
    if r["bounced"]:
        parts.append("อีเมลตีกลับ")
    if pd.notna(r["days_in_status"]):
        parts.append(f"ค้างสถานะ {r['days_in_status']} วัน")
    if r["late_last_year"]:
        parts.append("ปีก่อนส่งช้าหรือไม่ส่ง")
    return "; ".join(parts)


def call_list(
    session: Session, year: int, *, today: dt.date, policy: FieldworkPolicy | None = None
) -> pd.DataFrame:
    """Non-responders to call today, highest priority first: those reminded at least
    ``call_list.after_reminders`` times, those whose e-mail bounced or who have none, and all
    of them once the deadline is ``call_list.days_before_deadline`` days away."""
    cycle = cycle_of(session, year)
    policy = policy or load_policy(cycle.year_be)
    df = agency_progress(session, cycle.year_be, today=today)
    df = df[df["status"].isin(OPEN_STATUSES)].copy()
    if df.empty:
        return pd.DataFrame(columns=CALL_COLUMNS)
    df["deadline"] = effective_deadlines(session, cycle, df).to_numpy()
    df["days_to_deadline"] = [(d - today).days for d in df["deadline"]]
    df = df[
        (df["reminders_sent"] >= policy.call_after_reminders)
        | df["bounced"]
        | df["contact_email"].isna()
        | (df["days_to_deadline"] <= policy.call_days_before_deadline)
    ].copy()
    if df.empty:
        return pd.DataFrame(columns=CALL_COLUMNS)
    behind = behind_groups(session, cycle.year_be, today)
    shortfall = {
        (f, v): s
        for f, v, s in behind[["group_field", "group_value", "shortfall"]].itertuples(index=False)
    }
    df["group_shortfall"] = [
        max([shortfall.get((f, str(r[f])), 0.0) for f in GROUP_FIELDS if pd.notna(r[f])] + [0.0])
        for _, r in df.iterrows()
    ]
    df["late_last_year"] = _late_last_year(session, cycle.year_be, df["code"])
    df["score"] = (
        df["group_shortfall"]
        + 20.0 * df["late_last_year"]
        + 10.0 * df["bounced"]
        + 3.0 * df["reminders_sent"].clip(upper=5)
        + (10 - df["days_to_deadline"]).clip(lower=0)
    ).round(1)
    df["history"] = [_history(r) for r in df.to_dict("records")]
    df = df.sort_values(["score", "days_to_deadline", "code"], ascending=[False, True, True])
    df["priority"] = range(1, len(df) + 1)
    df["last_reminder_at"] = df["last_reminder_at"].dt.tz_convert(None)
    return df[CALL_COLUMNS].reset_index(drop=True)


def write_call_list(frame: pd.DataFrame, path: Path) -> Path:
    """Write the call list as an XLSX workbook with Thai headers (frozen header row)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    out = frame.rename(columns=HEADERS_TH)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        out.to_excel(writer, sheet_name="โทรติดตาม", index=False)
        sheet = writer.sheets["โทรติดตาม"]
        sheet.freeze_panes = "A2"
        for col, name in zip(sheet.columns, out.columns, strict=True):
            width = max([len(str(name)), *(len(str(c.value or "")) for c in col[1:200])])
            sheet.column_dimensions[col[0].column_letter].width = min(60, width + 2)
    return path
