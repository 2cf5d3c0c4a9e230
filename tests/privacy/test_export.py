"""Data-subject access: an agency's stored personal data, as JSON and XLSX."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from privacy_fixtures import World

from dgops.privacy import SECTIONS, PrivacyError, export_agency_data, export_bytes, format_of


def test_should_gather_every_table_holding_the_agencys_personal_data(world: World) -> None:
    with world.db.begin() as s:
        data = export_agency_data(s, "D0001")

    assert data["agency"]["code"] == "D0001"
    assert {c["email"] for c in data["contacts"]} == {
        "somchai@d0001.go.th",
        "somying@d0001.go.th",
    }
    assert data["contacts"][0]["phone"] == "02 111 1111"
    assert [m["cycle_year"] for m in data["mail_messages"]] == [2566]
    assert "somchai@d0001.go.th" in data["mail_messages"][0]["recipients"]
    assert [r["email"] for r in data["mail_recipients"]] == ["somying@d0001.go.th"]
    assert [e["email"] for e in data["mail_events"]] == ["somying@d0001.go.th"]
    assert [c["email"] for c in data["mail_corrections"]] == ["somying@d0001.go.th"]
    assert sorted(f["filename"] for f in data["evidence_files"]) == [
        "ระเบียบ.pdf",
        "รายงานการประชุม สมชาย.pdf",
    ]
    assert data["responses"][0]["submitted_by"] == "DG66-D0001"
    # Nothing about another agency.
    assert "d0002" not in json.dumps(data, ensure_ascii=False)


def test_should_never_export_secrets(world: World) -> None:
    with world.db.begin() as s:
        data = export_agency_data(s, "D0001")

    text = json.dumps(data, ensure_ascii=False)
    assert "password_hash" not in text
    assert "code_hash" not in text


def test_should_write_json_with_thai_readable_and_xlsx_with_a_sheet_per_table(
    world: World,
) -> None:
    with world.db.begin() as s:
        data = export_agency_data(s, "D0001")

    as_json = export_bytes(data, "json")
    workbook = load_workbook(io.BytesIO(export_bytes(data, "xlsx")), read_only=True)

    assert "นายสมชาย ใจดี" in as_json.decode("utf-8")
    assert workbook.sheetnames == ["agency", *SECTIONS]
    contacts = list(workbook["contacts"].iter_rows(values_only=True))
    assert contacts[0][:3] == ("id", "role", "name")
    assert {row[4] for row in contacts[1:]} == {"somchai@d0001.go.th", "somying@d0001.go.th"}
    empty = list(workbook["portal_accounts"].iter_rows(values_only=True))
    assert empty == [("(none)",)]
    workbook.close()
    assert format_of(None) == "json"
    assert format_of(__import__("pathlib").Path("a.XLSX")) == "xlsx"


def test_should_refuse_an_unknown_agency_or_format(world: World) -> None:
    with world.db.begin() as s, pytest.raises(PrivacyError, match="ไม่พบหน่วยงาน"):
        export_agency_data(s, "NOPE")
    with pytest.raises(PrivacyError, match="json หรือ xlsx"):
        export_bytes({}, "csv")
