"""A day's cover picture answers each lesson's question from one reading of the day."""

from __future__ import annotations

from datetime import date
from typing import cast

from rules.cover import DayLesson
from storage.cover import CoverDay
from storage.models import CoverNeed
from storage.schedule import Schedule

DAY = date(2026, 11, 25)


def lesson(period: int, teacher: int) -> DayLesson:
    return DayLesson(
        DAY, period, class_id=1, grade=3, subject_id=1, teacher_id=teacher, lesson_id=0
    )


def need(need_id: int, period: int, substitute: int | None, status: str) -> CoverNeed:
    return CoverNeed(
        id=need_id,
        school_id=1,
        leave_id=1,
        day=DAY,
        period=period,
        class_id=1,
        subject_id=1,
        absent_id=9,
        status=status,
        substitute_id=substitute,
    )


def test_leaving_one_need_out_frees_only_its_substitute_and_only_that_once() -> None:
    cover_day = CoverDay(
        day=DAY,
        schedule=cast(Schedule, None),  # who is busy and who covers never reads the bells
        lessons=[lesson(1, 5), lesson(2, 6)],
        leaves=[],
        covers=[need(11, 3, 5, "assigned"), need(12, 4, 5, "assigned"), need(13, 5, 6, "open")],
    )
    assert cover_day.busy() == {5: {1, 3, 4}, 6: {2}}
    assert cover_day.covers_today() == {5: 2}

    without = cover_day.busy(without=11)
    assert without[5] == {1, 4}
    assert without[6] == {2}
    assert cover_day.covers_today(without=11) == {5: 1}
    # Asking about one lesson leaves the day's picture for the next lesson as it was.
    assert cover_day.busy()[5] == {1, 3, 4}
    assert cover_day.busy(without=13) == cover_day.busy()  # an open need frees nobody
