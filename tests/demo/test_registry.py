"""The demo registry: shape per scale, determinism, and records that a real import accepts."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from email_validator import validate_email

from dgops.demo import count_records, generate_registry, write_demo_registry
from dgops.registry.models import AgencyLevel, AgencyType, ContactRole, Mission
from dgops.registry.records import AgencyRecord, ContactRecord
from dgops.registry.reference import ALL_PROVINCES, MINISTRIES, PROVINCES

RESERVED_DOMAIN = re.compile(r"@(?:[a-z0-9-]+\.)*(?:example\.(?:org|com|net)|example)$")
PHONE = re.compile(
    r"^(?:02-\d{3}-\d{4}|0[3-7]\d-\d{3}-\d{3}|08\d-\d{3}-\d{4})"
    r"(?: ต่อ \d{3,4})?(?:, 08\d-\d{3}-\d{4})?$"
)


@pytest.fixture(scope="module")
def registries() -> dict[str, list[AgencyRecord]]:
    return {scale: generate_registry(scale) for scale in ("2023", "2019", "10k")}


def _phone_digits(records: list[AgencyRecord]) -> list[AgencyRecord]:
    def digits(c: ContactRecord) -> ContactRecord:
        return replace(c, phone=re.sub(r"\D", "", c.phone or ""))

    return sorted(
        (replace(r, contacts=tuple(digits(c) for c in r.contacts)) for r in records),
        key=lambda r: r.code,
    )


def _by_level(records: list[AgencyRecord], level: AgencyLevel) -> list[AgencyRecord]:
    return [r for r in records if r.level is level]


def test_should_generate_the_2023_survey_shape(registries: dict[str, list[AgencyRecord]]) -> None:
    records = registries["2023"]
    departments = _by_level(records, AgencyLevel.DEPARTMENT)
    committees = _by_level(records, AgencyLevel.PROVINCIAL_CIO)

    assert 366 <= len(records) <= 386
    assert 290 <= len(departments) <= 310
    assert len(committees) == 76
    assert {c.province for c in committees} == set(PROVINCES)
    assert {r.level for r in records} == {AgencyLevel.DEPARTMENT, AgencyLevel.PROVINCIAL_CIO}


def test_should_generate_the_2019_survey_shape(registries: dict[str, list[AgencyRecord]]) -> None:
    counts = count_records(registries["2019"]).by_level

    assert 300 <= counts[AgencyLevel.DEPARTMENT] <= 330
    assert 1_444 <= counts[AgencyLevel.PROVINCIAL_OFFICE] <= 1_533
    assert counts[AgencyLevel.LOCAL_GOVERNMENT] == 2
    assert AgencyLevel.PROVINCIAL_CIO not in counts
    names = {r.name_th for r in _by_level(registries["2019"], AgencyLevel.LOCAL_GOVERNMENT)}
    assert names == {"กรุงเทพมหานคร", "เมืองพัทยา"}


def test_should_reach_about_ten_thousand_agencies_at_10k(
    registries: dict[str, list[AgencyRecord]],
) -> None:
    records = registries["10k"]
    local = _by_level(records, AgencyLevel.LOCAL_GOVERNMENT)
    kinds = Counter(
        next(
            k
            for k in (
                "องค์การบริหารส่วนจังหวัด",
                "องค์การบริหารส่วนตำบล",
                "เทศบาลนคร",
                "เทศบาลเมือง",
                "เทศบาลตำบล",
                "",
            )
            if r.name_th.startswith(k)
        )
        for r in local
    )

    assert 9_500 <= len(records) <= 10_500
    assert kinds["องค์การบริหารส่วนจังหวัด"] == 76
    assert kinds["เทศบาลนคร"] == 30
    assert kinds["เทศบาลเมือง"] > 150
    assert kinds["เทศบาลตำบล"] > 2_000
    assert kinds["องค์การบริหารส่วนตำบล"] > 5_000
    # the 2019 set is included unchanged
    assert {r.code for r in registries["2019"]} <= {r.code for r in records}


def test_should_keep_realistic_type_and_mission_proportions(
    registries: dict[str, list[AgencyRecord]],
) -> None:
    counts = count_records(registries["2023"])
    types = counts.by_type
    departments = counts.by_level[AgencyLevel.DEPARTMENT]
    policy_share = counts.by_mission[Mission.POLICY] / departments

    assert types[AgencyType.GOVERNMENT_AGENCY] > departments / 2
    assert 45 <= types[AgencyType.STATE_ENTERPRISE] <= 55
    assert 35 <= types[AgencyType.PUBLIC_ORGANIZATION] <= 45
    assert 10 <= types[AgencyType.INDEPENDENT_ORGANIZATION] <= 14
    assert 1 <= types[AgencyType.OTHER] <= 20
    assert sum(counts.by_mission.values()) == departments
    assert abs(policy_share - 110 / 292) < 0.03


@pytest.mark.parametrize("scale", ["2023", "2019", "10k"])
def test_should_produce_only_valid_records(
    registries: dict[str, list[AgencyRecord]], scale: str
) -> None:
    records = registries[scale]
    codes = [r.code for r in records]
    code_set = set(codes)

    assert len(code_set) == len(codes)
    for r in records:
        assert r.name_th
        assert r.active
        assert r.ministry in MINISTRIES, r
        assert r.province is None or r.province in ALL_PROVINCES, r
        assert r.parent_code is None or r.parent_code in code_set, r
        if r.level is AgencyLevel.DEPARTMENT:
            assert r.agency_type is not None, r
            assert r.mission is not None, r
            assert r.province is None
        else:
            assert r.province is not None, r
        head = r.contact(ContactRole.HEAD)
        assert head is not None, r
        assert head.name, r
        assert head.title, r
        roles = [c.role for c in r.contacts]
        assert ContactRole.CIO in roles
        assert ContactRole.COORDINATOR in roles
        for c in r.contacts:
            assert c.email is not None, c
            assert RESERVED_DOMAIN.search(c.email), c
            assert validate_email(c.email, check_deliverability=False).normalized == c.email
            assert c.phone is not None, c
            assert PHONE.match(c.phone), c
            assert re.match(r"^(นาย|นางสาว|นาง|พล)", c.name), c


@pytest.mark.parametrize("scale", ["2019", "10k"])
def test_should_not_repeat_a_name_within_a_province(
    registries: dict[str, list[AgencyRecord]], scale: str
) -> None:
    names = Counter((r.province, r.name_th) for r in registries[scale])

    assert [key for key, n in names.items() if n > 1] == []


def test_should_use_real_agency_names_and_titles(
    registries: dict[str, list[AgencyRecord]],
) -> None:
    by_name = {r.name_th: r for r in registries["2019"]}
    revenue = by_name["กรมสรรพากร"]
    dga = by_name["สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)"]
    area = by_name["สำนักงานสรรพากรพื้นที่จังหวัดขอนแก่น"]
    real = [r for r in registries["2023"] if r.name_en]

    assert len(real) >= 150
    assert revenue.name_en == "Revenue Department"
    assert revenue.ministry == "กระทรวงการคลัง"
    assert revenue.agency_type is AgencyType.GOVERNMENT_AGENCY
    assert revenue.contacts[0].title == "อธิบดีกรมสรรพากร"
    assert dga.agency_type is AgencyType.PUBLIC_ORGANIZATION
    assert by_name["การไฟฟ้านครหลวง"].agency_type is AgencyType.STATE_ENTERPRISE
    assert by_name["สำนักงานคณะกรรมการการเลือกตั้ง"].agency_type is AgencyType.INDEPENDENT_ORGANIZATION
    assert area.parent_code == revenue.code
    assert area.ministry == "กระทรวงการคลัง"
    assert area.contacts[0].title == "สรรพากรพื้นที่จังหวัดขอนแก่น"
    assert area.contacts[0].phone is not None
    assert area.contacts[0].phone.startswith("043-")


def test_should_address_heads_by_their_real_titles(
    registries: dict[str, list[AgencyRecord]],
) -> None:
    committee = next(r for r in registries["2023"] if r.name_th.endswith("จังหวัดขอนแก่น"))
    sao = next(r for r in registries["10k"] if r.name_th.startswith("องค์การบริหารส่วนตำบล"))
    army = next(r for r in registries["2023"] if r.name_th == "กองทัพบก")

    assert committee.level is AgencyLevel.PROVINCIAL_CIO
    assert committee.contacts[0].title == "ผู้ว่าราชการจังหวัดขอนแก่น"
    assert sao.contacts[0].title == "นายก" + sao.name_th
    assert army.contacts[0].title == "ผู้บัญชาการทหารบก"
    assert army.contacts[0].name.startswith("พลเอก ")


def test_should_be_deterministic_for_a_seed() -> None:
    assert generate_registry("2023", seed=7) == generate_registry("2023", seed=7)


def test_should_draw_other_people_but_keep_the_agencies_for_another_seed() -> None:
    a = generate_registry("2019", seed=1)
    b = generate_registry("2019", seed=2)
    shape = [(r.code, r.name_th, r.level, r.agency_type, r.mission, r.province) for r in a]

    assert shape == [(r.code, r.name_th, r.level, r.agency_type, r.mission, r.province) for r in b]
    assert [r.contacts for r in a] != [r.contacts for r in b]
    pairs = zip(a, b, strict=True)
    different_heads = sum(x.contacts[0].name != y.contacts[0].name for x, y in pairs)
    assert different_heads > len(a) * 0.9


def test_should_keep_department_codes_across_scales(
    registries: dict[str, list[AgencyRecord]],
) -> None:
    in_2019 = {r.code: r.name_th for r in registries["2019"]}

    for r in registries["2023"]:
        if r.level is AgencyLevel.DEPARTMENT:
            assert in_2019[r.code] == r.name_th


def test_should_be_clean_unless_asked_for_imperfect_contacts() -> None:
    clean = generate_registry("2019", seed=5)
    damaged = generate_registry("2019", seed=5, imperfect=True)
    pairs = [
        (c, d)
        for x, y in zip(clean, damaged, strict=True)
        for c, d in zip(x.contacts, y.contacts, strict=True)
    ]
    changed = [(c, d) for c, d in pairs if c != d]

    assert damaged == generate_registry("2019", seed=5, imperfect=True)
    assert 0.02 < len(changed) / len(pairs) < 0.06
    assert all(c.title == d.title for c, d in changed)
    assert all(d.email is None or "example" in d.email.lower() for _, d in changed)
    assert any(d.email is None for _, d in changed)
    assert any(d.phone and re.search("[๐-๙]", d.phone) for _, d in changed)


def test_should_refuse_an_unknown_scale() -> None:
    with pytest.raises(ValueError, match="unknown demo scale"):
        generate_registry("2020")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_should_write_a_file_the_registry_reader_accepts(tmp_path: Path, suffix: str) -> None:
    registry = pytest.importorskip("dgops.registry")
    path = tmp_path / f"registry{suffix}"

    written = write_demo_registry(path, "2023", seed=3)
    result = registry.read_registry(path)

    assert [i.format() for i in result.issues if i.is_error] == []
    # The reader writes phones in its own layout: compare their digits.
    assert _phone_digits(result.records) == _phone_digits(written)
