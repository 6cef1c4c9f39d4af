"""Swapping two lessons: what would be double-booked once they trade places."""

from __future__ import annotations

from datetime import date

from rules.cover import DayLesson
from rules.swaps import AWAY, COVER, LESSON, MINE, MY_CLASS, THEIR_CLASS, THEIRS, swap_clashes

THU, FRI = date(2026, 11, 26), date(2026, 11, 27)
ME, COLLEAGUE, OTHER = 1, 2, 3
C31, C32 = 31, 32

MINE_LESSON = DayLesson(THU, 3, C31, 3, 10, ME, 100)
THEIRS_LESSON = DayLesson(FRI, 2, C31, 3, 11, COLLEAGUE, 200)


def clashes(thursday: list[DayLesson], friday: list[DayLesson], **extra: object) -> list:
    return swap_clashes(
        MINE_LESSON,
        THEIRS_LESSON,
        lessons_on={THU: [MINE_LESSON, *thursday], FRI: [THEIRS_LESSON, *friday]},
        covering=extra.get("covering", set()),  # type: ignore[arg-type]
        away=extra.get("away", set()),  # type: ignore[arg-type]
    )


def test_two_teachers_of_one_class_trade_lessons() -> None:
    assert clashes([], []) == []


def test_each_clash_is_named() -> None:
    my_friday = DayLesson(FRI, 2, C32, 3, 10, ME, 101)
    their_thursday = DayLesson(THU, 3, C32, 3, 11, COLLEAGUE, 201)
    found = clashes([their_thursday], [my_friday])
    assert [(c.who, c.day, c.period, c.kind, c.lesson) for c in found] == [
        (MINE, FRI, 2, LESSON, my_friday),
        (THEIRS, THU, 3, LESSON, their_thursday),
    ]


def test_a_class_may_not_get_two_lessons_at_once() -> None:
    mine = DayLesson(THU, 3, C31, 3, 10, ME, 100)
    theirs = DayLesson(FRI, 2, C32, 3, 11, COLLEAGUE, 200)
    c31_friday = DayLesson(FRI, 2, C31, 3, 12, OTHER, 300)
    c32_thursday = DayLesson(THU, 3, C32, 3, 12, OTHER, 301)
    found = swap_clashes(
        mine,
        theirs,
        lessons_on={THU: [mine, c32_thursday], FRI: [theirs, c31_friday]},
        covering=set(),
        away=set(),
    )
    assert [(c.who, c.lesson) for c in found] == [
        (MY_CLASS, c31_friday),
        (THEIR_CLASS, c32_thursday),
    ]


def test_covers_and_absences_count_too() -> None:
    found = clashes([], [], covering={(ME, FRI, 2)}, away={(COLLEAGUE, THU, 3)})
    assert [(c.who, c.kind) for c in found] == [(MINE, COVER), (THEIRS, AWAY)]
