from __future__ import annotations

import pytest

from dgops.registry.normalise import (
    PhoneError,
    clean_text,
    normalise_email,
    normalise_phone,
    parse_active,
    phone_from_number,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("02-123-4567", "02-123-4567"),
        ("021234567", "02-123-4567"),
        ("043-705-875", "043-705-875"),
        ("04 3705 875", "043-705-875"),
        ("053112000", "053-112-000"),
        ("0812345678", "081-234-5678"),
        ("084-815-3440", "084-815-3440"),
        ("08-4815-3440", "084-815-3440"),
        ("06 1234 5678", "061-234-5678"),
        ("+66 81 234 5678", "081-234-5678"),
        ("66812345678", "081-234-5678"),
        ("+66 43 705 875", "043-705-875"),
        ("+66 (0)2 123 4567", "02-123-4567"),
        ("02 123 4567 ต่อ 12", "02-123-4567 ต่อ 12"),
        ("02-1234567 ext. 99", "02-123-4567 ต่อ 99"),
        ("043-705-875 ต่อ 1637", "043-705-875 ต่อ 1637"),
        ("081-234-5678, 02 123 4567", "081-234-5678, 02-123-4567"),
        ("1111", "1111"),
    ],
)
def test_should_write_thai_numbers_in_one_format(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "abc",
        "0212",
        "+1 212 555 0100",
        "02-123-4567 ต่อ",
        "",
        "0212345678",  # ten digits, but not a mobile prefix
        "061234567",  # nine digits, but 06 is a mobile prefix
        "0112345678",
    ],
)
def test_should_refuse_what_is_not_a_thai_number(raw: str) -> None:
    with pytest.raises(PhoneError):
        normalise_phone(raw)


def test_should_turn_thai_digits_into_arabic_before_reading_a_phone() -> None:
    assert normalise_phone(clean_text("๐๒ ๑๒๓ ๔๕๖๗ ต่อ ๑๒")) == "02-123-4567 ต่อ 12"


def test_should_restore_the_leading_zero_excel_dropped() -> None:
    assert phone_from_number(21234567) == "021234567"
    assert phone_from_number(812345678.0) == "0812345678"
    assert normalise_phone(phone_from_number(43705875)) == "043-705-875"
    assert normalise_phone("43705875") == "043-705-875"
    assert normalise_phone("812345678") == "081-234-5678"


def test_should_drop_zero_width_and_stray_spaces_and_fold_full_width_letters() -> None:
    assert clean_text("  ＤＥＰＴ-００１\u200b ") == "DEPT-001"
    assert clean_text("กรม\u200bสรรพากร\u00a0\u00a0 ใหม่ ") == "กรมสรรพากร ใหม่"


def test_should_keep_sara_am_intact_where_nfkc_would_split_it() -> None:
    assert clean_text("สำนักงาน") == "สำนักงาน"


def test_should_normalise_email_domain_without_network() -> None:
    assert normalise_email("Somchai@RD.GO.TH") == "Somchai@rd.go.th"
    with pytest.raises(ValueError, match="@"):
        normalise_email("dg@@rd.go.th")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ใช้งาน", True),
        ("1", True),
        ("Active", True),
        ("ยกเลิก", False),
        ("0", False),
        ("ไม่ใช้งาน", False),
        ("บางที", None),
    ],
)
def test_should_read_the_active_flag_in_thai_or_english(raw: str, expected: bool | None) -> None:
    assert parse_active(raw) is expected


@pytest.mark.parametrize(
    "address",
    [
        "a@b.go.th",
        "First.Last@Example.GO.TH",
        "x+tag@mail.example.org",
        "o'neil@a-b.co.th",
        "x@localhost",
        "x@site.test",
        "x@host.local",
        "x@a..b.com",
        "x@-a.com",
        "x@a-.com",
        "x@xn--12c1fe0br.xn--o3cw4h",
        "x@ab--cd.com",
        ".x@a.com",
        "x.@a.com",
        "x..y@a.com",
        "x@a.c",
        "x@a.123",
        "a" * 65 + "@a.com",
        "x@" + "a" * 64 + ".com",
        "สมชาย@ตัวอย่าง.ไทย",
        "x@@a.com",
        "x y@a.com",
        "x@a.com.",
        "x@a_b.com",
    ],
)
def test_should_give_email_validators_answer_on_the_fast_path(address: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    try:
        expected: str | None = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        expected = None
    try:
        got: str | None = normalise_email(address)
    except ValueError:
        got = None
    assert got == expected
