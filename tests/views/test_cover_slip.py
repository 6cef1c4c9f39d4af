"""The cover slip as the staff group reads it, and what a change says (views/cover_slip.py)."""

from __future__ import annotations

from bot.texts import Safe
from storage.cover import SlipData
from tests.views.plain import CAO, CLASS_31, LIN, THU, XU, ZHOU, at, names, need, schedule, swap
from views.cover_slip import changed_line, slip_lines, slip_message, updated_message

LESSON = Safe("第3节（10:00–10:40）三(2)班 语文")


def slip(lang: str = "zh") -> list[str]:
    data = SlipData(
        day=THU,
        away={ZHOU: "full", CAO: "am"},
        needs=[
            need(1, 3, status="assigned", substitute_id=XU),
            need(2, 5, status="merged", merged_class_id=CLASS_31, substitute_id=LIN),
        ],
        swaps=[swap()],
    )
    return slip_message(lang, THU, slip_lines(lang, data, names(), schedule()))


def test_the_slip_says_who_is_away_each_lesson_and_its_cover_and_the_swaps() -> None:
    assert slip() == [
        "📋 代课/调课公示 · 11月26日 周四",
        "不在校：周雅琴（全天）、曹明（上午）",
        "· 第3节（10:00–10:40）三(2)班 语文 周雅琴 → 许志强 代课",
        "· 第5节（13:30–14:10）三(2)班 语文 周雅琴 → 与三(1)班合班（林秀英）",
        "· 调课：11月26日 周四 第3节（10:00–10:40）三(2)班 语文（周雅琴）"
        "⇄ 11月27日 周五 第2节（08:50–09:30）三(2)班 数学（许志强）",
    ]


def test_an_english_slip() -> None:
    assert slip("en")[:3] == [
        "📋 Cover and swaps · Thu 26 Nov",
        "Away: 周雅琴 (full day), 曹明 (morning)",
        "· period 3 (10:00–10:40) 三(2)班 语文 周雅琴 → 许志强 covers",
    ]


def test_the_slip_never_says_why_someone_is_away() -> None:
    text = "\n".join(slip())
    assert "病假" not in text and "事假" not in text


def test_an_updated_slip_is_the_whole_slip_then_when_and_what_changed() -> None:
    note = changed_line(
        "zh", names(), need(1, 3, status="assigned", substitute_id=CAO), ("assigned", XU), LESSON
    )

    lines = updated_message("zh", THU, ["· 第3节"], [note], at(THU, 7, 5))

    assert lines == [
        "📋 代课/调课公示 · 11月26日 周四",
        "· 第3节",
        "",
        "🔄 已更新 07:05：",
        "· 第3节（10:00–10:40）三(2)班 语文：改由 曹明 代课（原为 许志强）",
    ]


def test_a_change_is_said_in_words() -> None:
    reopened = need(1, 3, status="open")
    self_study = need(1, 3, status="self_study")

    assert changed_line("zh", names(), reopened, ("assigned", XU), LESSON) == (
        "· 第3节（10:00–10:40）三(2)班 语文：许志强 不再代课，正在重新安排"
    )
    assert changed_line("en", names(), self_study, ("open", None), LESSON) == (
        "· 第3节（10:00–10:40）三(2)班 语文: now self-study"
    )
