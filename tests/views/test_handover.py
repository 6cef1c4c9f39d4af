"""What lesson handover draws, from plain values."""

from __future__ import annotations

from datetime import date, datetime

from telegram import InlineKeyboardMarkup

from bot.callbacks import Callback, decode
from storage.models import HandoverNote
from views.handover import MENU_BUTTONS, Target, feedback_message, for_substitute, handover_menu

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


def _presses(markup: InlineKeyboardMarkup) -> list[Callback]:
    rows = markup.inline_keyboard
    return [c for row in rows for b in row if (c := decode(b.callback_data)) is not None]


def test_a_long_leave_is_paged_so_every_lesson_can_be_picked_within_eight_buttons() -> None:
    lessons = [Target(date(2026, 11, 26 + i // 4), 1 + i % 4, f"lesson {i}") for i in range(15)]
    whole = Target(None, 0, "")
    picked: list[Callback] = []
    for page in range(4):
        text, markup = handover_menu("zh", "11月26日—12月1日", 7, lessons, whole, False, page)
        presses = _presses(markup)
        assert len(presses) <= MENU_BUTTONS
        assert f"（第 {page + 1}/4 页，按 ◀ ▶ 翻页）" in text
        picked += [p for p in presses if p.action == "pick" and p.ids != (7, 0, 0)]
        assert Callback("hov", "pick", (7, 0, 0)) in presses
        assert Callback("hov", "when", (7, 1)) in presses
        turns = [p for p in presses if p.feature == "hovp"]
        expected = ([Callback("hovp", "pg", (7, page - 1))] if page else []) + (
            [Callback("hovp", "pg", (7, page + 1))] if page < 3 else []
        )
        assert turns == expected
    assert [p.ids[1:] for p in picked] == [lesson.ids for lesson in lessons]
    # The last lesson keeps its number on its page.
    assert "15. lesson 14" in handover_menu("zh", "", 7, lessons, whole, False, 3)[0]


def test_six_lessons_fit_one_page_without_page_turns() -> None:
    lessons = [Target(date(2026, 11, 26), 1 + i, f"lesson {i}") for i in range(6)]
    text, markup = handover_menu("en", "26 Nov", 7, lessons, Target(None, 0, ""), True)
    presses = _presses(markup)
    assert len(presses) == MENU_BUTTONS and not [p for p in presses if p.feature == "hovp"]
    assert "page" not in text


def test_page_turns_in_english() -> None:
    lessons = [Target(date(2026, 11, 26), 1 + i, f"lesson {i}") for i in range(7)]
    text, markup = handover_menu("en", "26 Nov", 7, lessons, Target(None, 0, ""), True, 1)
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert "◀ Previous" in labels and "Next ▶" not in labels
    assert "(page 2 of 2: ◀ ▶ turn the page)" in text
    assert "5. lesson 4" in text and "lesson 3" not in text


def test_feedback_lists_each_lesson_with_its_line() -> None:
    text = feedback_message("zh", [("第3节", "许志强", "讲完了"), ("第5节", "郭春燕", "")])
    assert text == "📝 代课老师的反馈：\n· 第3节：许志强 已上\n  讲完了\n· 第5节：郭春燕 已上"
