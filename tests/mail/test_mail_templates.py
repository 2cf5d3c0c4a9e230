"""The invitation renders in Thai with the deadline, portal and attached-letter note."""

from __future__ import annotations

import datetime as dt

import pytest
from mail_fixtures import ROOT

from dgops.mail import TemplateError, render_email
from dgops.mail.templates import available_kinds
from dgops.thai import thai_date

TEMPLATES = ROOT / "templates" / "email"
CONTEXT = {
    "agency_name": "กรมการปกครอง",
    "survey_title": "การสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ ประจำปี พ.ศ. 2566",
    "year_be": 2566,
    "deadline": dt.date(2023, 8, 31),
    "portal_url": "https://survey.dga.example.org/?a=1&b=<2>",
}


def test_should_render_a_thai_invitation_with_deadline_portal_and_letter_note() -> None:
    email = render_email(TEMPLATES, "invitation", CONTEXT)

    assert email.subject == (
        "ขอเชิญตอบแบบสำรวจระดับความพร้อมรัฐบาลดิจิทัล ประจำปี พ.ศ. 2566 (กรมการปกครอง)"
    )
    for part in (email.text, email.html):
        assert "31 สิงหาคม 2566" in part
        assert "แนบมากับอีเมลฉบับนี้" in part
        assert "รหัสผ่าน" in part
    assert "https://survey.dga.example.org/?a=1&b=<2>" in email.text
    assert "b=&lt;2&gt;" in email.html


def test_should_refuse_a_context_without_a_required_value() -> None:
    with pytest.raises(TemplateError, match="deadline"):
        render_email(TEMPLATES, "invitation", {k: v for k, v in CONTEXT.items() if k != "deadline"})


def test_should_list_the_shipped_kinds() -> None:
    assert "invitation" in available_kinds(TEMPLATES)
    assert "layout" not in available_kinds(TEMPLATES)


def test_should_write_buddhist_era_dates() -> None:
    assert thai_date("2024-01-05") == "5 มกราคม 2567"
