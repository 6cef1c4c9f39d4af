"""The arranger's board for a day, drawn from plain values (views/cover_board.py).

What an arranger reads and presses: one lesson in full at a time under a line for each of the
day's lessons, at most BUTTON_BUDGET buttons, and none for a lesson that is over.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.callbacks import Callback
from rules.cover import Reason, Suggestion
from storage.cover_boards import Showing
from storage.models import CoverNeed
from tests.views.plain import (
    CAO,
    CLASS_31,
    LIN,
    MATHS,
    THU,
    XU,
    at,
    kit,
    labels,
    need,
    presses,
)
from views.cover_board import BUTTON_BUDGET, LISTED, Board, BoardParts, render_board

WEDNESDAY_MORNING = at(THU.replace(day=25), 9)
SUGGESTED = [
    Suggestion(XU, "许志强", (Reason("same_class"), Reason("month_covers", 2))),
    Suggestion(CAO, "曹明", (Reason("same_subject"),)),
    Suggestion(LIN, "林秀英", (Reason("same_grade"),)),
]
PAGE = "pg"


def three_lessons() -> list[CoverNeed]:
    return [need(1, 1), need(2, 3, subject_id=MATHS), need(3, 5, class_id=CLASS_31)]


def draw(
    needs: list[CoverNeed],
    lang: str = "zh",
    now: datetime = WEDNESDAY_MORNING,
    suggested: list[Suggestion] | None = None,
    **showing: int,
) -> Board:
    """The board as `suggest_shown` would leave it: every lesson's suggestions loaded."""
    offered = SUGGESTED if suggested is None else suggested
    parts = BoardParts(suggestions={(n.id or 0, n.version): list(offered) for n in needs})
    return render_board(kit(), Showing(THU, needs, now, **showing), lang, parts)


def test_a_board_lists_the_days_lessons_and_shows_one_in_full() -> None:
    board = draw(three_lessons())

    assert board.text.splitlines() == [
        "📋 代课安排 · 11月26日 周四",
        "共 3 节，待安排 3 节：",
        "👉 1. 第1节 三(2)班 语文（周雅琴）：待安排",
        "　 2. 第3节 三(2)班 数学（周雅琴）：待安排",
        "　 3. 第5节 三(1)班 语文（周雅琴）：待安排",
        "",
        "1. 第1节（08:00–08:40）三(2)班 语文 · 周雅琴 请假",
        "   状态：待安排",
        "   建议：",
        "   · 许志强（同班任课、本月代课 2 节）",
        "   · 曹明（同学科）",
        "   · 林秀英（同年级组）",
    ]
    assert board.need_id == 1


def test_the_buttons_assign_a_suggestion_or_choose_another_way_and_turn_the_page() -> None:
    board = draw(three_lessons())

    assert labels(board.markup) == [
        ["1→许志强", "1→曹明", "1→林秀英"],
        ["1 群里征集", "1 自习", "1 合班"],
        ["◀ 上一个（3）", "下一个（2）▶"],
    ]
    assert sum(map(len, labels(board.markup))) == BUTTON_BUDGET
    sent = presses(board.markup)
    assert sent["1→曹明"] == Callback("cov", "as", (1, CAO, 0))
    assert sent["1 群里征集"] == Callback("cov", "ask", (1, 0))
    assert sent["1 自习"] == Callback("cov", "ss", (1, 0))
    assert sent["1 合班"] == Callback("cov", "mg", (1, 0))
    # The pages turn round at either end.
    assert sent["◀ 上一个（3）"] == Callback("cov", PAGE, (THU.toordinal(), 2))
    assert sent["下一个（2）▶"] == Callback("cov", PAGE, (THU.toordinal(), 1))


def test_a_button_carries_the_lessons_version_so_an_old_board_changes_nothing() -> None:
    board = draw([need(7, 3, version=4)])

    sent = presses(board.markup)
    assert sent["1→许志强"] == Callback("cov", "as", (7, XU, 4))
    assert sent["1 合班"] == Callback("cov", "mg", (7, 4))


def test_a_page_shows_its_own_lesson_with_its_own_numbers() -> None:
    board = draw(three_lessons(), page=1)

    assert "👉 2. 第3节 三(2)班 数学（周雅琴）：待安排" in board.text.splitlines()
    assert "2. 第3节（10:00–10:40）三(2)班 数学 · 周雅琴 请假" in board.text.splitlines()
    assert labels(board.markup)[0] == ["2→许志强", "2→曹明", "2→林秀英"]
    assert labels(board.markup)[-1] == ["◀ 上一个（1）", "下一个（3）▶"]
    assert board.need_id == 2


def test_an_english_board() -> None:
    board = draw(three_lessons(), lang="en")

    assert board.text.splitlines() == [
        "📋 Cover to arrange · Thu 26 Nov",
        "3 lessons, 3 still to arrange:",
        "👉 1. P1 三(2)班 语文 (周雅琴): to arrange",
        "   2. P3 三(2)班 数学 (周雅琴): to arrange",
        "   3. P5 三(1)班 语文 (周雅琴): to arrange",
        "",
        "1. period 1 (08:00–08:40) 三(2)班 语文 · 周雅琴 away",
        "   Now: to arrange",
        "   Suggested:",
        "   · 许志强 (teaches this class, covered 2 this month)",
        "   · 曹明 (same subject)",
        "   · 林秀英 (same grade group)",
    ]
    assert labels(board.markup) == [
        ["1→许志强", "1→曹明", "1→林秀英"],
        ["1 Ask group", "1 Self-study", "1 Merge"],
        ["◀ Previous (3)", "Next (2) ▶"],
    ]


