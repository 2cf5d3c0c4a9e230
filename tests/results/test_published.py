"""import-previous: a past year's published scores, all or nothing, every problem located."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, select

from dgops.db import Database
from dgops.framework import Framework
from dgops.results import (
    PublishedScoresError,
    import_published,
    read_agency_map,
    read_published,
)
from dgops.results.models import PublishedScore


def _xlsx(path: Path, rows: list[list[object]], percent_cols: tuple[int, ...] = ()) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "ผลปี 2565"
    for row in rows:
        ws.append(row)
    for col in percent_cols:
        for cells in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cells[0].number_format = "0.00%"
    wb.save(path)
    return path


HEADER = ["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "overall", "overall_level", "P1", "P1_level", "P1.1"]


def test_should_locate_every_problem_and_write_nothing(
    engine: Engine, cycle_id: int, mini: Framework, tmp_path: Path
) -> None:
    path = _xlsx(
        tmp_path / "bad.xlsx",
        [
            [*HEADER, "หมายเหตุ"],
            ["A001", "กรม 1", 55.5, 3, 40, 2, 30, None],
            [2, "กรม 2", 60, 3, 40, 2, 30, None],
            ["A003", "กรม 3", 160, 7, "สูง", 2, 30, None],
            ["A001", "กรม 1 ซ้ำ", 55.5, 3, 40, 2, 30, None],
        ],
    )
    with pytest.raises(PublishedScoresError) as caught:
        read_published(path, mini)
    problems = caught.value.problems
    assert problems == [
        "bad.xlsx › ผลปี 2565 › H1: column 'หมายเหตุ' is not a score column of framework mini "
        "(overall, a pillar or sub-indicator code, <code>_level) nor a descriptive one"
    ]
    path = _xlsx(
        tmp_path / "bad2.xlsx",
        [HEADER]
        + [
            r[:7]
            for r in [
                ["A001", "กรม 1", 55.5, 3, 40, 2, 30],
                [2, "กรม 2", 60, 3, 40, 2, 30],
                ["A003", "กรม 3", 160, 7, "สูง", 2, 30],
                ["A001", "กรม 1 ซ้ำ", 55.5, 3, 40, 2, 30],
            ]
        ],
    )
    with pytest.raises(PublishedScoresError) as caught, Database(engine).begin() as session:
        import_published(session, 2565, path, actor="t", framework=mini)
    assert caught.value.problems == [
        "bad2.xlsx › ผลปี 2565 › A3: the agency code must be text as typed (found 2; format "
        "the column as Text to keep leading zeros)",
        "bad2.xlsx › ผลปี 2565 › C4: 160 is outside 0–100 (160)",
        "bad2.xlsx › ผลปี 2565 › D4: 7 is not a level 1–5 (7)",
        "bad2.xlsx › ผลปี 2565 › E4: not a number ('สูง')",
        "bad2.xlsx › ผลปี 2565 › A5: code A001 repeats row 2",
    ]
    with Database(engine).begin() as session:
        assert session.scalars(select(PublishedScore)).all() == []


def test_should_read_percentages_as_shown_and_refuse_fractions(
    engine: Engine, cycle_id: int, mini: Framework, tmp_path: Path
) -> None:
    shown = _xlsx(
        tmp_path / "pct.xlsx",
        [HEADER, ["A001", "กรม 1", 0.555, "ขั้นกลาง", 0.4, 2, 0.3]],
        percent_cols=(3, 5, 7),
    )
    rows, _ = read_published(shown, mini)
    assert ("A001", "overall", "overall", 55.5, 3) in rows
    assert ("A001", "pillar", "P1", 40.0, 2) in rows

    fractions = _xlsx(tmp_path / "frac.xlsx", [HEADER, ["A001", "กรม 1", 0.555, 3, 0.4, 2, 0.3]])
    with pytest.raises(PublishedScoresError, match="between 0 and 1"):
        read_published(fractions, mini)


def test_should_match_renamed_and_merged_agencies_and_list_the_unmatched(
    engine: Engine, cycle_id: int, mini: Framework, tmp_path: Path
) -> None:
    path = _xlsx(
        tmp_path / "p.xlsx",
        [
            HEADER,
            ["OLD1", "กรมเดิม", 50, 3, 40, 2, 30],
            ["OLD2", "กรมที่รวม ก", 60, 3, 60, 3, 50],
            ["OLD3", "กรมที่รวม ข", 80, 4, 80, 4, 70],
            ["GONE", "กรมที่ยุบ", 10, 1, 10, 1, 10],
            ["A004", "กรม 4", 70, 4, 70, 4, 70],
        ],
    )
    mapping_file = tmp_path / "map.csv"
    mapping_file.write_text("old_code,new_code\nOLD1,A001\nOLD2,A002\nOLD3,A002\n", "utf-8")
    mapping = read_agency_map(mapping_file)
    with Database(engine).begin() as session:
        report = import_published(
            session, 2565, path, actor="t", framework=mini, agency_map=mapping
        )
    assert report.unmatched == ["GONE"]
    assert report.merged == {"A002": ["OLD2", "OLD3"]}
    with Database(engine).begin() as session:
        rows = {
            (r.agency_id, r.code): (r.score, r.level)
            for r in session.scalars(select(PublishedScore).where(PublishedScore.year_be == 2565))
        }
    assert rows[(1, "overall")] == (50.0, 3)
    assert rows[(2, "overall")] == (70.0, None)  # the mean of a merge has no published level
    assert rows[(4, "P1.1")] == (70.0, None)

    # importing the year again replaces it
    again = _xlsx(tmp_path / "p2.xlsx", [HEADER, ["A004", "กรม 4", 71, 4, 70, 4, 70]])
    with Database(engine).begin() as session:
        second = import_published(session, 2565, again, actor="t", framework=mini)
        left = session.scalars(select(PublishedScore.agency_id).distinct()).all()
    assert second.replaced > 0
    assert left == [4]
