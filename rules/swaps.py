"""Swapping two lessons (调课): what may not clash once they trade places.

My lesson (class A, day 1, period 1) and a colleague's (class B, day 2, period 2) trade places.
Afterwards I teach class A on day 2 in period 2 and the colleague teaches class B on day 1 in
period 1; neither teacher nor class may then have a second lesson (or a cover) in that slot, and
neither teacher may be away then. Nor may a lesson move while cover is arranged for it: the
substitute would stand in front of a lesson that is no longer there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rules.classnames import chinese_number
from rules.cover import DayLesson
from rules.dates import normalise, read_day
from rules.leave_dates import MAX_PERIOD, LeaveDateError
from rules.reach import OUT_OF_RANGE

# Whose slot clashes, for the refusal text.
MINE = "mine"  # I would be double-booked
THEIRS = "theirs"  # the colleague would be
MY_CLASS = "my_class"
THEIR_CLASS = "their_class"

LESSON = "lesson"
COVER = "cover"
AWAY = "away"
ARRANGED = "arranged"  # the lesson itself has cover arranged (or being arranged)


@dataclass(frozen=True)
class Clash:
    who: str
    day: date
    period: int
    kind: str  # lesson | cover | away | arranged
    lesson: DayLesson | None = None  # the lesson in the way, for kind == lesson


def swap_clashes(
    mine: DayLesson,
    theirs: DayLesson,
    *,
    lessons_on: dict[date, list[DayLesson]],
    covering: set[tuple[int, date, int]],
    away: set[tuple[int, date, int]],
    arranged: frozenset[tuple[int, date, int]] | set[tuple[int, date, int]] = frozenset(),
) -> list[Clash]:
    """Every clash the swap would create; [] when it can be made.

    `lessons_on`: the lessons of both days as they are now; `covering`: (staff, day, period)
    of covers already arranged; `away`: (staff, day, period) of approved absences;
    `arranged`: (class, day, period) of lessons with a live cover need.
    """
    clashes: list[Clash] = [
        Clash(who, lesson.day, lesson.period, ARRANGED)
        for who, lesson in ((MINE, mine), (THEIRS, theirs))
        if (lesson.class_id, lesson.day, lesson.period) in arranged
    ]

    def check(who: str, teacher: int | None, klass: int | None, day: date, period: int) -> None:
        moving = (mine, theirs)
        for lesson in lessons_on.get(day, []):
            if lesson.period != period or lesson in moving:
                continue
            if teacher is not None and lesson.teacher_id == teacher:
                clashes.append(Clash(who, day, period, LESSON, lesson))
            elif klass is not None and lesson.class_id == klass:
                clashes.append(Clash(who, day, period, LESSON, lesson))
        if teacher is not None and (teacher, day, period) in covering:
            clashes.append(Clash(who, day, period, COVER))
        if teacher is not None and (teacher, day, period) in away:
            clashes.append(Clash(who, day, period, AWAY))

    check(MINE, mine.teacher_id, None, theirs.day, theirs.period)
    check(MY_CLASS, None, mine.class_id, theirs.day, theirs.period)
    check(THEIRS, theirs.teacher_id, None, mine.day, mine.period)
    check(THEIR_CLASS, None, theirs.class_id, mine.day, mine.period)
    return clashes


def find_lesson(lessons: Iterable[DayLesson], teacher_id: int, period: int) -> DayLesson | None:
    return next(
        (
            lesson
            for lesson in lessons
            if lesson.teacher_id == teacher_id and lesson.period == period
        ),
        None,
    )


_SLOT_PERIOD = re.compile(
    r"(?:第(\d{1,2}|[一二三四五六七八九十]{1,3})节课?|p(\d{1,2})|(\d{1,2})节)$"
)


def parse_slot(text: str, today: date) -> tuple[date, int]:
    """A lesson slot as teachers write it: 周四第3节, 周四 第3节, 11-27第2节, thu p3."""
    value = normalise(text)
    match = _SLOT_PERIOD.search(value)
    if match is None or match.start() == 0:
        raise LeaveDateError("swap.err.slot", value=text)
    period = chinese_number(match[1] or match[2] or match[3])
    day = read_day(value[: match.start()], today)
    if day is None or period is None:
        raise LeaveDateError("swap.err.slot", value=text)
    if not 1 <= period <= MAX_PERIOD:
        raise LeaveDateError("leave.err.period_range", value=text, max=MAX_PERIOD)
    return day, period


@dataclass(frozen=True)
class SwapLine:
    mine: tuple[date, int]
    colleague: str
    theirs: tuple[date, int]


def parse_swap_line(text: str, today: date) -> SwapLine:
    """`周四第3节 <colleague> 周五第2节`: my lesson, the colleague, their lesson."""
    tokens = text.split()
    if not tokens:
        raise LeaveDateError("swap.err.empty")
    for count in (1, 2, 3):  # 周四第3节, 周四 第3节, next thu p3
        try:
            mine = parse_slot("".join(tokens[:count]), today)
        except LeaveDateError as problem:
            if problem.key == OUT_OF_RANGE:
                raise  # a day was read, and it is too far: say so, not "not understood"
            continue
        rest = tokens[count:]
        if not rest:
            raise LeaveDateError("swap.err.no_colleague")
        if len(rest) == 1:
            raise LeaveDateError("swap.err.no_their_slot", name=rest[0])
        theirs = parse_slot("".join(rest[1:]), today)
        return SwapLine(mine, rest[0], theirs)
    raise LeaveDateError("swap.err.slot", value=tokens[0])
