"""Which lessons an absence leaves uncovered, and who should cover them.

Everything here works on plain values: the weekly timetable as `TimetableLesson`s, approved
swaps as `SwapMove`s, and the calendar's `DayStatus`. A day's real lessons are the timetable of
the weekday it follows, with the swapped lessons moved.

Ranking (as good cover tools do it, see shared/domain.md): only people who are present, have no
lesson or cover that period and are under the daily cap; then someone who teaches that class,
that subject, in the same grade group, with a lesson next to that period, with fewer covers
this month; then by staff id, so the same situation always gives the same list. Whoever said
no to the lesson comes last, marked. A lesson that
is over is offered to nobody: its class already went without its teacher, and asking someone to
cover it would only confuse them.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, tzinfo
from enum import StrEnum

from rules.calendar import DayStatus
from rules.leave_dates import DayPart

NOON = time(12, 0)
# Without bell times, the first four periods are the morning (the usual primary-school day).
MORNING_PERIODS_WITHOUT_BELLS = 4
# Without bell times, a day's lessons are known to be over only when the school day is.
SCHOOL_DAY_ENDS_WITHOUT_BELLS = time(17, 0)


class Phase(StrEnum):
    """Where a lesson stands: ahead, under way (its bell rang, its end did not), or over."""

    AHEAD = "ahead"
    UNDER_WAY = "under_way"
    OVER = "over"


SAME_CLASS = "same_class"
SAME_SUBJECT = "same_subject"
SAME_GRADE = "same_grade"
ADJACENT = "adjacent"
MONTH_COVERS = "month_covers"
# Said no to this very lesson (拒绝): ranked after everyone else, and marked.
DECLINED = "declined"

# Why someone cannot cover a lesson.
SELF = "self"
AWAY = "away"
BUSY = "busy"
CAPPED = "capped"
# Held elsewhere at the lesson's time: on a duty post, or at a meeting they must attend.
DUTY = "duty"
MEETING = "meeting"


@dataclass(frozen=True)
class TimetableLesson:
    lesson_id: int
    class_id: int
    grade: int
    weekday: int  # ISO, 1 = Monday
    period: int
    subject_id: int
    teacher_id: int
    valid_from: date | None = None
    valid_to: date | None = None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class DayLesson:
    """A lesson as it happens on one day (after swaps)."""

    day: date
    period: int
    class_id: int
    grade: int
    subject_id: int
    teacher_id: int
    lesson_id: int
    swap_id: int | None = None  # set when an approved swap moved it here


@dataclass(frozen=True)
class SwapMove:
    """One side of an approved swap: a lesson taken from one day and period to another."""

    swap_id: int
    lesson: DayLesson  # where it was
    to_day: date
    to_period: int


def lessons_of_day(
    status: DayStatus, timetable: Iterable[TimetableLesson], moves: Iterable[SwapMove] = ()
) -> list[DayLesson] | None:
    """The day's lessons in period order; [] on a day without school, None when unknown.

    A make-up working day (调休) whose weekday to follow was never set has no known timetable:
    the callers say so rather than guess.
    """
    if not status.is_school_day:
        return []
    weekday = status.timetable_weekday
    if weekday is None:
        return None
    day = status.day
    lessons = [
        DayLesson(day, t.period, t.class_id, t.grade, t.subject_id, t.teacher_id, t.lesson_id)
        for t in timetable
        if t.weekday == weekday and t.valid_on(day)
    ]
    # A swapped lesson is known by its class, teacher and period rather than its row: a
    # timetable import may renumber the rows without changing the lessons.
    moved_away = {
        (m.lesson.period, m.lesson.class_id, m.lesson.teacher_id)
        for m in moves
        if m.lesson.day == day
    }
    lessons = [
        lesson
        for lesson in lessons
        if (lesson.period, lesson.class_id, lesson.teacher_id) not in moved_away
    ]
    for move in moves:
        if move.to_day == day:
            lessons.append(
                replace(move.lesson, day=day, period=move.to_period, swap_id=move.swap_id)
            )
    return sorted(lessons, key=lambda lesson: (lesson.period, lesson.class_id))


def is_morning(period: int, bell_starts: Mapping[int, time]) -> bool:
    """Morning = the bell rings before noon; without bells, periods 1–4."""
    start = bell_starts.get(period)
    if start is None:
        return period <= MORNING_PERIODS_WITHOUT_BELLS
    return start < NOON


def lesson_ends(
    day: date, period: int, bells: Mapping[int, tuple[time, time]], tz: tzinfo
) -> datetime:
    """When the lesson is over: the end of its bell. A period without a bell time is over when
    the school day is (its last bell, or 17:00 for a school without bell times): an hour we do
    not know must never close a lesson that may still be taught."""
    bell = bells.get(period)
    if bell is not None:
        end = bell[1]
    elif bells:
        end = max(last for _, last in bells.values())
    else:
        end = SCHOOL_DAY_ENDS_WITHOUT_BELLS
    return datetime.combine(day, end, tzinfo=tz)


def lesson_over(ends: datetime, now: datetime) -> bool:
    """Whether a lesson ending at `ends` is over at `now`; one still being taught is not: a
    substitute can still take the class for what is left of it."""
    return now >= ends


def part_includes(part: DayPart, period: int, bell_starts: Mapping[int, time]) -> bool:
    if part.kind == "full":
        return True
    if part.kind == "am":
        return is_morning(period, bell_starts)
    if part.kind == "pm":
        return not is_morning(period, bell_starts)
    assert part.first is not None and part.last is not None
    return part.first <= period <= part.last


def affected_lessons(
    teacher_id: int,
    days: Sequence[tuple[date, list[DayLesson] | None]],
    part: DayPart,
    bell_starts: Mapping[int, time],
) -> tuple[list[DayLesson], list[date]]:
    """The teacher's lessons an absence touches, and the days whose timetable is unknown."""
    touched: list[DayLesson] = []
    unknown: list[date] = []
    for day, lessons in days:
        if lessons is None:
            unknown.append(day)
            continue
        touched.extend(
            lesson
            for lesson in lessons
            if lesson.teacher_id == teacher_id and part_includes(part, lesson.period, bell_starts)
        )
    return touched, unknown


