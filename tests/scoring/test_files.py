"""Scoring from files: answers and external inputs read exactly, or refused cell by cell."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from dgops.cli import app
from dgops.framework import Framework, load_framework
from dgops.scoring import (
    ScoreFileError,
    read_answers_file,
    read_external_file,
    score,
    write_result,
)

GOVTECH = Path(__file__).parents[1] / "framework" / "fixtures" / "govtech_like.yaml"
HEADER = "agency,I1,I2,I3,I5,I7,I8"


@pytest.fixture(scope="module")
def govtech() -> Framework:
    return load_framework(GOVTECH)


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_should_read_answers_by_question_type_keeping_codes_as_text(
    tmp_path: Path, govtech: Framework
) -> None:
    path = write(
        tmp_path / "answers.csv",
        HEADER,
        '00105,full,yes,no,"web;app",yes,"1,250"',
        "00106,partial,no,yes,,no,",
    )
    answers = read_answers_file(path, govtech)
    assert list(answers.index) == ["00105", "00106"]
    assert answers.loc["00105", "I5"] == ["web", "app"]
    assert answers.loc["00105", "I8"] == 1250.0
    assert answers.loc["00106", "I5"] is None
    assert answers.loc["00106", "I8"] is None


def test_should_refuse_unreadable_cells_and_numeric_codes_with_their_places(
    tmp_path: Path, govtech: Framework
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "คำตอบ"
    sheet.append(["agency", "I1", "I8"])
    sheet.append(["00105", "full", "many"])
    sheet.append([106, "full", 3])
    book.save(tmp_path / "answers.xlsx")
    with pytest.raises(ScoreFileError) as caught:
        read_answers_file(tmp_path / "answers.xlsx", govtech)
    problems = caught.value.problems
    assert any(p.startswith("answers.xlsx › คำตอบ › C2:") and "'many'" in p for p in problems)
    assert any(p.startswith("answers.xlsx › คำตอบ › A3:") and "106" in p for p in problems)


def test_should_refuse_a_duplicate_agency_and_a_missing_agency_column(
    tmp_path: Path, govtech: Framework
) -> None:
    dup = write(
        tmp_path / "dup.csv", HEADER, "A1,full,yes,no,web,yes,1", "A1,full,yes,no,web,yes,1"
    )
    with pytest.raises(ScoreFileError, match=r"dup\.csv › A3: .*A1.*duplicate"):
        read_answers_file(dup, govtech)
    none = write(tmp_path / "none.csv", "I1,I2", "full,yes")
    with pytest.raises(ScoreFileError, match="agency column"):
        read_answers_file(none, govtech)


def test_should_read_external_inputs_and_refuse_text(tmp_path: Path) -> None:
    good = write(tmp_path / "ext.csv", "agency,egdi_osi,wjp_open_gov", "A1,0.9,", "A2,0.5,0.25")
    frame = read_external_file(good)
    assert frame.loc["A1", "egdi_osi"] == 0.9
    assert pd.isna(frame.loc["A1", "wjp_open_gov"])
    bad = write(tmp_path / "bad.csv", "agency,egdi_osi", "A1,high")
    with pytest.raises(ScoreFileError, match=r"bad\.csv › B2: .*'high'"):
        read_external_file(bad)


def test_should_write_scores_and_issues_as_xlsx_and_csv(tmp_path: Path, govtech: Framework) -> None:
    answers = read_answers_file(
        write(tmp_path / "a.csv", HEADER + ",I9_typo", "A1,full,yes,no,web,yes,85,x"), govtech
    )
    result = score(govtech, answers)
    (xlsx,) = write_result(result, tmp_path / "out.xlsx")
    book = load_workbook(xlsx)
    assert book.sheetnames == ["scores", "issues"]
    reasons = {row[3] for row in book["issues"].iter_rows(min_row=2, values_only=True)}
    assert {"unknown_column", "missing_external"} <= reasons
    scores_csv, issues_csv = write_result(result, tmp_path / "out.csv")
    assert scores_csv.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel shows Thai
    assert "unknown_column" in issues_csv.read_text(encoding="utf-8-sig")


class TestScoreFileCommand:
    def test_should_refuse_inputs_that_do_not_match_unless_lenient(self, tmp_path: Path) -> None:
        answers = write(tmp_path / "a.csv", HEADER, "A1,full,yes,no,web,yes,85")
        runner = CliRunner()
        strict = runner.invoke(app, ["score", "file", str(GOVTECH), str(answers)])
        assert strict.exit_code == 1
        assert "missing_external" not in strict.output  # said in words, not codes
        assert "egdi_osi" in strict.output
        lenient = runner.invoke(
            app,
            [
                "score",
                "file",
                str(GOVTECH),
                str(answers),
                "--lenient",
                "--out",
                str(tmp_path / "out.xlsx"),
            ],
        )
        assert lenient.exit_code == 0, lenient.output
        assert "2 input problems" in " ".join(lenient.output.split())
        assert (tmp_path / "out.xlsx").is_file()

    def test_should_score_answers_with_their_external_inputs(self, tmp_path: Path) -> None:
        answers = write(tmp_path / "a.csv", HEADER, "A1,full,yes,yes,web;social;app,yes,85")
        external = write(tmp_path / "e.csv", "agency,egdi_osi,wjp_open_gov", "A1,0.9,0.8")
        result = CliRunner().invoke(
            app, ["score", "file", str(GOVTECH), str(answers), "--external", str(external)]
        )
        assert result.exit_code == 0, result.output
        assert "0 input problems" in " ".join(result.output.split())
        assert "A1" in result.output


def test_should_refuse_values_in_a_column_without_a_header(
    tmp_path: Path, govtech: Framework
) -> None:
    path = write(tmp_path / "a.csv", HEADER + ",", "A1,full,yes,no,web,yes,85,forgotten")
    with pytest.raises(ScoreFileError, match=r"a\.csv › H2: .*'forgotten'.*without a header"):
        read_answers_file(path, govtech)
    ext = write(tmp_path / "e.csv", "agency,egdi_osi", "A1,0.5,0.7")
    with pytest.raises(ScoreFileError, match=r"e\.csv › C2: .*without a header"):
        read_external_file(ext)


def test_should_read_a_percentage_answer_as_shown_in_the_spreadsheet(tmp_path: Path) -> None:
    mini = load_framework(Path(__file__).parents[1] / "recommend" / "data" / "mini.yaml")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["agency", "Q211", "Q122"])
    sheet.append(["00105", 0.85, 3])
    sheet.append(["00106", 62, 0.5])
    sheet["B2"].number_format = "0%"  # shown as 85 %
    sheet["C3"].number_format = "0%"  # a count shown as 50 %: not a percentage question
    book.save(tmp_path / "answers.xlsx")

    answers = read_answers_file(tmp_path / "answers.xlsx", mini)

    assert answers.loc["00105", "Q211"] == 85.0
    assert answers.loc["00106", "Q211"] == 62.0
    assert answers.loc["00106", "Q122"] == 0.5
