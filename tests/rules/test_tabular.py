"""Reading the files schools actually send: GBK and BOM CSVs, other delimiters, .xlsx."""

from __future__ import annotations

import io
from datetime import datetime, time

import openpyxl
import pytest

from rules.import_errors import ImportFailed, RowError
from rules.tabular import (
    MAX_BYTES,
    MAX_ROWS,
    Column,
    Table,
    column_letter,
    match_columns,
    read_table,
)

COLUMNS = (
    Column("name", "姓名", "name", required=True),
    Column("subjects", "学科", "subjects", aliases=("subject",)),
    Column("grade", "年级", "grade"),
)


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def failure(data: bytes, filename: str = "staff.csv") -> list[RowError]:
    with pytest.raises(ImportFailed) as caught:
        match_columns(read_table(data, filename), COLUMNS)
    return caught.value.errors


def keys(errors: list[RowError]) -> list[str]:
    return [e.key for e in errors]


def test_gbk_csv_from_chinese_excel_is_read() -> None:
    data = "姓名,学科\n张思月,语文\n雷琴华,数学\n".encode("gbk")
    table = read_table(data, "名册.csv")
    assert table.headers == ("姓名", "学科")
    assert [(r.line, r.cells) for r in table.rows] == [
        (2, ("张思月", "语文")),
        (3, ("雷琴华", "数学")),
    ]


def test_utf8_with_bom_does_not_leak_into_the_first_header() -> None:
    data = "\ufeff姓名,学科\n王晴晴,英语\n".encode()
    sheet = match_columns(read_table(data, "staff.csv"), COLUMNS)
    assert sheet.labels["name"] == "姓名"
    assert sheet.rows[0]["name"] == "王晴晴"


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_tab_and_semicolon_files_are_sniffed(delimiter: str) -> None:
    data = f"姓名{delimiter}学科\n景佳梅{delimiter}语文、数学\n".encode()
    assert read_table(data, "staff.txt").rows[0].cells == ("景佳梅", "语文、数学")


def test_blank_lines_are_skipped_but_lines_keep_their_excel_numbers() -> None:
    data = "\n姓名,学科\n\n 雷红霞\u3000, 科学 \n,,\n张思月,音乐\n".encode()
    table = read_table(data, "staff.csv")
    assert table.header_line == 2
    assert [(r.line, r.cells) for r in table.rows] == [
        (4, ("雷红霞", "科学")),
        (6, ("张思月", "音乐")),
    ]


def test_a_quoted_cell_over_two_lines_is_one_excel_row() -> None:
    data = '姓名,学科\n"王晴晴","语文\n数学"\n雷琴华,英语\n'.encode()
    assert [r.line for r in read_table(data, "staff.csv").rows] == [2, 3]


def test_xlsx_cells_become_the_text_a_person_would_type() -> None:
    data = xlsx(
        [
            ["日期", "节次", "开始", "小数", "编号"],
            [datetime(2026, 10, 10), 3.0, time(8, 0), 2.5, 1234567890],
            [],
            [datetime(2026, 9, 1, 7, 50), 4, time(8, 45, 30), None, "  文本\u3000"],
        ]
    )
    table = read_table(data, "calendar.xlsx")
    assert table.headers == ("日期", "节次", "开始", "小数", "编号")
    assert [(r.line, r.cells) for r in table.rows] == [
        (2, ("2026-10-10", "3", "08:00", "2.5", "1234567890")),
        (4, ("2026-09-01 07:50", "4", "08:45:30", "", "文本")),
    ]


def test_xlsx_is_recognised_by_content_not_by_name() -> None:
    data = xlsx([["name", "subject"], ["Zhang Siyue", "Music"]])
    assert read_table(data, "roster.csv").rows[0].cells == ("Zhang Siyue", "Music")


@pytest.mark.parametrize(
    "data",
    [
        "姓名,学科\n张思月,语文\n".encode("utf-16"),
        "姓名,学科\n张思月,语文\n".encode("utf-16-le"),
        bytes(range(256)) * 8,
    ],
    ids=["utf16-bom", "utf16-no-bom", "binary"],
)
def test_unreadable_bytes_get_the_format_error(data: bytes) -> None:
    assert keys(failure(data)) == ["import.err.encoding"]


def test_an_old_xls_workbook_is_named_as_such() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    assert keys(failure(data, "名册.xls")) == ["import.err.old_excel"]


