"""How leave, lessons, cover and swaps are written out (views/leave.py)."""

from __future__ import annotations

import pytest

from rules.cover import DayLesson
from storage.models import Staff
from tests.views.plain import (
    CLASS_31,
    CLASS_32,
    FRI,
    LIN,
    MATHS,
    THU,
    XU,
    names,
    need,
    schedule,
    swap,
)
from views.leave import (
    cover_state,
    day_lesson_label,
    grade_label,
    kind_label,
    language_of,
    lesson_label,
    need_label,
    part_label,
    span_label,
    swap_line,
)


@pytest.mark.parametrize(
    ("lang", "grade", "shown"),
    [
        ("zh", 3, "三年级"),
        ("zh", 7, "初一年级"),
        ("zh", 12, "高三年级"),
        ("en", 3, "grade 3"),
        ("zh", 13, "13年级"),
    ],
)
def test_a_grade_group_as_the_school_says_it(lang: str, grade: int, shown: str) -> None:
    assert grade_label(lang, grade) == shown


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("full", "全天", "full day"),
        ("am", "上午", "morning"),
        ("pm", "下午", "afternoon"),
        ("p3-3", "第3节", "period 3"),
        ("p2-4", "第2-4节", "periods 2–4"),
    ],
)
def test_parts_of_a_day(code: str, zh: str, en: str) -> None:
    assert part_label("zh", code) == zh
    assert part_label("en", code) == en


def test_a_leave_span_is_its_days_and_its_part() -> None:
    assert span_label("zh", THU, THU, "am") == "11月26日 周四 上午"
    assert span_label("en", THU, THU, "p2-4") == "Thu 26 Nov periods 2–4"
    assert span_label("zh", THU, FRI, "full") == "11月26日 周四 至 11月27日 周五 全天"
    assert span_label("en", THU, FRI, "full") == "Thu 26 Nov to Fri 27 Nov, full day"


def test_leave_kinds() -> None:
    assert kind_label("zh", "sick") == "病假"
    assert kind_label("en", "personal") == "personal leave"


def test_a_lesson_with_its_day_its_bell_its_class_and_subject() -> None:
    lesson = {"day": THU, "period": 3, "class_id": CLASS_32, "subject_id": MATHS}

    assert lesson_label("zh", names(), schedule(), **lesson) == (
        "11月26日 周四 第3节（10:00–10:40）三(2)班 数学"
    )
    assert lesson_label("en", names(), schedule(), **lesson) == (
        "Thu 26 Nov period 3 (10:00–10:40) 三(2)班 数学"
    )
    assert lesson_label("zh", names(), schedule(), **lesson, with_day=False) == (
        "第3节（10:00–10:40）三(2)班 数学"
    )


def test_a_period_without_a_bell_and_a_class_not_on_the_list() -> None:
    assert lesson_label(
        "zh", names(), schedule(), day=THU, period=4, class_id=99, subject_id=MATHS
    ) == ("11月26日 周四 第4节（—）? 数学")


def test_a_need_and_a_timetable_lesson_read_like_any_lesson() -> None:
    lesson = DayLesson(THU, 5, CLASS_31, 3, MATHS, XU, 1)

    assert day_lesson_label("zh", names(), schedule(), lesson) == (
        "11月26日 周四 第5节（13:30–14:10）三(1)班 数学"
    )
    assert need_label("en", names(), schedule(), need(1, 1)) == (
        "Thu 26 Nov period 1 (08:00–08:40) 三(2)班 语文"
    )


@pytest.mark.parametrize(
    ("status", "extra", "zh", "en"),
    [
        ("open", {}, "待安排", "to arrange"),
        ("asking", {}, "群里征集中", "asked in the group"),
        ("assigned", {"substitute_id": XU}, "许志强 代课", "许志强 covers"),
        ("self_study", {}, "自习", "self-study"),
        (
            "merged",
            {"substitute_id": LIN, "merged_class_id": CLASS_31},
            "与三(1)班合班（林秀英）",
            "merged with 三(1)班 (林秀英)",
        ),
        (
            "released",
            {},
            "不用代课了（原任课老师上课）",
            "no cover needed (the teacher teaches it)",
        ),
    ],
)
def test_what_is_arranged_for_a_lesson(
    status: str, extra: dict[str, int], zh: str, en: str
) -> None:
    covered = need(1, 3, status=status, **extra)
    assert cover_state("zh", names(), covered) == zh
    assert cover_state("en", names(), covered) == en


def test_a_swap_names_both_lessons_and_both_teachers() -> None:
    assert swap_line("zh", names(), schedule(), swap()) == (
        "11月26日 周四 第3节（10:00–10:40）三(2)班 语文（周雅琴）"
        "⇄ 11月27日 周五 第2节（08:50–09:30）三(2)班 数学（许志强）"
    )
    assert swap_line("en", names(), schedule(), swap()) == (
        "Thu 26 Nov period 3 (10:00–10:40) 三(2)班 语文 (周雅琴)"
        " ⇄ Fri 27 Nov period 2 (08:50–09:30) 三(2)班 数学 (许志强)"
    )


def test_someone_without_a_language_reads_the_schools() -> None:
    assert language_of(Staff(school_id=1, name="许志强"), "zh") == "zh"
    assert language_of(Staff(school_id=1, name="林秀英", language="en"), "zh") == "en"
