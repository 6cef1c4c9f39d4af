"""What lesson handover draws, from plain values."""

from __future__ import annotations

from datetime import date, datetime

from bot.callbacks import Callback, decode
from storage.models import HandoverNote
from views.handover import MENU_LESSONS, Target, feedback_message, for_substitute, handover_menu

THU = date(2026, 11, 26)
AT = datetime(2026, 11, 25, 9, 0)


def note(
    kind: str, text: str = "", day: date | None = THU, file_id: str | None = None
) -> HandoverNote:
    return HandoverNote(
        school_id=1, leave_id=1, day=day, period=3, kind=kind, text=text, file_id=file_id,
        created_at=AT,
    )  # fmt: skip


def test_nothing_left_is_nothing_to_give() -> None:
    assert for_substitute("zh", "周雅琴", "第3节", []) is None


def test_the_whole_leave_comes_before_the_lesson_and_files_follow() -> None:
    given = for_substitute(
        "en",
        "周雅琴",
        "P3 三(2)班",
        [
            note("text", "page 12"),
            note("text", "<b>all week</b>", day=None),
            note("photo", "", file_id="f1"),
        ],
    )
    assert given is not None
    assert given.text == (
        "📋 Handover from 周雅琴 · P3 三(2)班\nFor the whole leave:\n"
        "  &lt;b&gt;all week&lt;/b&gt;\nFor this lesson:\n  page 12\n📎 Files follow: 1"
    )
    assert given.files == [("photo", "f1", "photo")]


def test_a_long_leave_lists_a_dozen_lessons_and_the_whole_leave_takes_the_rest() -> None:
    lessons = [Target(date(2026, 11, 26 + i // 4), 1 + i % 4, f"lesson {i}") for i in range(15)]
    text, markup = handover_menu("zh", "11月26日—12月1日", 7, lessons, Target(None, 0, ""), False)
    assert "……另有 3 节课" in text
    presses = [decode(b.callback_data) for row in markup.inline_keyboard for b in row]
    picks = [p for p in presses if p is not None and p.action == "pick"]
    assert len(picks) == MENU_LESSONS + 1
    assert picks[-1] == Callback("hov", "pick", (7, 0, 0))
    assert Callback("hov", "when", (7, 1)) in presses


def test_feedback_lists_each_lesson_with_its_line() -> None:
    text = feedback_message("zh", [("第3节", "许志强", "讲完了"), ("第5节", "郭春燕", "")])
    assert text == "📝 代课老师的反馈：\n· 第3节：许志强 已上\n  讲完了\n· 第5节：郭春燕 已上"
