"""What an import answers (views/imports.py): the problems by line and cell, and the hints the
chat gives or the command line gives instead."""

from __future__ import annotations

import pytest

from rules.import_errors import ImportFailed, RowError
from storage.importer import IMPORT_KINDS
from views.imports import Rerun, render_error, render_errors, render_usage

UNKNOWN_COLUMN = ImportFailed(
    [RowError(1, "学课", "import.err.unknown_column", {"name": "学课", "known": ["姓名"]})]
)


def test_a_problem_is_placed_at_its_cell_its_line_or_the_file() -> None:
    assert render_error("zh", RowError(3, "姓名", "import.err.required")) == (
        "• 第 3 行「姓名」列：不能为空。"
    )
    assert render_error("en", RowError(3, None, "import.err.required")) == (
        "• Line 3: must not be empty."
    )
    assert render_error("zh", RowError(None, None, "import.err.no_rows")) == (
        "• 文件只有表头，没有数据行。"
    )


def test_in_the_chat_the_answer_says_to_send_the_file_again() -> None:
    assert render_errors("zh", UNKNOWN_COLUMN).splitlines() == [
        "❌ 文件没有导入，发现 1 处问题：",
        "• 第 1 行「学课」列：不认识这一列。请检查拼写，或删除这一列；"
        "发送 /import 可查看可用的列。",
        "请改正后重新发送整个文件；有错误时不会导入任何内容。",
    ]


def test_on_the_command_line_the_answer_names_the_columns_and_the_command_to_run_again() -> None:
    rerun = Rerun("staff", "名单 v2.csv", "孟河小学")

    lines = render_errors("en", UNKNOWN_COLUMN, rerun).splitlines()

    assert lines[1] == (
        '• Line 1, column "学课": Unknown column. Check its spelling or remove it; the columns'
        " are: name*, roles, subjects, grade, head_of, telegram_id, language, employment."
    )
    assert lines[2] == (
        "Nothing is imported while the file has errors. Fix it and run again:"
        " staffroom import staff '名单 v2.csv' --school 孟河小学"
    )


def test_a_command_to_paste_quotes_only_what_a_shell_would_split() -> None:
    assert Rerun("staff", "staff.csv", "孟河小学").command == (
        "staffroom import staff staff.csv --school 孟河小学"
    )
    assert Rerun("staff", "staff.csv", "Menghe School").command == (
        "staffroom import staff staff.csv --school 'Menghe School'"
    )


def test_the_error_list_is_capped() -> None:
    errors = [RowError(line, "姓名", "import.err.required") for line in range(2, 32)]
    text = render_errors("en", ImportFailed(errors))
    assert text.count("must not be empty") == 20
    assert "…and 10 more." in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_usage_lists_every_kind_and_its_columns(lang: str) -> None:
    text = render_usage(lang)
    for kind in IMPORT_KINDS.values():
        assert f"/import {kind.name}" in text
        for column in kind.columns:
            assert column.name.in_language(lang) in text
