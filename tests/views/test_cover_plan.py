"""How a weekly lesson of a fixed cover plan is written, in both languages."""

from __future__ import annotations

from rules.cover_plans import WeeklyLesson, is_long
from storage.schedule import Names
from views.cover_plan import weekly_label

NAMES = Names(classes={7: "三(2)班"}, subjects={3: "语文"}, staff={})


def test_a_weekly_lesson_names_its_weekday_period_class_and_subject() -> None:
    lesson = WeeklyLesson(weekday=4, period=3, class_id=7, subject_id=3)

    assert weekly_label("zh", NAMES, lesson) == "周四 第3节 三(2)班 语文"
    assert weekly_label("en", NAMES, lesson) == "Thu period 3 三(2)班 语文"
    assert lesson.code == 403


def test_a_leave_is_long_past_the_policys_school_days() -> None:
    assert not is_long(10, 5)  # five whole school days
    assert is_long(11, 5)  # five and a half
