"""The managers' daily digest: the day's figures, groups behind their curve, and a chart."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dgops.db import Database
from dgops.fieldwork.policy import Manager, load_policy
from dgops.fieldwork.projection import behind_groups, project_rate
from dgops.fieldwork.queries import ALL_FIELD, ALL_VALUE, cycle_of, response_rates
from dgops.fieldwork.snapshot import previous_trend, trend
from dgops.mail import (
    Attachment,
    MailConfig,
    OutgoingMessage,
    Recipient,
    TransportFactory,
    send_batch,
)
from dgops.registry import LEVEL_LABELS_TH
from dgops.registry.models import Agency, AgencyLevel, ContactRole

KIND = "digest"
MANAGERS_CODE = "DGOPS-MANAGERS"
"""An inactive registry entry the digest is filed under in the mail ledger (whose key needs an
agency); never enrolled, never invited."""


@dataclass(frozen=True)
class Digest:
    """The digest of one day: the template context and the chart (PNG)."""

    day: dt.date
    context: dict[str, Any]
    chart_png: bytes = field(repr=False)


def _label(field_name: str, value: str) -> str:
    if field_name == "level":
        return str(LEVEL_LABELS_TH.get(AgencyLevel(value), value))
    if field_name == ALL_FIELD:
        return ALL_VALUE
    return value


def render_chart(
    current: Any,
    previous: Any,
    *,
    target: float | None,
    projection: Any,
    deadline_day: int,
    title: str,
) -> bytes:
    """A PNG of the response-rate curve against last year's, with the target and projection."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    _use_sarabun(font_manager, matplotlib)
    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=110)
    try:
        if len(previous):
            ax.plot(
                previous["days_from_open"],
                previous["rate"],
                color="#9aa5b1",
                linestyle="--",
                label="ปีก่อน",
            )
        if len(current):
            ax.plot(
                current["days_from_open"],
                current["rate"],
                color="#1d3f72",
                marker="o",
                markersize=3,
                label="ปีนี้",
            )
            x0 = float(current["days_from_open"].iloc[-1])
            ax.fill_between(
                [x0, deadline_day],
                [projection.rate_now, projection.low],
                [projection.rate_now, projection.high],
                color="#1d3f72",
                alpha=0.12,
                label="คาดการณ์",
            )
            ax.plot(
                [x0, deadline_day],
                [projection.rate_now, projection.expected_at_deadline],
                color="#1d3f72",
                linestyle=":",
            )
        if target is not None:
            ax.axhline(target, color="#b42318", linewidth=1, label=f"เป้าหมาย {target:.0f}%")
        ax.axvline(deadline_day, color="#616e7c", linewidth=0.8)
        ax.set_xlim(0, max(deadline_day + 2, 1))
        ax.set_ylim(0, 100)
        ax.set_xlabel("วันนับจากเปิดการสำรวจ")
        ax.set_ylabel("ร้อยละที่ตอบแล้ว")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left")
        buf = io.BytesIO()
        fig.tight_layout()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)


def _use_sarabun(font_manager: Any, matplotlib: Any) -> None:
    from pathlib import Path

    import fontpkg_sarabun

    files = Path(fontpkg_sarabun.ROOT) / "files"
    regular = sorted(files.glob("*Regular*.ttf")) or sorted(files.glob("*.ttf"))
    for path in regular[:1]:
        font_manager.fontManager.addfont(str(path))
        name = font_manager.FontProperties(fname=str(path)).get_name()
        matplotlib.rcParams["font.family"] = name


