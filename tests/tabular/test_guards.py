"""Container guards shared by every importer: each unsafe file refused for its reason."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from dgops.tabular import ReadLimits, looks_like_text, workbook_problem, xlsx_container_problem

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REGISTRY_BAD = FIXTURES / "registry" / "bad"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("legacy.xls", "legacy"),
        ("xlsx_is_csv.xlsx", "is_text"),
        ("vba_inside.xlsx", "macro"),
        ("garbage.xlsx", "not_zip"),
    ],
)
def test_should_refuse_each_unsafe_container(name: str, code: str) -> None:
    problem = xlsx_container_problem(REGISTRY_BAD / name, ReadLimits())
    assert problem is not None
    assert problem[0] == code


def test_should_accept_a_plain_workbook() -> None:
    path = FIXTURES / "registry" / "good" / "registry.xlsx"
    assert xlsx_container_problem(path, ReadLimits()) is None
    assert workbook_problem(path, ReadLimits()) is None


def _bomb(path: Path, megabytes: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * (megabytes * 2**20))
    return path


def test_should_refuse_a_zip_bomb_by_total_size_and_by_ratio(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.xlsx", 5)
    assert xlsx_container_problem(path, ReadLimits(max_uncompressed_bytes=2**20)) == (
        "bomb",
        "5 MB uncompressed",
    )
    code, detail = xlsx_container_problem(path, ReadLimits()) or ("", "")
    assert code == "bomb"
    assert "ratio" in detail


def test_should_check_size_and_macro_suffix_before_the_container(tmp_path: Path) -> None:
    path = FIXTURES / "registry" / "good" / "registry.xlsx"
    code, detail = workbook_problem(path, ReadLimits(max_bytes=100)) or ("", "")
    assert code == "too_large"
    assert "MB" in detail
    macro = tmp_path / "book.xlsm"
    macro.write_bytes(path.read_bytes())
    assert workbook_problem(macro, ReadLimits()) == ("macro", ".xlsm")


def test_should_tell_text_from_binary() -> None:
    assert looks_like_text("รหัส,ชื่อ".encode())
    assert looks_like_text("รหัส,ชื่อ".encode("cp874"))
    assert not looks_like_text(b"\x00\x01\x02")
