from __future__ import annotations

import pytest

from dgops.registry.columns import ALL_COLUMNS, match_header
from dgops.registry.records import CONTACT_FIELDS, SHEET_ROLES
from dgops.tabular import column_letter


def test_should_have_one_column_per_agency_field_and_four_per_sheet_role() -> None:
    assert len(ALL_COLUMNS) == 10 + len(SHEET_ROLES) * len(CONTACT_FIELDS)
    assert [c.field for c in ALL_COLUMNS][10:14] == [
        "head_name",
        "head_title",
        "head_email",
        "head_phone",
    ]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("รหัสหน่วยงาน", "code"),
        ("code", "code"),
        (" Code ", "code"),
        ("ชื่อหน่วยงาน (ภาษาไทย)", "name_th"),
        ("ชื่อหน่วยงาน(ภาษาไทย)", "name_th"),
        ("ระดับหน่วยงาน", "level"),
        ("สังกัดกระทรวง", "ministry"),
        ("รหัสหน่วยงานต้นสังกัด", "parent_code"),
        ("หัวหน้าหน่วยงาน: ชื่อ", "head_name"),
        ("หัวหน้าหน่วยงาน อีเมล์", "head_email"),
        ("Head_Email", "head_email"),
        ("CIO: โทรศัพท์", "cio_phone"),
        ("ผู้ประสานงาน: อีเมล", "coordinator_email"),
    ],
)
def test_should_match_thai_english_and_alias_headers(header: str, field: str) -> None:
    assert match_header(header) == field


def test_should_not_match_unknown_headers() -> None:
    assert match_header("หมายเหตุ") is None


def test_should_letter_columns_like_excel() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52)] == ["A", "Z", "AA", "AZ", "BA"]
