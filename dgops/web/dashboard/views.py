"""What the dashboard shows, built from the tracking API's frames: the query, the tables (the
same definition feeds the HTML page and the XLSX export) and the trend chart as inline SVG."""

from __future__ import annotations

import datetime as dt
import math
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd

from dgops.registry import LEVEL_LABELS_TH, MISSION_LABELS_TH, TYPE_LABELS_TH
from dgops.registry.models import AgencyLevel, AgencyType, Mission
from dgops.thai import short_date
from dgops.web.dashboard.source import ProjectionLike
from dgops.web.views import STATUS_TH

GROUP_FIELDS: dict[str, str] = {
    "level": "ระดับหน่วยงาน",
    "agency_type": "ประเภทหน่วยงาน",
    "mission": "ภารกิจ",
    "ministry": "กระทรวง",
    "province": "จังหวัด",
}
"""The fields agencies are grouped and filtered by, with their Thai names."""

VALUE_LABELS: dict[str, dict[str, str]] = {
    "level": {k.value: v for k, v in LEVEL_LABELS_TH.items()},
    "agency_type": {k.value: v for k, v in TYPE_LABELS_TH.items()},
    "mission": {k.value: v for k, v in MISSION_LABELS_TH.items()},
}
UNKNOWN = "ไม่ระบุ"
EVENT_TH = {
    "processed": "รับเข้าระบบส่ง",
    "delivered": "ส่งถึงแล้ว",
    "open": "เปิดอ่านแล้ว",
    "opened": "เปิดอ่านแล้ว",
    "bounced": "ตีกลับ",
    "click": "คลิกลิงก์แล้ว",
    "bounce": "ตีกลับ",
    "dropped": "ไม่ถูกส่ง (dropped)",
    "deferred": "เลื่อนการส่ง",
    "spamreport": "แจ้งเป็นสแปม",
    "unsubscribe": "ยกเลิกรับ",
}
TABLES = ("groups", "behind", "nonresponders", "bounced")
MAX_FILTER_LENGTH = 200
ENUMS: dict[str, type[AgencyLevel] | type[AgencyType] | type[Mission]] = {
    "level": AgencyLevel,
    "agency_type": AgencyType,
    "mission": Mission,
}
"""The group fields whose values are enums (a filter value is checked against the enum)."""


def value_label(field_name: str, value: Any) -> str:
    """The Thai label of a group value (enum values are translated, names kept)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return UNKNOWN
    text = str(getattr(value, "value", value))
    return VALUE_LABELS.get(field_name, {}).get(text, text)


@dataclass(frozen=True)
class DashboardQuery:
    """The page's query string, validated: grouping, filters, page of non-responders."""

    year: int | None = None
    by: str = "level"
    filters: Mapping[str, str] = field(default_factory=dict)
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> DashboardQuery:
        """Read ``by``, ``year``, ``page`` and a filter per group field; ignores anything else."""
        by = params.get("by", "level")
        if by not in GROUP_FIELDS:
            by = "level"
        filters = {}
        for name in GROUP_FIELDS:
            value = (params.get(name) or "").strip()[:MAX_FILTER_LENGTH]
            if value:
                filters[name] = value
        return cls(year=_int(params.get("year")), by=by, filters=filters, page=_page(params))

    def url(self, **changes: Any) -> str:
        """``?...`` for this query with some parameters changed (``None`` removes one)."""
        params: dict[str, Any] = {"by": self.by, **self.filters}
        if self.year is not None:
            params["year"] = self.year
        if self.page != 1:
            params["page"] = self.page
        params.update(changes)
        kept = {k: v for k, v in params.items() if v not in (None, "")}
        if kept.get("page") == 1:
            kept.pop("page")
        return "?" + urllib.parse.urlencode(kept) if kept else "?"

    @property
    def chart_group(self) -> tuple[str | None, str | None]:
        """The (field, value) the chart follows: the one filter when exactly one is set."""
        if len(self.filters) == 1:
            ((name, value),) = self.filters.items()
            return name, value
        return None, None


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def _page(params: Mapping[str, str]) -> int:
    page = _int(params.get("page")) or 1
    return min(max(page, 1), 100_000)


