from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from registry_fixtures import FIXTURES, MAKE_BAD

from dgops.registry import ReadLimits, RegistryError, Severity, read_records, read_registry

GOOD_FILES = sorted((FIXTURES / "good").iterdir())
READ_CASES = [c for c in MAKE_BAD.CASES if not c.needs_database]


@pytest.mark.parametrize("path", GOOD_FILES, ids=lambda p: p.name)
def test_should_read_the_same_records_from_every_good_file(path: Path) -> None:
    result = read_registry(path)
    assert result.ok, [i.format() for i in result.errors]
    assert result.records == MAKE_BAD.RECORDS


def test_should_say_when_it_read_tis620() -> None:
    result = read_registry(FIXTURES / "good" / "registry-cp874.csv")
    assert result.encoding == "cp874"
    assert [i.code for i in result.issues] == ["csv.cp874"]


def test_should_pick_the_sheet_named_like_registry_and_say_which() -> None:
    result = read_registry(FIXTURES / "good" / "multi-sheet.xlsx")
    assert result.sheet == "ทะเบียน 2566"
    (note,) = result.issues
    assert note.severity is Severity.INFO
    assert "ทะเบียน 2566" in note.message_en


def test_should_report_a_missing_sheet_by_name() -> None:
    result = read_registry(FIXTURES / "good" / "multi-sheet.xlsx", sheet="nope")
    assert [i.code for i in result.errors] == ["sheet.missing"]


@pytest.mark.parametrize("case", READ_CASES, ids=lambda c: c.file)
def test_should_locate_the_problem_of_each_bad_file(case: object) -> None:
    result = read_registry(FIXTURES / "bad" / case.file)  # type: ignore[attr-defined]
    assert not result.ok
    assert result.records == () or result.errors
    matching = [i for i in result.errors if i.code == case.code]  # type: ignore[attr-defined]
    assert matching, [i.format() for i in result.issues]
    issue = matching[0]
    assert issue.file == case.file  # type: ignore[attr-defined]
    assert issue.sheet == case.sheet  # type: ignore[attr-defined]
    assert issue.row == case.row  # type: ignore[attr-defined]
    assert issue.column == case.column  # type: ignore[attr-defined]
    assert issue.message_th
    assert issue.message_en
    assert case.file in issue.format()  # type: ignore[attr-defined]


def test_should_report_every_error_of_a_file_at_once(tmp_path: Path) -> None:
    rows = MAKE_BAD._rows()
    header = rows[0]
    rows[1][header.index("head_email")] = "not-an-email"
    rows[2][header.index("province")] = "เมืองลับแล"
    rows[3][header.index("level")] = "??"
    path = tmp_path / "many.csv"
    path.write_text("\n".join(",".join(r) for r in rows), "utf-8")
    result = read_registry(path)
    assert sorted((i.code, i.row) for i in result.errors) == [
        ("email.invalid", 2),
        ("level.unknown", 4),
        ("province.unknown", 3),
    ]
    with pytest.raises(RegistryError) as info:
        result.raise_for_errors()
    assert len(info.value.errors) == 3
    assert "row 3" in info.value.format()


def test_should_warn_about_unknown_columns_and_still_read(tmp_path: Path) -> None:
    rows = MAKE_BAD._rows()
    rows[0].append("หมายเหตุ")
    for r in rows[1:]:
        r.append("อะไรก็ได้")
    path = tmp_path / "extra.csv"
    path.write_text("\n".join(",".join(r) for r in rows), "utf-8")
    result = read_registry(path)
    assert result.ok
    (warning,) = [i for i in result.issues if i.severity is Severity.WARNING]
    assert (warning.code, warning.row, warning.column) == ("header.unknown", 1, "AE")


def test_should_refuse_a_file_over_the_size_limit_before_parsing(tmp_path: Path) -> None:
    path = MAKE_BAD.make_huge_csv(tmp_path / "huge.csv", size_mb=50)
    result = read_registry(path)
    assert [i.code for i in result.issues] == ["file.too_large"]
    assert "50" in result.issues[0].message_en


def test_should_honour_a_configured_size_limit() -> None:
    path = FIXTURES / "good" / "registry-utf8.csv"
    result = read_registry(path, limits=ReadLimits(max_bytes=100))
    assert [i.code for i in result.issues] == ["file.too_large"]


def test_should_refuse_a_zip_bomb_before_opening_it(tmp_path: Path) -> None:
    path = MAKE_BAD.make_zip_bomb(tmp_path / "bomb.xlsx", uncompressed_mb=600)
    assert path.stat().st_size < 2 * 2**20
    with zipfile.ZipFile(path) as zf:
        assert sum(i.file_size for i in zf.infolist()) > 500 * 2**20
    result = read_registry(path)
    assert [i.code for i in result.issues] == ["xlsx.bomb"]


def test_should_refuse_a_high_ratio_part_even_under_the_total_limit(tmp_path: Path) -> None:
    path = MAKE_BAD.make_zip_bomb(tmp_path / "bomb.xlsx", uncompressed_mb=20)
    result = read_registry(path)
    assert [i.code for i in result.issues] == ["xlsx.bomb"]
    assert "ratio" in result.issues[0].message_en


def test_should_validate_records_built_in_code_with_the_file_rules() -> None:
    import dataclasses

    bad = dataclasses.replace(MAKE_BAD.RECORDS[0], ministry=None)
    result = read_records([bad, *MAKE_BAD.RECORDS[1:]])
    assert [(i.code, i.row, i.field) for i in result.errors] == [
        ("ministry.required", 2, "ministry")
    ]
    assert read_records(MAKE_BAD.RECORDS).records == MAKE_BAD.RECORDS


def test_should_count_what_it_read_by_level_with_warnings_only() -> None:
    from collections import Counter

    from dgops.registry import ReadResult, RegistryIssue

    def issue(severity: Severity) -> RegistryIssue:
        return RegistryIssue(code="x", message_th="x", message_en="x", severity=severity)

    result = ReadResult(
        file="registry.csv",
        sheet=None,
        records=MAKE_BAD.RECORDS,
        rows=tuple(range(2, 2 + len(MAKE_BAD.RECORDS))),
        columns={},
        issues=(issue(Severity.WARNING), issue(Severity.INFO), issue(Severity.WARNING)),
    )

    counts = result.counts()

    assert counts == {
        "records": len(MAKE_BAD.RECORDS),
        "warnings": 2,
        "by_level": dict(Counter(str(r.level) for r in MAKE_BAD.RECORDS)),
    }
    assert sum(counts["by_level"].values()) == counts["records"]
    assert all(isinstance(level, str) for level in counts["by_level"])
