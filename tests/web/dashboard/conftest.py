"""The dashboard on the portal's test world, with a fake tracking API injected (the frames have
the columns of the binding ``dgops.fieldwork`` API) and one manager account."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy.orm import Session

from dgops.mail.ops import CorrectionLine
from dgops.web import WebConfig, create_app
from tests.web.conftest import TestClient, World, csrf_of

MANAGER = "somchai"
MANAGER_PASSWORD = "แดชบอร์ด-ผู้บริหาร-2566"
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
RATE_COLUMNS = [
    "total",
    "not_started",
    "in_progress",
    "submitted",
    "returned",
    "verified",
    "responded",
    "rate",
    "target",
    "gap",
]


@dataclass(frozen=True)
class FakeProjection:
    rate_now: float = 42.0
    expected_at_deadline: float = 81.5
    low: float = 74.0
    high: float = 88.0
    days_to_deadline: int = 17
    method: str = "fake"


def _rates(rows: Mapping[str, tuple[int, int, float | None]]) -> pd.DataFrame:
    data = []
    for _key, (total, responded, target) in rows.items():
        rate = 100.0 * responded / total if total else 0.0
        data.append(
            [
                total,
                total - responded - 3,
                3,
                responded - 1,
                0,
                1,
                responded,
                rate,
                target,
                None if target is None else rate - target,
            ]
        )
    return pd.DataFrame(data, index=list(rows), columns=RATE_COLUMNS)


def progress_frame(n: int) -> pd.DataFrame:
    """``n`` non-responding agencies in the columns of ``agency_progress``."""
    rows = []
    for i in range(n):
        rows.append(
            {
                "agency_id": i + 1,
                "code": f"L{i:05d}",
                "name_th": f"องค์การบริหารส่วนตำบลทดสอบ {i}",
                "level": "local_government",
                "agency_type": None,
                "mission": None,
                "ministry": "กระทรวงมหาดไทย",
                "province": "เชียงใหม่" if i % 2 else "ขอนแก่น",
                "status": "not_started" if i % 3 else "in_progress",
                "days_since_invitation": 30 - (i % 30),
                "reminders_sent": i % 4,
                "last_reminder_at": dt.datetime(2023, 8, 10, 2, 0, tzinfo=dt.UTC),
                "last_email_event": "delivered",
                "last_email_event_at": dt.datetime(2023, 8, 10, 2, 5, tzinfo=dt.UTC),
                "days_in_status": 12,
                "contact_name": '=HYPERLINK("http://evil")' if i == 0 else f"นายสมชาย ใจดี {i}",
                "contact_phone": "02-123-4567",
                "contact_email": f"saraban{i}@example.go.th",
                "bounced": i == 5,
                "reminder_hold": False,
            }
        )
    return pd.DataFrame(rows)


@dataclass
class FakeTracking:
    """The tracking API's shape with canned frames; records every call it gets."""

    nonresponders: int = 250
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def agency_progress(
        self,
        session: Session,
        year: int,
        *,
        filters: Mapping[str, str] | None = None,
        only_nonresponders: bool = False,
        today: dt.date | None = None,
    ) -> pd.DataFrame:
        self.calls.append(("agency_progress", {"year": year, "filters": filters, "today": today}))
        frame = progress_frame(self.nonresponders)
        for name, value in (filters or {}).items():
            frame = frame[frame[name] == value]
        return frame

    def response_rates(
        self,
        session: Session,
        year: int,
        *,
        by: str | None = None,
        filters: Mapping[str, str] | None = None,
    ) -> pd.DataFrame:
        self.calls.append(("response_rates", {"year": year, "by": by, "filters": filters}))
        if by is None:
            return _rates({"ทั้งหมด": (10_000, 4_200, 80.0)})
        if by == "level":
            return _rates(
                {
                    "department": (323, 250, 90.0),
                    "provincial_office": (1_444, 900, 80.0),
                    "local_government": (8_233, 3_050, None),
                }
            )
        return _rates({"เชียงใหม่": (300, 120, 80.0), "ขอนแก่น": (280, 200, 80.0)})

    def trend(
        self, session: Session, year: int, *, by: str | None = None, value: str | None = None
    ) -> pd.DataFrame:
        self.calls.append(("trend", {"by": by, "value": value}))
        days = list(range(0, 40, 3))
        return pd.DataFrame(
            {
                "day": [dt.date(2023, 7, 1) + dt.timedelta(days=d) for d in days],
                "days_from_open": days,
                "total": 10_000,
                "responded": [d * 105 for d in days],
                "rate": [d * 1.05 for d in days],
            }
        )

    def previous_trend(
        self, session: Session, year: int, *, by: str | None = None, value: str | None = None
    ) -> pd.DataFrame:
        days = list(range(0, 92, 7))
        return pd.DataFrame(
            {
                "day": [dt.date(2022, 7, 1) + dt.timedelta(days=d) for d in days],
                "days_from_open": days,
                "total": 9_500,
                "responded": [min(d * 100, 9_000) for d in days],
                "rate": [min(d * 1.1, 95.0) for d in days],
            }
        )

    def project_rate(
        self,
        session: Session,
        year: int,
        *,
        by: str | None = None,
        value: str | None = None,
        today: dt.date,
    ) -> FakeProjection:
        self.calls.append(("project_rate", {"by": by, "value": value, "today": today}))
        return FakeProjection()

    def behind_groups(self, session: Session, year: int, today: dt.date) -> pd.DataFrame:
        return pd.DataFrame(
            [
                ("level", "local_government", 37.0, 45.0, 80.0, 8.0),
                ("province", "เชียงใหม่", 40.0, 45.0, 80.0, 5.0),
            ],
            columns=[
                "group_field",
                "group_value",
                "rate",
                "expected_rate_today",
                "target",
                "shortfall",
            ],
        )

    def corrections(self, session: Session) -> Sequence[Any]:
        seen = dt.datetime(2023, 8, 12, 3, 0, tzinfo=dt.UTC)
        return [
            CorrectionLine(
                1,
                "old@example.go.th",
                "D0001",
                "กรมทดสอบหนึ่ง",
                "bounce",
                "550 no such user",
                2,
                seen,
                "open",
            ),
            CorrectionLine(
                2,
                "-cmd@example.go.th",
                "D0002",
                "กรมทดสอบสอง",
                "dropped",
                "+SUM(A1)",
                1,
                seen,
                "open",
            ),
        ]


@pytest.fixture
def tracking() -> FakeTracking:
    return FakeTracking()


@pytest.fixture
def dash_app(world: World, tracking: FakeTracking) -> FastAPI:
    world.clock.now = dt.datetime(2023, 8, 14, 3, 0, tzinfo=dt.UTC)
    return create_app(
        world.settings,
        db=world.db,
        clock=world.clock,
        policy=world.policy,
        config=WebConfig(),
        frameworks=lambda _version: world.framework,
        storage=world.storage,
        tracking=tracking,
        managers={MANAGER: CHEAP_HASHER.hash(MANAGER_PASSWORD)},
    )


def sign_in_manager(client: TestClient, password: str = MANAGER_PASSWORD) -> Any:
    page = client.get("/dashboard/login")
    return client.post(
        "/dashboard/login",
        data={"csrf_token": csrf_of(page.text), "username": MANAGER, "password": password},
        follow_redirects=False,
    )


@pytest.fixture
def manager(dash_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(dash_app) as c:
        r = sign_in_manager(c)
        assert r.status_code == 303, r.text
        yield c
