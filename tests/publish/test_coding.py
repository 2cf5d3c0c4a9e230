"""Coding free-text answers: suggestions, the XLSX round trip, counts that sum to the base."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from dgops.db import Database
from dgops.framework import Framework
from dgops.publish import (
    UNCODED_LABEL_TH,
    CodeFrame,
    CodingError,
    Previous,
    build_tables,
    coded_counts,
    export_coding,
    gather,
    import_coding,
    suggest_codes,
)

FRAME = CodeFrame.model_validate(
    {
        "question": "Q223",
        "codes": [
            {"code": "budget", "label_th": "ขาดงบประมาณ", "keywords": ["งบประมาณ"]},
            {"code": "staff", "label_th": "ขาดบุคลากร", "keywords": ["บุคลากร"]},
            {"code": "work", "label_th": "งาน", "keywords": ["งาน"]},
        ],
    }
)


def test_should_suggest_codes_by_thai_words_and_by_similar_confirmed_answers() -> None:
    answers = {
        1: "ไม่มีงบประมาณเพียงพอ",
        2: "ขาดบุคลากรด้านข้อมูล",
        3: "หน่วยงานยังไม่พร้อม",  # "งาน" inside หน่วยงาน is not the word งาน
        4: "หน่วยงานยังไม่พร้อมเลย",
    }
    got = suggest_codes(FRAME, answers, confirmed={3: "staff"})
    assert got[1].code == "budget"
    assert "งบประมาณ" in got[1].reason_th
    assert got[2].code == "staff"
    assert got[4].code == "staff"
    assert "คล้าย" in got[4].reason_th


def test_should_count_uncoded_answers_so_counts_sum_to_the_base() -> None:
    answers = {1: "ก", 2: "ข", 3: "ค"}
    counted = coded_counts(FRAME, answers, {1: "budget", 2: "unknown_code"})
    assert counted.base == 3
    assert sum(n for _, _, n in counted.rows) == 3
    assert counted.rows[-1] == ("_uncoded", UNCODED_LABEL_TH, 2)
    assert counted.uncoded == {2: "ข", 3: "ค"}


def _fill(path: Path, codes: dict[str, str]) -> None:
    wb = load_workbook(path)
    ws = wb["Q223"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value in codes:
            row[5].value = codes[row[0].value]
        elif row[3].value and row[0].value not in codes:
            row[5].value = row[3].value  # accept the suggestion in bulk
    wb.save(path)


def test_should_round_trip_confirmed_codes_and_count_them_in_the_report(
    sqlite_engine: Engine, mini: Framework, config: Path, make: Callable[..., int], tmp_path: Path
) -> None:
    make(sqlite_engine, mini)
    db = Database(sqlite_engine)
    book = tmp_path / "coding.xlsx"
    with db.begin() as session:
        done = export_coding(session, 2566, book, config_path=config, framework=mini)
    n, suggested, confirmed = done.counts["Q223"]
    assert n > 0
    assert confirmed == 0
    assert 0 < suggested < n
    _fill(book, {})
    with db.begin() as session:
        stored = import_coding(
            session, 2566, book, actor="coder", config_path=config, framework=mini
        )
    assert stored.counts["Q223"][0] == suggested
    with db.begin() as session:
        data = gather(session, 2566, config_path=config, framework=mini)
    table = next(t for t in build_tables(data) if t.key.endswith("Q223"))
    counts = {r[0]: r[1] for r in table.rows}
    base = len(data.answers["Q223"])
    assert sum(counts.values()) == base
    assert counts[UNCODED_LABEL_TH] == base - suggested
    assert table.base_th.startswith(f"จำนวนผู้ตอบ {base}")
    assert any("ยังไม่ได้จัดหมวด" in n for n in table.notes_th)


def test_should_refuse_a_workbook_with_an_unknown_code_and_store_nothing(
    sqlite_engine: Engine, mini: Framework, config: Path, make: Callable[..., int], tmp_path: Path
) -> None:
    make(sqlite_engine, mini)
    db = Database(sqlite_engine)
    book = tmp_path / "coding.xlsx"
    with db.begin() as session:
        export_coding(session, 2566, book, config_path=config, framework=mini)
    wb = load_workbook(book)
    ws = wb["Q223"]
    ws["F2"] = "budget"
    ws["F3"] = "nonsense"
    wb.save(book)
    with db.begin() as session, pytest.raises(CodingError) as caught:
        import_coding(session, 2566, book, actor="coder", config_path=config, framework=mini)
    assert caught.value.problems[0][0] == "Q223!F3"
    with db.begin() as session:
        data = gather(session, 2566, config_path=config, framework=mini)
    assert data.codes["Q223"] == {}


def test_should_compare_with_last_year_and_say_which_items_are_new(
    sqlite_engine: Engine, mini: Framework, config: Path, make: Callable[..., int]
) -> None:
    make(sqlite_engine, mini)

    def last_year(session: object, cycle: object, fw: Framework) -> Previous:
        # Last year's framework had no P3 (a framework change): only overall, P1, P2 compare.
        items = (("overall", "overall"), ("pillar", "P1"), ("pillar", "P2"))
        rows = [(a, k, c, 40.0 + a % 50, 1 + a % 5) for a in range(1, 41) for k, c in items]
        frame = pd.DataFrame(rows, columns=["agency_id", "kind", "code", "score", "level"])
        return Previous(2565, "ปี 2565", frame, ["มิติ P3 เป็นมิติใหม่"])

    with Database(sqlite_engine).begin() as session:
        data = gather(session, 2566, config_path=config, framework=mini, previous=last_year)
    table = next(t for t in build_tables(data) if t.key == "T21_maturity")
    years = [(r[0].split()[0], r[1]) for r in table.rows]
    assert ("ภาพรวม", "2565") in years
    assert ("P1", "2565") in years
    p3 = next(r for r in table.rows if r[0].startswith("P3") and r[1].startswith("2565"))
    assert p3[2] == 0
    assert "ไม่มีข้อมูลเทียบ" in p3[1]
    assert "มิติ P3 เป็นมิติใหม่" in table.notes_th
