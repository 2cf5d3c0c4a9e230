"""The Thai clarification e-mail renders with the findings that sent a response back."""

from __future__ import annotations

from pathlib import Path

from dgops.mail import render_email

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"


def test_should_render_the_clarification_with_each_finding_and_the_round() -> None:
    context = {
        "agency_name": "กรมทดสอบ",
        "year_be": 2566,
        "round": 2,
        "portal_url": "https://survey.example.go.th",
        "findings": [
            {
                "question_id": "SP_06",
                "question_text": "ปริมาณธุรกรรมดิจิทัล",
                "message": "ปริมาณธุรกรรมผ่านช่องทางดิจิทัลต้องไม่มากกว่าปริมาณธุรกรรมทั้งหมด",
                "value": "50",
            }
        ],
    }

    mail = render_email(TEMPLATES, "clarification", context)

    assert "ครั้งที่ 2" in mail.subject
    assert "กรมทดสอบ" in mail.subject
    for body in (mail.text, mail.html):
        assert "SP_06" in body
        assert "ต้องไม่มากกว่า" in body
        assert "https://survey.example.go.th" in body
