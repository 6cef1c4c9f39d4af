"""Homework as teachers and approvers read it (views/homework.py): the daily board against each
grade's cap, split only when Telegram needs it, and a class's total."""

from __future__ import annotations

import pytest

from bot.texts import visible_length
from rules.homework_board import BoardItem, ClassDay
from tests.views.plain import THU
from views.homework import MESSAGE_LIMIT, board_messages, total_text

MATHS = BoardItem("数学", "written", None, 20, "练习册第12页")
READING = BoardItem("英语", "oral", "extended", 10, "<读>课文")


def classes() -> list[ClassDay]:
    return [
        ClassDay(3, 1, "三(1)班", 60, (MATHS, READING)),
        ClassDay(3, 2, "三(2)班", 60, ()),
        ClassDay(1, 1, "一(1)班", 0, ()),
        ClassDay(3, 3, "三(3)班", 15, (MATHS,), waiting=1),
    ]


def test_the_board_goes_grade_by_grade_and_marks_what_is_missing_or_over() -> None:
    assert board_messages("zh", THU, classes()) == [
        "📋 <b>作业公示</b> · 11月26日 周四\n\n"
        "━━ <b>一年级</b> ━━\n"
        "一(1)班：无书面作业 ✓\n\n"
        "━━ <b>三年级</b> ━━\n"
        "<b>三(1)班</b>\n"
        "• 数学 · 书面 20 分钟：练习册第12页\n"
        "• 英语 · 口头 10 分钟 · 拓展：&lt;读&gt;课文\n"
        "书面合计 20/60 分钟 ✓\n\n"
        "<b>三(2)班</b>\n"
        "⚠️ 今天还没有布置作业\n\n"
        "<b>三(3)班</b>\n"
        "• 数学 · 书面 20 分钟：练习册第12页\n"
        "（另有 1 项待审核，未公示）\n"
        "⚠️ 书面合计 20/15 分钟，超出上限 5 分钟"
    ]


def test_an_english_board() -> None:
    (board,) = board_messages("en", THU, classes())

    assert board.startswith("📋 <b>Homework</b> · Thu 26 Nov\n\n━━ <b>Grade 1</b> ━━\n")
    assert "• 英语 · oral 10 min · extended: &lt;读&gt;课文\nWritten total 20/60 min ✓" in board
    assert "(1 more waiting for approval, not on the board)" in board


def test_a_long_board_is_split_under_telegrams_limit_and_says_it_continues() -> None:
    many = [ClassDay(3, n, f"三({n})班", 60, (MATHS,) * 8) for n in range(1, 60)]

    messages = board_messages("zh", THU, many)

    assert len(messages) > 1
    assert all(visible_length(message) < MESSAGE_LIMIT for message in messages)
    assert all(m.startswith("📋 <b>作业公示</b> · 11月26日 周四（续）") for m in messages[1:])
    assert sum(m.count("<b>三(") for m in messages) == len(many)


@pytest.mark.parametrize(
    ("cap", "written", "zh", "en"),
    [
        (None, 30, "书面合计 30 分钟", "Written total 30 min"),
        (60, 20, "书面合计 20/60 分钟，还可布置 40 分钟", "Written total 20/60 min, 40 min left"),
        (
            60,
            70,
            "⚠️ 书面合计 70/60 分钟，超出上限 10 分钟",
            "⚠️ Written total 70/60 min, 10 min over the cap",
        ),
        (0, 0, "本年级不布置书面作业", "No written homework in this grade"),
    ],
)
def test_a_class_total_against_its_cap(cap: int | None, written: int, zh: str, en: str) -> None:
    assert total_text("zh", cap, written) == zh
    assert total_text("en", cap, written) == en
