"""The board's text for a large school: one message, split only past Telegram's limit."""

from __future__ import annotations

from datetime import date

from bot.texts import visible_length
from rules.homework import Kind
from rules.homework_board import BoardItem, ClassDay
from rules.policies import PolicySet
from views.homework import MESSAGE_LIMIT, board_messages

DAY = date(2026, 11, 25)


def cap(grade: int) -> int | None:
    return PolicySet().homework_cap(grade)  # the defaults: 0 in grades 1–2


def school(classes_per_grade: int) -> list[ClassDay]:
    days = []
    for grade in range(1, 7):
        for number in range(1, classes_per_grade + 1):
            items = tuple(
                BoardItem(subject, Kind.WRITTEN, None, 15, f"{subject}练习册第{number}页")
                for subject in ("语文", "数学", "英语")
            )
            written = grade >= 3 and number % 2 == 0
            days.append(
                ClassDay(
                    grade, number, f"{grade}年级{number}班", cap(grade), items if written else ()
                )
            )
    return days


def test_a_small_school_is_one_message() -> None:
    (message,) = board_messages("zh", DAY, school(3))
    assert message.startswith("📋 <b>作业公示</b> · 11月25日 周三")
    for grade in ("一年级", "二年级", "三年级", "六年级"):
        assert f"━━ <b>{grade}</b> ━━" in message


def test_a_huge_school_splits_into_messages_within_telegram_s_limit() -> None:
    days = school(30)
    messages = board_messages("zh", DAY, days)
    assert len(messages) > 1
    assert all(visible_length(m) <= MESSAGE_LIMIT for m in messages)
    assert all("（续）" in m.splitlines()[0] for m in messages[1:])
    joined = "\n".join(messages)
    assert all(d.name in joined for d in days)
    # Grades 1–2 write nothing and are not told off for it: their classes share one line each.
    assert "1年级1班、1年级2班" in joined
    assert joined.count("今天还没有布置作业") == 4 * 15