def test_a_lesson_that_is_over_uncovered_says_so_and_has_no_buttons() -> None:
    # Its suggestions were never loaded: a lesson that is over needs none.
    board = render_board(kit(), Showing(THU, [need(1, 1)], at(THU, 9)), "zh", BoardParts())

    assert board.text.splitlines() == [
        "📋 代课安排 · 11月26日 周四",
        "",
        "1. 第1节（08:00–08:40）三(2)班 语文 · 周雅琴 请假",
        "   状态：⚠️ 已结束，未安排代课",
    ]
    assert board.markup is None
    english = render_board(kit(), Showing(THU, [need(1, 1)], at(THU, 9)), "en", BoardParts())
    assert "   Now: ⚠️ over, no cover was arranged" in english.text.splitlines()


def test_a_covered_lesson_that_is_over_keeps_its_cover_and_is_marked_over() -> None:
    covered = need(1, 1, status="assigned", substitute_id=XU, acknowledged=True)
    board = render_board(kit(), Showing(THU, [covered], at(THU, 9)), "zh", BoardParts())

    assert "   状态：许志强 代课 ✅已确认 · ⌛已结束" in board.text.splitlines()
    assert board.markup is None


def test_pages_turn_only_while_a_lesson_is_ahead() -> None:
    lessons = [need(1, 1), need(2, 2, status="assigned", substitute_id=CAO)]

    during = draw(lessons, now=at(THU, 9))
    after = draw(lessons, now=at(THU, 15))

    # At 09:00 period 1 is over and period 2 is being taught: it can still be covered.
    assert "👉 2. 第2节 三(2)班 语文（周雅琴）：曹明 代课（待确认） · 🔔正在上课" in (
        during.text.splitlines()
    )
    assert labels(during.markup)[-1] == ["◀ 上一个（1）", "下一个（1）▶"]
    # After school the day is read from its list, with nothing to press.
    assert after.text.splitlines()[1:4] == [
        "共 2 节，待安排 0 节：",
        "👉 1. 第1节 三(2)班 语文（周雅琴）：⚠️ 已结束，未安排代课",
        "　 2. 第2节 三(2)班 语文（周雅琴）：曹明 代课（待确认） · ⌛已结束",
    ]
    assert after.markup is None


def test_a_settled_lesson_offers_only_to_rearrange_it_until_an_arranger_asks() -> None:
    settled = need(4, 3, status="self_study", version=2)

    board = draw([settled])
    unlocked = draw([settled], unlocked=4)

    assert board.text.splitlines()[-2:] == [
        "   状态：自习",
        "   已定下来了；要改安排请点“重新安排”。",
    ]
    assert presses(board.markup) == {"1 重新安排": Callback("cov", "ro", (4, 2))}
    assert labels(unlocked.markup) == [
        ["1→许志强", "1→曹明", "1→林秀英"],
        ["1 群里征集", "1 自习", "1 合班"],
    ]


def test_a_merged_lesson_names_the_class_and_who_teaches_both() -> None:
    merged = need(4, 3, status="merged", merged_class_id=CLASS_31, substitute_id=LIN)

    assert "   状态：与三(1)班合班（林秀英）" in draw([merged]).text.splitlines()
    assert "   Now: merged with 三(1)班 (林秀英)" in draw([merged], lang="en").text.splitlines()


def test_nobody_to_suggest_leaves_the_three_ways_without_a_substitute() -> None:
    board = draw([need(1, 3)], suggested=[])

    assert board.text.splitlines()[-1] == (
        "   没有空闲且未超代课上限的老师，可以群里征集、安排自习或合班。"
    )
    assert labels(board.markup) == [["1 群里征集", "1 自习", "1 合班"]]


def test_a_lesson_of_a_leave_not_yet_decided_says_it_may_be_called_off() -> None:
    board = draw([need(1, 3, provisional=True)], lang="en")

    assert board.text.splitlines()[2:5] == [
        "1. period 3 (10:00–10:40) 三(2)班 语文 · 周雅琴 away",
        "   Now: to arrange",
        "   ⏳ The leave is not decided yet: arrange it anyway so the class has a teacher;"
        " if it is not approved, the substitute is told",
    ]


def test_a_day_without_lessons_left_to_cover_says_so_without_buttons() -> None:
    board = draw([])
    english = draw([], lang="en")

    assert board == Board("📋 代课安排 · 11月26日 周四\n这天已没有需要代课的课了。", None, None)
    assert english.text.endswith("\nNo lessons left to cover this day.")


def test_a_long_day_lists_the_lessons_nearest_the_one_shown() -> None:
    lessons = [need(number, 1 + number % 5) for number in range(1, 21)]

    board = draw(lessons, page=15)

    listed = [int(m[1]) for m in re.finditer(r"^(?:👉|　) (\d+)\. ", board.text, re.M)]
    assert listed == list(range(9, 21))
    assert len(listed) == LISTED
    assert "👉 16. " in board.text
    assert sum(map(len, labels(board.markup))) == BUTTON_BUDGET


def test_names_from_the_staff_list_are_escaped_in_the_text() -> None:
    odd = [Suggestion(XU, "<b>许</b>", (Reason("same_class"),))]

    board = draw([need(1, 3)], suggested=odd)

    assert "   · &lt;b&gt;许&lt;/b&gt;（同班任课）" in board.text.splitlines()
