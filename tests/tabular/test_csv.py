"""The one CSV decoder and parser: accepted encodings, refusals, delimiters, row numbers."""

from __future__ import annotations

import pytest

from dgops.tabular import CP874, TableError, decode_csv, parse_csv, read_csv

TEXT = "รหัส,ชื่อ\nD0001,กรมทดสอบ\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("cp874"), CP874),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be", "tis-620"],
)
def test_should_decode_every_accepted_encoding_without_its_bom(data: bytes, encoding: str) -> None:
    assert decode_csv(data) == (TEXT, encoding)


def test_should_refuse_bytes_in_no_accepted_encoding() -> None:
    with pytest.raises(TableError) as info:
        decode_csv(b"\x81\xfc\xfd\xfe abc")
    assert info.value.code == "encoding"


def test_should_not_fall_back_to_tis620_after_a_utf8_bom() -> None:
    with pytest.raises(TableError) as info:
        decode_csv(b"\xef\xbb\xbf" + "กรม".encode("cp874"))
    assert info.value.code == "encoding"


def test_should_refuse_a_workbook_renamed_csv() -> None:
    with pytest.raises(TableError) as info:
        read_csv(b"PK\x03\x04rest")
    assert info.value.code == "is_zip"


def test_should_refuse_binary_text_and_say_which_encoding_it_read() -> None:
    with pytest.raises(TableError) as info:
        read_csv("a,b\n\x00,ข\n".encode("cp874") + b"\xa1")
    assert (info.value.code, info.value.encoding) == ("binary", CP874)


def test_should_give_true_row_numbers_and_sniff_the_delimiter() -> None:
    table = read_csv(b"a;b;c\n\n1;2;3\n", file="x.csv")
    assert table.delimiter == ";"
    assert table.encoding == "utf-8"
    assert table.rows == [(1, ["a", "b", "c"]), (2, []), (3, ["1", "2", "3"])]
    assert table.cell(3, 1).ref == "B3"
    assert table.cell(3, 1).value == "2"
    assert table.first_filled() == 0


def test_should_locate_broken_quoting_when_strict() -> None:
    text = 'a,b\n1,2\n"x"y,3\n'
    with pytest.raises(TableError) as info:
        parse_csv(text)
    assert (info.value.code, info.value.row) == ("malformed", 3)
    assert parse_csv(text, delimiter=",", strict=False).rows[2] == (3, ["xy", "3"])
