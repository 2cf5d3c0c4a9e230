"""A realistic demo registry of Thai public agencies, at the scale of a real survey year.

Scales (figures from the domain notes):

* ``2023`` — 300 department-level agencies and the 76 provincial CIO committees (376).
* ``2019`` — 323 department-level agencies, 76 × 19 provincial offices (1,444) and two local
  governments, Bangkok and Pattaya (1,769).
* ``10k`` — the 2019 set plus every kind of local government (provincial, city, town and
  sub-district administrations) up to 10,000 agencies.

The agencies, their codes and names depend on the scale only, so a code means the same agency
whatever the seed (``D0001`` is also the same agency in every scale). The seed draws the people:
names, titles' holders, e-mails and phones. About 260 department names are real (with their English
names); the rest are generated from a list of topics per ministry.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Literal, get_args

from dgops.demo import _data
from dgops.demo._people import (
    ContactFactory,
    Seat,
    head_rank,
    head_title,
    make_imperfect,
    provincial_cio_title,
)
from dgops.registry import BANGKOK_PROVINCE as BANGKOK
from dgops.registry import (
    LEVEL_LABELS_TH,
    MISSION_LABELS_TH,
    PROVINCES,
    PROVINCIAL_OFFICES,
    TYPE_LABELS_TH,
    AgencyRecord,
)
from dgops.registry.models import AgencyLevel, AgencyType, Mission

Scale = Literal["2023", "2019", "10k"]
SCALES: tuple[str, ...] = get_args(Scale)

INTERIOR = "กระทรวงมหาดไทย"
"""Provincial CIO committees and local governments are under the Ministry of Interior."""

# Department-level agencies by type: 2019 sent 323, 2023 sent 300 (mostly government agencies).
_TYPE_TARGETS_2019: dict[AgencyType, int] = {
    AgencyType.GOVERNMENT_AGENCY: 197,
    AgencyType.STATE_ENTERPRISE: 53,
    AgencyType.PUBLIC_ORGANIZATION: 43,
    AgencyType.INDEPENDENT_ORGANIZATION: 12,
    AgencyType.OTHER: 18,
}
_TYPE_TARGETS_2023: dict[AgencyType, int] = {
    AgencyType.GOVERNMENT_AGENCY: 180,
    AgencyType.STATE_ENTERPRISE: 50,
    AgencyType.PUBLIC_ORGANIZATION: 40,
    AgencyType.INDEPENDENT_ORGANIZATION: 12,
    AgencyType.OTHER: 18,
}
POLICY_SHARE = 110 / (110 + 182)
"""Share of department-level agencies with a policy mission (2023: policy 110, service 182)."""

# Local governments in the 10k scale (Thailand has about 7,850 local administrations).
_TOWN_MUNICIPALITIES = 195
_SUBDISTRICT_MUNICIPALITIES = 2_250
_TEN_K_TOTAL = 10_000

_NAME_TEMPLATES: dict[tuple[AgencyType, Mission], tuple[str, ...]] = {
    (AgencyType.GOVERNMENT_AGENCY, Mission.POLICY): (
        "สำนักงานนโยบาย{t}",
        "สำนักงานคณะกรรมการ{t}",
    ),
    (AgencyType.GOVERNMENT_AGENCY, Mission.SERVICE): ("กรม{t}", "สำนักงานส่งเสริม{t}"),
    (AgencyType.PUBLIC_ORGANIZATION, Mission.POLICY): ("สถาบันนโยบาย{t} (องค์การมหาชน)",),
    (AgencyType.PUBLIC_ORGANIZATION, Mission.SERVICE): (
        "สถาบัน{t} (องค์การมหาชน)",
        "สำนักงานพัฒนา{t} (องค์การมหาชน)",
    ),
    (AgencyType.STATE_ENTERPRISE, Mission.SERVICE): ("องค์การ{t}", "องค์การส่งเสริม{t}"),
}


@dataclass(frozen=True, slots=True)
class _Department:
    seat: Seat
    in_2023: bool


def _dept_code(i: int) -> str:
    return f"D{i:04d}"


@cache
def _departments() -> tuple[_Department, ...]:
    """The 323 department-level agencies of 2019, flagged with whether 2023 surveyed them."""
    rng = random.Random("dgops-demo:departments")
    curated = _data.departments()
    curated_types = Counter(d.agency_type for d in curated)
    generated_types: list[AgencyType] = []
    for agency_type, target in _TYPE_TARGETS_2019.items():
        missing = target - curated_types[agency_type]
        if missing < 0:
            raise AssertionError(f"more real {agency_type} agencies than the target {target}")
        generated_types += [agency_type] * missing

    total = sum(_TYPE_TARGETS_2019.values())
    policy_needed = round(total * POLICY_SHARE) - sum(d.mission is Mission.POLICY for d in curated)
    # State enterprises provide services; the policy quota goes to agencies and public bodies.
    can_be_policy = [
        i for i, t in enumerate(generated_types) if t is not AgencyType.STATE_ENTERPRISE
    ]
    rng.shuffle(can_be_policy)
    policy_at = set(can_be_policy[: max(policy_needed, 0)])

    topics = list(_data.topics())
    rng.shuffle(topics)
    names = {d.name_th for d in curated}
    rows: list[tuple[str, str | None, str, AgencyType, Mission, bool]] = [
        (d.name_th, d.name_en, d.ministry, d.agency_type, d.mission, True) for d in curated
    ]
    topic_i = 0
    for i, agency_type in enumerate(generated_types):
        mission = Mission.POLICY if i in policy_at else Mission.SERVICE
        templates = _NAME_TEMPLATES[(agency_type, mission)]
        while True:
            ministry, topic = topics[topic_i % len(topics)]
            template = templates[(topic_i // len(topics) + topic_i) % len(templates)]
            topic_i += 1
            name = template.format(t=topic)
            if name not in names:
                break
        names.add(name)
        rows.append((name, None, ministry, agency_type, mission, True))

    # 2023 surveyed fewer: drop generated agencies per type, policy ones first until the
    # policy share of 2023 is reached.
    policy_drops = round(total * POLICY_SHARE) - round(
        sum(_TYPE_TARGETS_2023.values()) * POLICY_SHARE
    )
    generated_idx = list(range(len(curated), len(rows)))
    rng.shuffle(generated_idx)
    dropped: set[int] = set()
    for agency_type in (
        AgencyType.GOVERNMENT_AGENCY,
        AgencyType.PUBLIC_ORGANIZATION,
        AgencyType.STATE_ENTERPRISE,
    ):
        n = _TYPE_TARGETS_2019[agency_type] - _TYPE_TARGETS_2023[agency_type]
        of_type = [i for i in generated_idx if rows[i][3] is agency_type]
        policy = [i for i in of_type if rows[i][4] is Mission.POLICY]
        service = [i for i in of_type if rows[i][4] is Mission.SERVICE]
        k = min(policy_drops, len(policy), n)
        policy_drops -= k
        dropped.update(policy[:k] + service[: n - k])

    out = []
    for i, (name, name_en, ministry, agency_type, mission, _) in enumerate(rows):
        record = AgencyRecord(
            code=_dept_code(i + 1),
            name_th=name,
            name_en=name_en,
            level=AgencyLevel.DEPARTMENT,
            agency_type=agency_type,
            mission=mission,
            ministry=ministry,
        )
        title = head_title(name)
        seat = Seat(
            record=record,
            head_title=title,
            cio_title="รอง" + title,
            head_rank=head_rank(name),
        )
        out.append(_Department(seat, in_2023=i not in dropped))
    return tuple(out)


def _province_code(index: int) -> str:
    return f"{index + 1:02d}"


def _provincial_offices(departments: Sequence[Seat]) -> list[Seat]:
    by_name = {s.record.name_th: s.record.code for s in departments}
    offices = _data.provincial_offices()
    if tuple(o.office for o in offices) != tuple(name for name, _ in PROVINCIAL_OFFICES):
        raise AssertionError("demo provincial_offices.csv is out of step with reference.py")
    areas = _data.area_codes()
    out = []
    for pi, province in enumerate(PROVINCES):
        for oi, (office, (_, ministry)) in enumerate(zip(offices, PROVINCIAL_OFFICES, strict=True)):
            name = f"{office.office}{province}"
            record = AgencyRecord(
                code=f"P{_province_code(pi)}{oi + 1:02d}",
                name_th=name,
                level=AgencyLevel.PROVINCIAL_OFFICE,
                ministry=ministry,
                province=province,
                parent_code=by_name.get(office.parent),
            )
            out.append(
                Seat(
                    record=record,
                    head_title=f"{office.head_title}{province}",
                    cio_title=provincial_cio_title(name),
                    area_code=areas[province],
                )
            )
    return out


def _cio_committees() -> list[Seat]:
    areas = _data.area_codes()
    return [
        Seat(
            record=AgencyRecord(
                code=f"C{_province_code(pi)}",
                name_th=f"คณะกรรมการ CIO จังหวัด{province}",
                name_en=None,
                level=AgencyLevel.PROVINCIAL_CIO,
                ministry=INTERIOR,
                province=province,
            ),
            head_title=f"ผู้ว่าราชการจังหวัด{province}",
            cio_title=f"รองผู้ว่าราชการจังหวัด{province}",
            area_code=areas[province],
        )
        for pi, province in enumerate(PROVINCES)
    ]


def _local(
    code: int, name: str, province: str, head: str, cio: str, name_en: str | None = None
) -> Seat:
    return Seat(
        record=AgencyRecord(
            code=f"L{code:05d}",
            name_th=name,
            name_en=name_en,
            level=AgencyLevel.LOCAL_GOVERNMENT,
            ministry=INTERIOR,
            province=province,
        ),
        head_title=head,
        cio_title=cio,
        area_code=_data.area_codes()[province],
    )


def _special_local_governments() -> list[Seat]:
    return [
        _local(
            1,
            BANGKOK,
            BANGKOK,
            "ผู้ว่าราชการกรุงเทพมหานคร",
            "รองปลัดกรุงเทพมหานคร",
            "Bangkok Metropolitan Administration",
        ),
        _local(2, "เมืองพัทยา", "ชลบุรี", "นายกเมืองพัทยา", "ปลัดเมืองพัทยา", "Pattaya City"),
    ]


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders), summing exactly."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@cache
def _local_governments_10k() -> tuple[Seat, ...]:
    """Provincial, city, town and sub-district administrations for the 10k scale."""
    rng = random.Random("dgops-demo:local")
    heads, tails = _data.place_syllables()
    combos = [h + t for h in heads for t in tails if h != t]
    cities = _data.city_municipalities()
    city_names = {name for name, _ in cities}
    seat_towns = [p for p in PROVINCES if f"เทศบาลนคร{p}" not in city_names]
    n_special = 2
    base = sum(_TYPE_TARGETS_2019.values()) + len(PROVINCES) * len(PROVINCIAL_OFFICES) + n_special
    n_sao = (
        _TEN_K_TOTAL
        - base
        - len(PROVINCES)
        - len(cities)
        - _TOWN_MUNICIPALITIES
        - _SUBDISTRICT_MUNICIPALITIES
    )
    weights = [rng.lognormvariate(0.0, 0.5) for _ in PROVINCES]
    towns = _apportion(_TOWN_MUNICIPALITIES - len(seat_towns), weights)
    tambons = _apportion(_SUBDISTRICT_MUNICIPALITIES, weights)
    saos = _apportion(n_sao, [w * rng.uniform(0.8, 1.25) for w in weights])

    out: list[Seat] = []
    code = n_special
    for pi, province in enumerate(PROVINCES):

        def add(name: str, head: str, cio: str, _province: str = province) -> None:
            nonlocal code
            code += 1
            out.append(_local(code, name, _province, head, cio))

        add(
            f"องค์การบริหารส่วนจังหวัด{province}",
            f"นายกองค์การบริหารส่วนจังหวัด{province}",
            f"ปลัดองค์การบริหารส่วนจังหวัด{province}",
        )
        for name, city_province in cities:
            if city_province == province:
                place = name.removeprefix("เทศบาลนคร")
                add(name, f"นายกเทศมนตรีนคร{place}", f"ปลัดเทศบาลนคร{place}")
        places = rng.sample(combos, towns[pi] + tambons[pi] + saos[pi])
        town_places = ([province] if province in seat_towns else []) + places[: towns[pi]]
        for place in town_places:
            add(f"เทศบาลเมือง{place}", f"นายกเทศมนตรีเมือง{place}", f"ปลัดเทศบาลเมือง{place}")
        rest = places[towns[pi] :]
        for place in rest[: tambons[pi]]:
            add(f"เทศบาลตำบล{place}", f"นายกเทศมนตรีตำบล{place}", f"ปลัดเทศบาลตำบล{place}")
        for place in rest[tambons[pi] :]:
            add(
                f"องค์การบริหารส่วนตำบล{place}",
                f"นายกองค์การบริหารส่วนตำบล{place}",
                f"ปลัดองค์การบริหารส่วนตำบล{place}",
            )
    return tuple(out)


def _seats(scale: str) -> list[Seat]:
    if scale not in SCALES:
        raise ValueError(f"unknown demo scale {scale!r}; choose one of {', '.join(SCALES)}")
    departments = [d.seat for d in _departments() if scale != "2023" or d.in_2023]
    if scale == "2023":
        return departments + _cio_committees()
    seats = departments + _provincial_offices(departments) + _special_local_governments()
    if scale == "10k":
        seats += _local_governments_10k()
    return seats


def generate_registry(
    scale: str = "2023", seed: int = 2566, *, imperfect: bool = False
) -> list[AgencyRecord]:
    """The demo registry at ``scale`` (``2023``, ``2019`` or ``10k``), contacts drawn with ``seed``.

    Same scale and seed give identical records; another seed gives other people in the same
    agencies under the same codes. With ``imperfect`` about 4% of the contacts carry a defect
    operators meet in real files (a lost ``@``, Thai digits, a missing e-mail, ...); by default
    every record is clean and the registry validates.
    """
    rng = random.Random(seed)
    factory = ContactFactory(rng)
    records = [replace(seat.record, contacts=factory.contacts(seat)) for seat in _seats(scale)]
    if imperfect:
        records = make_imperfect(records, random.Random(f"{seed}:imperfect"))
    return records


@dataclass(frozen=True, slots=True)
class RegistryCounts:
    """Agencies by level, by type and by mission (type and mission: department level only)."""

    total: int
    contacts: int
    by_level: dict[AgencyLevel, int]
    by_type: dict[AgencyType, int]
    by_mission: dict[Mission, int]

    def lines(self) -> list[str]:
        """The counts as Thai-labelled lines for a terminal."""
        out = [f"หน่วยงานทั้งหมด / agencies: {self.total:,}  ผู้ติดต่อ / contacts: {self.contacts:,}"]
        out += [f"  {LEVEL_LABELS_TH[k]} ({k.value}): {v:,}" for k, v in self.by_level.items()]
        out += [f"  {TYPE_LABELS_TH[k]} ({k.value}): {v:,}" for k, v in self.by_type.items()]
        out += [f"  {MISSION_LABELS_TH[k]} ({k.value}): {v:,}" for k, v in self.by_mission.items()]
        return out


def count_records(records: Iterable[AgencyRecord]) -> RegistryCounts:
    """Count ``records`` by level, type and mission, in the enums' order."""
    records = list(records)
    levels = Counter(r.level for r in records)
    departments = [r for r in records if r.level is AgencyLevel.DEPARTMENT]
    types = Counter(r.agency_type for r in departments if r.agency_type)
    missions = Counter(r.mission for r in departments if r.mission)
    return RegistryCounts(
        total=len(records),
        contacts=sum(len(r.contacts) for r in records),
        by_level={k: levels[k] for k in AgencyLevel if levels[k]},
        by_type={k: types[k] for k in AgencyType if types[k]},
        by_mission={k: missions[k] for k in Mission if missions[k]},
    )


def write_demo_registry(
    path: Path | str, scale: str = "2023", seed: int = 2566, *, imperfect: bool = False
) -> list[AgencyRecord]:
    """Write the demo registry to ``path`` (CSV when it ends in ``.csv``, else XLSX).

    Returns the records written.
    """
    from dgops.registry import write_registry_csv, write_registry_xlsx

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    records = generate_registry(scale, seed, imperfect=imperfect)
    if path.suffix.lower() == ".csv":
        write_registry_csv(records, path)
    else:
        write_registry_xlsx(records, path)
    return records
