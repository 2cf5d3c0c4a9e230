"""Importing offline questionnaires: every bad file gives its error and writes nothing."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from responses_fixtures import FIXTURES, World
from sqlalchemy import func, select

from dgops.framework import Framework
from dgops.registry import ReadLimits
from dgops.responses import answers_of, get_response, transitions_of
from dgops.responses.importer import import_xlsx
from dgops.responses.models import Answer, Response, ResponseEvent, ResponseStatus
from dgops.responses.template import build_template

BAD = FIXTURES / "bad"
GOOD = FIXTURES / "good"


def _nothing_written(world: World) -> None:
    s = world.session
    assert s.scalar(select(func.count()).select_from(Answer)) == 0
    assert s.scalar(select(func.count()).select_from(ResponseEvent)) == 0
    statuses = s.scalars(select(Response.status)).all()
    assert set(statuses) <= {ResponseStatus.NOT_STARTED}


@pytest.mark.parametrize(
    ("name", "code", "where"),
    [
        ("macro.xlsm", "macro", ""),
        ("vba_inside.xlsx", "macro", ""),
        ("formula.xlsx", "formula", "D18 [Q_STAFF]"),
        ("row_deleted.xlsx", "structure", "A12 [Q_BUDGET]"),
        ("row_inserted.xlsx", "structure", "A18 [Q_STAFF]"),
        ("row_appended.xlsx", "structure", "40"),
        ("other_agency.xlsx", "agency_mismatch", "C3"),
        ("other_cycle.xlsx", "cycle_mismatch", "_signature"),
        ("signature_tampered.xlsx", "signature", "_signature"),
        ("out_of_domain.xlsx", "out_of_range", "D12 [Q_BUDGET]"),
        ("not_a_number.xlsx", "not_a_number", "D18 [Q_STAFF]"),
        ("incomplete.xlsx", "missing_required", "D12 [Q_BUDGET]"),
        ("zip_bomb.xlsx", "bomb", ""),
        ("not_a_template.xlsx", "not_template", ""),
        ("legacy.xls", "legacy", ""),
        ("text_renamed.xlsx", "is_text", ""),
    ],
)
def test_should_refuse_each_bad_file_and_write_nothing(
    world: World, mini: Framework, name: str, code: str, where: str
) -> None:
    report = import_xlsx(
        world.session,
        BAD / name,
        cycle_year=2566,
        actor="op",
        framework=mini,
        agency_code="D0001",
    )
    (file,) = report.files
    assert not file.ok
    codes = [e.code for e in file.errors]
    assert code in codes
    problem = file.errors[codes.index(code)]
    assert where in problem.where
    assert problem.message_th
    assert problem.message_en
    _nothing_written(world)


def test_should_report_every_domain_error_of_a_file(world: World, mini: Framework) -> None:
    report = import_xlsx(
        world.session,
        BAD / "out_of_domain.xlsx",
        cycle_year=2566,
        actor="op",
        framework=mini,
    )
    found = {(e.row, e.question_id, e.code) for e in report.errors}
    assert found == {(12, "Q_BUDGET", "out_of_range"), (19, "Q_LEVEL", "not_an_option")}


def test_should_import_a_good_file_and_submit_it_as_xlsx(world: World, mini: Framework) -> None:
    report = import_xlsx(
        world.session,
        GOOD / "D0001.xlsx",
        cycle_year=2566,
        actor="op",
        framework=mini,
        agency_code="D0001",
    )
    assert report.ok
    r = get_response(world.session, world.cycle_id, world.agency_ids["D0001"], create=False)
    assert r.status == ResponseStatus.SUBMITTED
    assert r.channel == "xlsx"
    assert answers_of(world.session, r)["Q_CHANNELS"] == ["web", "line"]
    steps = [(e.from_status, e.to_status, e.channel) for e in transitions_of(world.session, r)]
    assert steps == [("not_started", "in_progress", "xlsx"), ("in_progress", "submitted", "xlsx")]


def test_should_leave_a_draft_in_progress(world: World, mini: Framework) -> None:
    report = import_xlsx(
        world.session,
        BAD / "incomplete.xlsx",
        cycle_year=2566,
        actor="op",
        framework=mini,
        draft=True,
    )
    assert report.ok
    r = get_response(world.session, world.cycle_id, world.agency_ids["D0001"], create=False)
    assert r.status == ResponseStatus.IN_PROGRESS
    assert answers_of(world.session, r) == {"Q_PLAN": "yes"}


def test_should_store_formula_text_inert_and_flag_it(world: World, mini: Framework) -> None:
    report = import_xlsx(
        world.session,
        GOOD / "D0002_injection.xlsx",
        cycle_year=2566,
        actor="op",
        framework=mini,
    )
    assert report.ok
    (warning,) = report.warnings
    assert (warning.code, warning.question_id, warning.row) == ("formula_text", "Q_NOTE", 23)
    r = get_response(world.session, world.cycle_id, world.agency_ids["D0002"], create=False)
    note = answers_of(world.session, r)["Q_NOTE"]
    assert note == '=HYPERLINK("http://evil.example","คลิก")'
    again = build_template(mini, _Agency("D0002"), 2566, answers={"Q_NOTE": note})
    cell = load_workbook(io.BytesIO(again))["แบบสำรวจ"]["D23"]
    assert cell.data_type == "s"  # text, not a formula
    assert cell.value == "'" + note


class _Agency:
    def __init__(self, code: str) -> None:
        self.code = code
        self.name_th = "กรมทดสอบ"


def test_should_import_a_folder_file_by_file(world: World, mini: Framework, tmp_path: Path) -> None:
    for name in ("D0001.xlsx", "D0002_injection.xlsx"):
        shutil.copy(GOOD / name, tmp_path / name)
    shutil.copy(BAD / "formula.xlsx", tmp_path / "formula.xlsx")
    (tmp_path / "~$D0001.xlsx").write_bytes(b"lock")
    seen: list[str] = []
    report = import_xlsx(
        world.session,
        tmp_path,
        cycle_year=2566,
        actor="op",
        framework=mini,
        on_file=lambda f: seen.append(Path(f.file).name),
    )
    assert seen == ["D0001.xlsx", "D0002_injection.xlsx", "formula.xlsx"]
    assert [Path(f.file).name for f in report.imported] == ["D0001.xlsx", "D0002_injection.xlsx"]
    assert [Path(f.file).name for f in report.failed] == ["formula.xlsx"]


def test_should_refuse_a_file_over_the_size_limit(world: World, mini: Framework) -> None:
    report = import_xlsx(
        world.session,
        GOOD / "D0001.xlsx",
        cycle_year=2566,
        actor="op",
        framework=mini,
        limits=ReadLimits(max_bytes=1000),
    )
    assert [e.code for e in report.errors] == ["too_large"]
    _nothing_written(world)


def test_should_refuse_to_overwrite_a_submitted_response(world: World, mini: Framework) -> None:
    import_xlsx(
        world.session,
        GOOD / "D0001.xlsx",
        cycle_year=2566,
        actor="op",
        framework=mini,
    )
    report = import_xlsx(
        world.session,
        GOOD / "D0001.xlsx",
        cycle_year=2566,
        actor="op",
        framework=mini,
    )
    assert [e.code for e in report.errors] == ["locked"]
    r = get_response(world.session, world.cycle_id, world.agency_ids["D0001"], create=False)
    assert len(transitions_of(world.session, r)) == 2


def test_should_round_trip_demo_answers_of_the_2566_framework(tmp_path: Path) -> None:
    import pandas as pd

    from dgops.demo.responses import generate_responses
    from dgops.framework import is_missing, load_framework
    from dgops.responses.importer import read_questionnaire

    fw = load_framework("2566")
    agencies = pd.DataFrame(
        {"level": "department", "agency_type": "government_agency", "mission": "service"},
        index=[1, 2, 3, 4],
    )
    for aid, row in generate_responses(fw, agencies, seed=5).iterrows():
        answers = {str(k): v for k, v in row.items() if not is_missing(v)}
        path = tmp_path / f"{aid}.xlsx"
        path.write_bytes(build_template(fw, _Agency(f"D{aid:04d}"), 2566, answers=answers))
        parsed = read_questionnaire(path, fw)
        assert parsed.errors == []
        expected = {k: v for k, v in answers.items() if fw.question(str(k)).type != "evidence"}
        assert parsed.answers == expected


WIDE = FIXTURES / "wide"


def test_should_import_a_wide_file_with_its_mapping(world: World, mini: Framework) -> None:
    from dgops.responses.wide import import_wide

    report = import_wide(
        world.session,
        WIDE / "good.csv",
        WIDE / "mapping.yaml",
        cycle_year=2566,
        actor="op",
        framework=mini,
    )
    assert report.errors == []
    one = get_response(world.session, world.cycle_id, world.agency_ids["D0001"], create=False)
    two = get_response(world.session, world.cycle_id, world.agency_ids["D0002"], create=False)
    assert answers_of(world.session, one) == {
        "Q_PLAN": "yes",
        "Q_BUDGET": 12.5,
        "Q_CHANNELS": ["web", "line"],
        "Q_STAFF": 1234,
        "Q_LEVEL": "2",
    }
    assert (one.status, one.channel) == (ResponseStatus.SUBMITTED, "import")
    assert answers_of(world.session, two)["Q_NOTE"] == '=HYPERLINK("http://evil.example")'
    assert [(w.code, w.row, w.column) for w in report.warnings] == [("formula_text", 3, "G")]


def test_should_write_nothing_from_a_wide_file_with_errors(world: World, mini: Framework) -> None:
    from dgops.responses.wide import import_wide

    report = import_wide(
        world.session,
        WIDE / "bad.csv",
        WIDE / "mapping.yaml",
        cycle_year=2566,
        actor="op",
        framework=mini,
    )
    found = {(e.row, e.column, e.question_id, e.code) for e in report.errors}
    assert found == {(2, "C", "Q_BUDGET", "out_of_range"), (2, "D", "Q_CHANNELS", "not_an_option")}
    _nothing_written(world)


def test_should_read_a_wide_csv_in_utf16_like_the_registry(
    world: World, mini: Framework, tmp_path: Path
) -> None:
    from dgops.responses.wide import import_wide

    path = tmp_path / "good-utf16.csv"
    path.write_bytes((WIDE / "good.csv").read_text("utf-8-sig").encode("utf-16"))
    report = import_wide(
        world.session, path, WIDE / "mapping.yaml", cycle_year=2566, actor="op", framework=mini
    )
    assert report.errors == []
    assert [(w.code, w.row, w.column) for w in report.warnings] == [("formula_text", 3, "G")]