def test_a_file_named_xlsx_that_is_not_one_is_refused() -> None:
    assert keys(failure("姓名\n张三\n".encode(), "名册.xlsx")) == ["import.err.bad_xlsx"]
    assert keys(failure(b"PK\x03\x04not really a zip", "名册.xlsx")) == ["import.err.bad_xlsx"]


def test_size_and_row_limits() -> None:
    assert keys(failure(b"x" * (MAX_BYTES + 1))) == ["import.err.too_big"]
    full = "姓名\n" + "".join(f"教师{i}\n\n" for i in range(MAX_ROWS))
    assert len(read_table(full.encode()).rows) == MAX_ROWS
    assert keys(failure((full + "再多一位\n").encode())) == ["import.err.too_many_rows"]


def test_an_empty_file_says_so() -> None:
    assert keys(failure(b"\n\n")) == ["import.err.empty_file"]


def test_headers_match_in_either_language_case_and_width() -> None:
    data = "NAME, Subject ,年级*\nZhang,Maths,３\n".encode()
    sheet = match_columns(read_table(data), COLUMNS)
    assert sheet.labels == {"name": "NAME", "subjects": "Subject", "grade": "年级*"}
    assert dict(sheet.rows[0].cells) == {"name": "Zhang", "subjects": "Maths", "grade": "３"}


def test_an_unknown_column_is_an_error_with_a_suggestion() -> None:
    errors = failure("姓名,学课,备注\n张三,语文,x\n".encode())
    assert [(e.line, e.column, e.key) for e in errors] == [
        (1, "学课", "import.err.unknown_column_close"),
        (1, "备注", "import.err.unknown_column"),
    ]
    assert errors[0].values == {"suggestion": "学科"}


def test_a_missing_required_column_is_named_in_both_languages() -> None:
    errors = failure("学科\n语文\n".encode())
    assert keys(errors) == ["import.err.missing_column"]
    assert errors[0].values["name"] == ("姓名", "name")


def test_the_same_column_twice_is_an_error() -> None:
    errors = failure("姓名,学科,subject\n张三,语文,数学\n".encode())
    assert [(e.column, e.key, e.values) for e in errors] == [
        ("subject", "import.err.duplicate_column", {"other": "学科"})
    ]


def test_values_without_a_header_are_errors_not_dropped() -> None:
    errors = failure("姓名,,学科\n张三,x,语文\n李四,,数学,多余\n".encode())
    assert [(e.line, e.key, e.values) for e in errors] == [
        (1, "import.err.unnamed_column", {"letter": "B"}),
        (3, "import.err.beyond_header", {"letter": "D"}),
    ]


def test_column_letters_follow_excel() -> None:
    letters = [column_letter(i) for i in (0, 25, 26, 27, 701, 702)]
    assert letters == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_optional_columns_may_be_absent() -> None:
    sheet = match_columns(Table(1, ("name",), ()), COLUMNS)
    assert sheet.has("name") and not sheet.has("grade")
    assert sheet.label("grade") == ("年级", "grade")


def test_a_title_row_and_a_running_number_column_are_not_columns() -> None:
    data = "焦小2026学年教职工名册,,\n序号,姓名,学科\n1,张思月,语文\n2,雷琴华,数学\n".encode()
    sheet = match_columns(read_table(data), COLUMNS)
    assert sheet.labels == {"name": "姓名", "subjects": "学科"}
    assert [(r.line, r["name"]) for r in sheet.rows] == [(3, "张思月"), (4, "雷琴华")]


def test_a_one_cell_header_that_is_not_a_title_is_still_checked() -> None:
    errors = failure("名字们\n张思月\n".encode())
    assert keys(errors) == ["import.err.unknown_column", "import.err.missing_column"]


def test_reading_stops_at_its_deadline_even_among_empty_rows() -> None:
    data = ("姓名\n" + "\n" * 50_000 + "周雅琴\n").encode()
    with pytest.raises(ImportFailed) as raised:
        read_table(data, "staff.csv", seconds=0)
    assert [(e.key, e.values) for e in raised.value.errors] == [
        ("import.err.too_slow", {"seconds": "0"})
    ]
    assert read_table(data, "staff.csv", seconds=60).rows[0].cells == ("周雅琴",)


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import rules.tabular as tabular

    data = xlsx([["姓名"], ["周雅琴"]])
    monkeypatch.setattr(tabular, "MAX_UNZIPPED_BYTES", len(data))
    with pytest.raises(ImportFailed) as raised:
        read_table(data, "staff.xlsx")
    assert raised.value.errors[0].key == "import.err.too_complex"
