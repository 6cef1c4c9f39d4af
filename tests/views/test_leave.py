"""How leave, lessons, cover and swaps are written out (views/leave.py)."""

from __future__ import annotations

import pytest

from bot.callbacks import Callback
from rules.cover import DayLesson
from storage.models import LeaveApproval, LeaveRequest, Staff
from tests.views.plain import (
    CHINESE,
    CLASS_31,
    CLASS_32,
    FRI,
    LIN,
    MATHS,
    THU,
    XU,
    ZHOU,
    at,
    kit,
    names,
    need,
    presses,
    schedule,
    swap,
)
from views.leave import (
    approval_markup,
    approval_text,
    chain_text,
    cover_state,
    day_lesson_label,
    days_text,
    grade_label,
    kind_label,
    language_of,
    lesson_label,
    lessons_block,
    need_label,
    part_label,
    span_label,
    substitute_markup,
    swap_line,
    withdraw_markup,
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


def grade_leader_then_office() -> list[LeaveApproval]:
    return [
        LeaveApproval(id=7, school_id=1, leave_id=1, step=0, role="grade_leader", grade=3),
        LeaveApproval(id=8, school_id=1, leave_id=1, step=1, role="office"),
    ]


def two_days_sick() -> LeaveRequest:
    return LeaveRequest(
        id=1,
        school_id=1,
        staff_id=ZHOU,
        kind="sick",
        first_day=THU,
        last_day=FRI,
        part="full",
        half_days=4,
        reason="发烧",
        substitute_id=XU,
        substitute_state="asked",
        created_at=at(THU, 7),
    )


def test_days_are_counted_in_halves_without_a_needless_point_zero() -> None:
    assert [days_text(half_days) for half_days in (1, 2, 5)] == ["0.5", "1", "2.5"]


def test_the_lessons_an_absence_touches_and_a_day_that_cannot_be_listed() -> None:
    lesson = DayLesson(THU, 3, CLASS_32, 3, CHINESE, ZHOU, 1)

    assert lessons_block("zh", kit(), [lesson], []).splitlines() == [
        "涉及的课（1 节）：",
        "· 11月26日 周四 第3节（10:00–10:40）三(2)班 语文",
    ]
    assert lessons_block("en", kit(), [], [THU]).splitlines() == [
        "No lessons in that time.",
        "⚠️ Thu 26 Nov is a make-up school day whose timetable weekday is not set:"
        " its lessons cannot be listed. Please tell an admin.",
    ]


def test_the_approval_chain_in_words() -> None:
    assert chain_text("zh", grade_leader_then_office()) == "年级组长（三年级） → 教导处"
    assert chain_text("en", grade_leader_then_office()) == (
        "grade leader (grade 3) → academic office"
    )


def test_an_approver_reads_every_detail_and_approves_or_rejects_this_step() -> None:
    first = grade_leader_then_office()[0]

    text = approval_text("zh", kit(), two_days_sick(), first, 2)

    assert text.splitlines() == [
        "📝 请假审批（第 1/2 步 · 年级组长（三年级））",
        "申请人：周雅琴",
        "类型：病假",
        "时间：11月26日 周四 至 11月27日 周五 全天（共 2 天）",
        "事由：发烧",
        "约好的代课：许志强（待确认）",
        "这段时间没有课。",
        "📎 这次病假按学校规定需医院证明：批准前请确认已收到。",
    ]
    assert presses(approval_markup("zh", first)) == {
        "批准": Callback("lv", "ok", (7,)),
        "驳回": Callback("lvno", "go", (7,)),
    }


def test_the_teacher_can_withdraw_and_the_colleague_asked_to_cover_can_answer() -> None:
    leave = two_days_sick()

    assert presses(withdraw_markup("zh", leave)) == {"撤销": Callback("lv", "wd", (1,))}
    assert presses(substitute_markup("en", leave)) == {
        "Agree": Callback("lvs", "yes", (1,)),
        "Decline": Callback("lvs", "no", (1,)),
    }