def build_digest(
    session: Session,
    year: int,
    day: dt.date,
    *,
    reminders_today: int = 0,
    calls: int = 0,
) -> Digest:
    """The figures of ``day`` (live counts, projection, per level, groups behind) and the chart."""
    cycle = cycle_of(session, year)
    policy = load_policy(cycle.year_be)
    whole = response_rates(session, cycle.year_be).iloc[0]
    levels = response_rates(session, cycle.year_be, by="level")
    proj = project_rate(session, cycle.year_be, today=day)
    behind = behind_groups(session, cycle.year_be, day)
    target = policy.target(ALL_FIELD, ALL_VALUE)
    context: dict[str, Any] = {
        "survey_title": cycle.title_th,
        "year_be": cycle.year_be,
        "day": day,
        "deadline": cycle.deadline,
        "days_left": max(0, (cycle.deadline - day).days),
        "total": int(whole["total"]),
        "responded": int(whole["responded"]),
        "rate": float(whole["rate"] or 0.0),
        "target": target,
        "expected": proj.expected_at_deadline,
        "low": proj.low,
        "high": proj.high,
        "method": proj.method,
        "reminders_today": reminders_today,
        "calls": calls,
        "by_level": [
            {
                "label": _label("level", str(k)),
                "total": int(r["total"]),
                "responded": int(r["responded"]),
                "rate": float(r["rate"] or 0.0),
            }
            for k, r in levels.iterrows()
        ],
        "behind": [
            {
                "label": _label(str(r["group_field"]), str(r["group_value"]))
                + ("" if r["group_field"] == ALL_FIELD else f" ({r['group_field']})"),
                "rate": float(r["rate"]),
                "expected": float(r["expected_rate_today"]),
                "shortfall": float(r["shortfall"]),
            }
            for r in behind.head(15).to_dict("records")
        ],
    }
    png = render_chart(
        trend(session, cycle.year_be),
        previous_trend(session, cycle.year_be),
        target=target,
        projection=proj,
        deadline_day=(cycle.deadline - cycle.open_date).days,
        title=f"อัตราการตอบแบบสำรวจ ปี {cycle.year_be} ณ {day.isoformat()}",
    )
    return Digest(day=day, context=context, chart_png=png)


def managers_agency(session: Session) -> Agency:
    """The inactive registry entry digests are filed under (created on first use)."""
    agency = session.scalar(select(Agency).where(Agency.code == MANAGERS_CODE))
    if agency is None:
        agency = Agency(
            code=MANAGERS_CODE,
            name_th="ผู้บริหารโครงการสำรวจ (สรุปรายวัน)",
            level=AgencyLevel.DEPARTMENT,
            active=False,
        )
        session.add(agency)
        session.flush()
    return agency


def send_digest(
    db: Database,
    year: int,
    day: dt.date,
    mail_config: MailConfig,
    *,
    managers: Sequence[Manager] | None = None,
    reminders_today: int = 0,
    calls: int = 0,
    actor: str = "dgops-reminders",
    transport_factory: TransportFactory | None = None,
) -> dict[str, Any]:
    """Send the day's digest to the managers (the policy's unless given), once per day (ledger
    round = YYYYMMDD). Returns counts and the figures (no addresses)."""
    with db.begin() as session:
        cycle = cycle_of(session, year)
        who = list(managers if managers is not None else load_policy(cycle.year_be).managers)
        digest = build_digest(
            session, cycle.year_be, day, reminders_today=reminders_today, calls=calls
        )
        holder = managers_agency(session)
        holder_id, cycle_id, label = holder.id, cycle.id, str(cycle.year_be)
    summary = {
        k: digest.context[k]
        for k in ("total", "responded", "rate", "expected", "low", "high", "method")
    }
    summary["behind"] = len(digest.context["behind"])
    if not who:
        return {"sent": 0, "reason": "no managers configured", **summary}
    message = OutgoingMessage(
        cycle_id=cycle_id,
        agency_id=holder_id,
        agency_code=MANAGERS_CODE,
        kind=KIND,
        round=int(day.strftime("%Y%m%d")),
        recipients=tuple(Recipient(m.email, ContactRole.HEAD, m.name) for m in who),
        context=digest.context,
        attachments=(
            Attachment(f"fieldwork-{day.isoformat()}.png", digest.chart_png, "image/png"),
        ),
        cycle_label=label,
    )
    config = dataclasses.replace(mail_config, to_roles=(ContactRole.HEAD,), cc_roles=())
    report = send_batch(db, config, [message], actor=actor, transport_factory=transport_factory)
    return {
        "sent": report.count("accepted"),
        "outcomes": report.counts,
        "problems": len(report.problems),
        **summary,
    }