@dataclass(frozen=True)
class Candidate:
    staff_id: int
    name: str
    grade: int | None
    external: bool = False  # 外聘/代课: suggested only where the school allows it


@dataclass(frozen=True)
class Reason:
    code: str
    count: int = 0


@dataclass(frozen=True)
class Suggestion:
    staff_id: int
    name: str
    reasons: tuple[Reason, ...]


@dataclass
class Availability:
    """What is known about everyone on the day of a lesson to cover.

    `busy`: the periods each person teaches or covers that day; `away`: who is absent at that
    period; counts of covers that day and that month; `elsewhere`: who is held elsewhere at
    that period (DUTY or MEETING).
    """

    busy: Mapping[int, AbstractSet[int]]
    away: AbstractSet[int]
    covers_today: Mapping[int, int]
    covers_month: Mapping[int, int]
    cap: int
    elsewhere: Mapping[int, str] = field(default_factory=dict)


def unavailable(
    staff_id: int, absent_id: int, period: int, availability: Availability
) -> str | None:
    """Why this person cannot cover that period, or None when they can."""
    if staff_id == absent_id:
        return SELF
    if staff_id in availability.away:
        return AWAY
    if period in availability.busy.get(staff_id, set()):
        return BUSY
    held = availability.elsewhere.get(staff_id)
    if held is not None:
        return held
    if availability.covers_today.get(staff_id, 0) >= availability.cap:
        return CAPPED
    return None


def rank_substitutes(
    lesson: DayLesson,
    candidates: Iterable[Candidate],
    availability: Availability,
    *,
    class_teachers: set[int],
    subject_teachers: set[int],
    grade_teachers: set[int] | frozenset[int] = frozenset(),
    limit: int = 3,
    ends: datetime | None = None,
    now: datetime | None = None,
    with_external: bool = True,
    declined: AbstractSet[int] = frozenset(),
) -> list[Suggestion]:
    """The best `limit` people to cover the lesson, with the reasons that put them there.
    External teachers (外聘) are among them only `with_external` (the school's choice).

    Those who `declined` this lesson come after everyone else, marked so: offering the lesson
    to the first colleague who refused it would only cost the arranger another round. They are
    not left out, so when nobody else is free an arranger who has talked them round can still
    pick them.

    The grade group is the grade on the roster, or `grade_teachers`: those who teach in that
    grade (an English or music teacher belongs to every grade group they teach in). Given when
    the lesson `ends` and the time `now`, a lesson that is over gets nobody.
    """
    if ends is not None and now is not None and lesson_over(ends, now):
        return []
    # Keys for everyone, reasons only for the few shown: a board ranks the whole staff for
    # each of its lessons.
    ranked: list[tuple[tuple[bool, bool, bool, bool, bool, int, int], Candidate]] = []
    neighbours = (lesson.period - 1, lesson.period + 1)
    for person in candidates:
        if person.external and not with_external:
            continue
        if unavailable(person.staff_id, lesson.teacher_id, lesson.period, availability):
            continue
        own = availability.busy.get(person.staff_id, ())
        key = (
            person.staff_id in declined,
            person.staff_id not in class_teachers,
            person.staff_id not in subject_teachers,
            not (
                person.staff_id in grade_teachers
                or (person.grade is not None and person.grade == lesson.grade)
            ),
            not (neighbours[0] in own or neighbours[1] in own),
            availability.covers_month.get(person.staff_id, 0),
            person.staff_id,
        )
        ranked.append((key, person))
    best = heapq.nsmallest(limit, ranked, key=lambda pair: pair[0])
    codes = (SAME_CLASS, SAME_SUBJECT, SAME_GRADE, ADJACENT)
    return [
        Suggestion(
            person.staff_id,
            person.name,
            (
                *((Reason(DECLINED),) if key[0] else ()),
                *(Reason(code) for code, off in zip(codes, key[1:5], strict=True) if not off),
                Reason(MONTH_COVERS, key[5]),
            ),
        )
        for key, person in best
    ]