# -- tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column: the row key, the Thai header and how to show its values."""

    key: str
    header: str
    kind: str = "text"  # text | int | pct | date | bool


@dataclass
class Table:
    """A table as the page and the XLSX export show it."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    total: int
    first: int = 0
    """Index of the first row shown (paged tables)."""


GROUP_COLUMNS = (
    Column("total", "จำนวนหน่วยงาน", "int"),
    Column("not_started", "ยังไม่เริ่ม", "int"),
    Column("in_progress", "กำลังตอบ", "int"),
    Column("submitted", "ส่งแล้ว", "int"),
    Column("returned", "ส่งกลับแก้ไข", "int"),
    Column("verified", "ตรวจสอบแล้ว", "int"),
    Column("responded", "ตอบแล้ว", "int"),
    Column("rate", "อัตราการตอบ (%)", "pct"),
    Column("target", "เป้าหมาย (%)", "pct"),
    Column("gap", "ส่วนต่างจากเป้า", "pct"),
)
BEHIND_COLUMNS = (
    Column("group_field", "จัดกลุ่มตาม"),
    Column("group_value", "กลุ่ม"),
    Column("rate", "อัตราการตอบ (%)", "pct"),
    Column("expected_rate_today", "ควรได้ ณ วันนี้ (%)", "pct"),
    Column("target", "เป้าหมาย (%)", "pct"),
    Column("shortfall", "ต่ำกว่าที่ควร (จุด)", "pct"),
)
NONRESPONDER_COLUMNS = (
    Column("code", "รหัส"),
    Column("name_th", "หน่วยงาน"),
    Column("status", "สถานะ"),
    Column("days_since_invitation", "วันนับจากเชิญ", "int"),
    Column("reminders_sent", "เตือนแล้ว (ครั้ง)", "int"),
    Column("last_reminder_at", "เตือนล่าสุด", "date"),
    Column("last_email_event", "อีเมลล่าสุด"),
    Column("contact_name", "ผู้ติดต่อ"),
    Column("contact_phone", "โทรศัพท์"),
    Column("contact_email", "อีเมล"),
    Column("bounced", "อีเมลตีกลับ", "bool"),
)
BOUNCED_COLUMNS = (
    Column("agency_code", "รหัส"),
    Column("agency_name", "หน่วยงาน"),
    Column("email", "อีเมลที่ต้องแก้ไข"),
    Column("event", "เหตุการณ์"),
    Column("reason", "สาเหตุ"),
    Column("occurrences", "จำนวนครั้ง", "int"),
    Column("last_seen", "ล่าสุด", "date"),
)


def _clean(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return getattr(value, "item", lambda: value)() if hasattr(value, "dtype") else value


def group_table(rates: pd.DataFrame, by: str) -> Table:
    """Rates per value of ``by`` (``response_rates(by=...)``), lowest rate first."""
    frame = rates.sort_values("rate", kind="stable") if len(rates) else rates
    rows = []
    for value, rec in zip(frame.index, frame.to_dict("records"), strict=True):
        row = {c.key: _clean(rec.get(c.key)) for c in GROUP_COLUMNS}
        row["group"] = value_label(by, value)
        row["group_value"] = "" if value is None else str(getattr(value, "value", value))
        rows.append(row)
    columns = (Column("group", GROUP_FIELDS[by]), *GROUP_COLUMNS)
    return Table("groups", f"อัตราการตอบแยกตาม{GROUP_FIELDS[by]}", columns, rows, len(rows))


def behind_table(behind: pd.DataFrame, filters: Mapping[str, str]) -> Table:
    """Groups behind where they should be today (``behind_groups``), worst first."""
    frame = behind
    for name, value in filters.items():
        # A group under another filter value cannot be inside the filtered set.
        frame = frame[(frame["group_field"] != name) | (frame["group_value"].astype(str) == value)]
    if len(frame):
        frame = frame.sort_values("shortfall", ascending=False, kind="stable")
    rows = []
    for rec in frame.to_dict("records"):
        name = str(rec["group_field"])
        row = {c.key: _clean(rec.get(c.key)) for c in BEHIND_COLUMNS}
        row["group_field"] = GROUP_FIELDS.get(name, name)
        row["group_value"] = value_label(name, rec["group_value"])
        rows.append(row)
    return Table("behind", "กลุ่มที่ตอบช้ากว่าเป้า", BEHIND_COLUMNS, rows, len(rows))


def nonresponder_table(progress: pd.DataFrame, *, page: int, page_size: int | None) -> Table:
    """Agencies that have not answered, longest since invitation first; one page of them
    (``page_size`` ``None``: all, for the export)."""
    frame = progress
    if len(frame):
        frame = frame.sort_values(
            ["days_since_invitation", "code"], ascending=[False, True], na_position="last"
        )
    total = len(frame)
    first = 0
    if page_size is not None:
        first = min((page - 1) * page_size, max(total - 1, 0) // page_size * page_size)
        frame = frame.iloc[first : first + page_size]
    keys = [c.key for c in NONRESPONDER_COLUMNS]
    present = [k for k in keys if k in frame.columns]
    rows = []
    for rec in frame[present].to_dict("records"):
        row = {k: _clean(rec.get(k)) for k in keys}
        status = str(getattr(row["status"], "value", row["status"]))
        row["status"] = STATUS_TH.get(status, status)
        event = row.get("last_email_event")
        if event:
            row["last_email_event"] = EVENT_TH.get(str(event), str(event))
        row["bounced"] = bool(row.get("bounced"))
        rows.append(row)
    return Table("nonresponders", "หน่วยงานที่ยังไม่ตอบ", NONRESPONDER_COLUMNS, rows, total, first=first)


def bounced_table(lines: Sequence[Any], codes: set[str] | None, *, limit: int | None) -> Table:
    """Bounced or dropped addresses to fix; only agencies in ``codes`` when filtered."""
    kept = [ln for ln in lines if codes is None or ln.agency_code in codes]
    rows = []
    for ln in kept if limit is None else kept[:limit]:
        rows.append(
            {
                "agency_code": ln.agency_code,
                "agency_name": ln.agency_name,
                "email": ln.email,
                "event": EVENT_TH.get(ln.event, ln.event),
                "reason": ln.reason,
                "occurrences": ln.occurrences,
                "last_seen": ln.last_seen,
            }
        )
    return Table("bounced", "อีเมลตีกลับที่ต้องแก้ไข", BOUNCED_COLUMNS, rows, len(kept))


# -- formatting --------------------------------------------------------------------------------


def cell(value: Any, kind: str) -> str:
    """A value as the page shows it."""
    if value is None:
        return "–"
    if kind == "pct":
        return f"{float(value):.1f}"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "bool":
        return "ตีกลับ" if value else ""
    if kind == "date" and isinstance(value, dt.date):
        return short_date(value)
    return str(value)


# -- the trend chart ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartFrame:
    """Where the survey is in time, in days from opening."""

    today: int
    deadline: int
    target: float | None


def _points(frame: pd.DataFrame) -> list[tuple[float, float]]:
    if frame is None or not len(frame):
        return []
    days = frame["days_from_open"].to_numpy(dtype=float)
    rates = frame["rate"].to_numpy(dtype=float)
    return [
        (d, r) for d, r in zip(days, rates, strict=True) if not (math.isnan(d) or math.isnan(r))
    ]


MAX_DAY_TICKS = 10
"""At most this many day labels on the axis, so they never run into each other."""


def tick_step(x_max: float) -> int:
    """Days between axis labels: whole weeks, at most :data:`MAX_DAY_TICKS` labels."""
    weeks = max(1, math.ceil(x_max / 7 / MAX_DAY_TICKS))
    return 7 * weeks


def trend_svg(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    projection: ProjectionLike | None,
    frame: ChartFrame,
    *,
    previous_label: str = "ปีที่แล้ว",
) -> str:
    """The response rate by day since opening as an inline SVG: this year (solid), last year
    (dashed), the projection to the deadline with its band, the target and today."""
    width, height = 960, 300
    left, right, top, bottom = 52, 16, 16, 58
    cur = _points(current)
    # The axis covers this year's fieldwork (to the deadline, or to today once it is past):
    # last year's curve is cut there, so a long tail of last year's snapshots (or the months
    # after the deadline) cannot squeeze this year's curve into a corner.
    x_max = max([frame.deadline, frame.today, *(d for d, _ in cur), 7])
    prev = [(d, r) for d, r in _points(previous) if d <= x_max]

    def x(day: float) -> float:
        return left + (width - left - right) * max(day, 0) / x_max

    def y(rate: float) -> float:
        return top + (height - top - bottom) * (1 - min(max(rate, 0), 100) / 100)

    def path(points: Sequence[tuple[float, float]]) -> str:
        return " ".join(f"{x(d):.1f},{y(r):.1f}" for d, r in points)

    out = [
        f'<svg class="trend" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
        'role="img" aria-labelledby="trend-title">',
        '<title id="trend-title">อัตราการตอบรายวันเทียบกับปีที่แล้วและการคาดการณ์</title>',
    ]
    for pct in (0, 25, 50, 75, 100):
        out.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(pct):.1f}" '
            f'y2="{y(pct):.1f}"/><text class="axis" x="{left - 6}" y="{y(pct) + 4:.1f}" '
            f'text-anchor="end">{pct}%</text>'
        )
    step = tick_step(x_max)
    for day in range(step, int(x_max) + 1, step):
        out.append(
            f'<text class="axis" x="{x(day):.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle">{day}</text>'
        )
    out.append(
        f'<text class="axis" x="{(left + width - right) / 2:.0f}" y="{height - bottom + 32}" '
        'text-anchor="middle">วันนับจากเปิดสำรวจ</text>'
    )
    if frame.target is not None:
        out.append(
            f'<line class="target" x1="{left}" x2="{width - right}" y1="{y(frame.target):.1f}" '
            f'y2="{y(frame.target):.1f}"/>'
        )
    out.append(
        f'<line class="deadline" x1="{x(frame.deadline):.1f}" x2="{x(frame.deadline):.1f}" '
        f'y1="{top}" y2="{height - bottom}"/>'
    )
    if 0 <= frame.today <= x_max:
        out.append(
            f'<line class="today" x1="{x(frame.today):.1f}" x2="{x(frame.today):.1f}" '
            f'y1="{top}" y2="{height - bottom}"/>'
        )
    if projection is not None and frame.today < frame.deadline:
        start = (float(frame.today), float(projection.rate_now))
        band = [start, (frame.deadline, projection.high), (frame.deadline, projection.low)]
        out.append(f'<polygon class="band" points="{path(band)}"/>')
        line = [start, (frame.deadline, projection.expected_at_deadline)]
        out.append(f'<polyline class="projection" points="{path(line)}"/>')
    if prev:
        out.append(f'<polyline class="previous" points="{path(prev)}"/>')
    if cur:
        out.append(f'<polyline class="current" points="{path(cur)}"/>')
        d, r = cur[-1]
        out.append(f'<circle class="current-dot" cx="{x(d):.1f}" cy="{y(r):.1f}" r="4"/>')
    legend = [
        ("current", "ปีนี้"),
        ("previous", escape(previous_label)),
        ("projection", "คาดการณ์"),
        ("target", "เป้าหมาย"),
    ]
    lx = left
    ly = height - 10
    for cls, label in legend:
        out.append(
            f'<line class="{cls}" x1="{lx}" x2="{lx + 22}" y1="{ly - 4}" y2="{ly - 4}"/>'
            f'<text class="legend" x="{lx + 28}" y="{ly}">{label}</text>'
        )
        lx += 150
    out.append("</svg>")
    return "".join(out)
