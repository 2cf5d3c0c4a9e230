"""The demo's reference data, read once from the CSV files in ``dgops/demo/data``.

Real names (departments, city municipalities, provincial offices) and the building blocks of the
generated ones (topics, person names, place-name syllables) are data, so they live in files.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from dgops.registry.models import AgencyType, Mission

_TYPE_CODES = {
    "G": AgencyType.GOVERNMENT_AGENCY,
    "SE": AgencyType.STATE_ENTERPRISE,
    "PO": AgencyType.PUBLIC_ORGANIZATION,
    "IO": AgencyType.INDEPENDENT_ORGANIZATION,
    "O": AgencyType.OTHER,
}
_MISSION_CODES = {"P": Mission.POLICY, "S": Mission.SERVICE}


@dataclass(frozen=True, slots=True)
class Department:
    ministry: str
    name_th: str
    name_en: str | None
    agency_type: AgencyType
    mission: Mission


@dataclass(frozen=True, slots=True)
class GivenName:
    thai: str
    roman: str
    female: bool


@dataclass(frozen=True, slots=True)
class Surname:
    thai: str
    roman: str


@dataclass(frozen=True, slots=True)
class ProvincialOffice:
    office: str
    head_title: str
    parent: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("dgops.demo").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def departments() -> tuple[Department, ...]:
    """About 260 real department-level agencies with their ministry, type and mission."""
    return tuple(
        Department(
            ministry=r["ministry"],
            name_th=r["name_th"],
            name_en=r["name_en"] or None,
            agency_type=_TYPE_CODES[r["type"]],
            mission=_MISSION_CODES[r["mission"]],
        )
        for r in _rows("departments.csv")
    )


@cache
def topics() -> tuple[tuple[str, str], ...]:
    """(ministry, topic) pairs for generated department names."""
    return tuple((r["ministry"], r["topic"]) for r in _rows("topics.csv"))


@cache
def given_names() -> tuple[GivenName, ...]:
    return tuple(
        GivenName(r["thai"], r["roman"], r["sex"] == "f") for r in _rows("given_names.csv")
    )


@cache
def surnames() -> tuple[Surname, ...]:
    return tuple(Surname(r["thai"], r["roman"]) for r in _rows("surnames.csv"))


@cache
def area_codes() -> dict[str, str]:
    """Province → landline area code ("02" for Bangkok and its neighbours, else 3 digits)."""
    return {r["province"]: r["area_code"] for r in _rows("province_phone.csv")}


@cache
def city_municipalities() -> tuple[tuple[str, str], ...]:
    """The 30 city municipalities (เทศบาลนคร) with their province."""
    return tuple((r["name_th"], r["province"]) for r in _rows("city_municipalities.csv"))


@cache
def provincial_offices() -> tuple[ProvincialOffice, ...]:
    """The 19 surveyed provincial offices: head title stem and parent department."""
    return tuple(
        ProvincialOffice(r["office"], r["head_title"], r["parent"])
        for r in _rows("provincial_offices.csv")
    )


@cache
def place_syllables() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(heads, tails) from which sub-district (ตำบล) names are composed: หนอง + บัว."""
    rows = _rows("place_syllables.csv")
    heads = tuple(r["text"] for r in rows if r["part"] == "head")
    tails = tuple(r["text"] for r in rows if r["part"] == "tail")
    return heads, tails
