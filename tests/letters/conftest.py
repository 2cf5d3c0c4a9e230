"""A cycle with agencies and their heads, for letter tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from dgops.cycles.models import SurveyCycle
from dgops.registry.models import Agency, AgencyLevel, Contact, ContactRole


def seed(session: Session, n: int = 3) -> tuple[SurveyCycle, list[Agency]]:
    cycle = SurveyCycle(
        year_be=2566,
        year_ce=2023,
        framework_version="2566",
        title_th="การสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ ประจำปี พ.ศ. 2566",
        open_date=dt.date(2023, 7, 1),
        deadline=dt.date(2023, 9, 30),
    )
    agencies = []
    for i in range(1, n + 1):
        agency = Agency(code=f"D{i:04d}", name_th=f"กรมทดสอบที่ {i}", level=AgencyLevel.DEPARTMENT)
        agency.contacts = [
            Contact(role=ContactRole.HEAD, name=f"นายหัวหน้า {i}", title=f"อธิบดีกรมทดสอบที่ {i}"),
            Contact(
                role=ContactRole.COORDINATOR, name="นางสาวผู้ประสาน", title="", phone="0 2612 6000"
            ),
        ]
        agencies.append(agency)
    session.add_all([cycle, *agencies])
    session.flush()
    return cycle, agencies
