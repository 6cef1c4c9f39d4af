"""The timetable as it really runs on a day: a school's lessons, calendar and bells with the
approved swaps applied (`Schedule`), and the names of its classes, subjects and staff (`Names`).
Every feature reads them; each is read once per action until the action changes what it holds
(see storage.session_memo)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.calendar import DayStatus, SchoolCalendar
from rules.cover import (
    DayLesson,
    Phase,
    SwapMove,
    TimetableLesson,
    affected_lessons,
    lesson_ends,
    lesson_over,
    lessons_of_day,
    part_includes,
)
from rules.leave_dates import MAX_PERIOD, DayPart
from rules.policies import PolicySet
from rules.states import SwapStatus
from storage.models import CoverNeed, LessonSwap, School, SchoolClass, Staff, Subject
from storage.policies import load_policies
from storage.school_static import WATCHED, TeacherIndex, school_static
from storage.session_memo import remembered, tables_of
from storage.staff import all_school_staff
from storage.types import stored_id

SWAP_TABLE = tables_of(LessonSwap)
SCHEDULE_READS = WATCHED  # the approved swaps are kept with the static data
NAME_TABLES = tables_of(SchoolClass, Subject, Staff)


# Days whose lessons a school's schedule keeps: the boards' week and a month's report.
DAYS_KEPT = 40


@dataclass
class Schedule:
    """A school's timetable, calendar, bells and approved swaps, read once per action."""

    calendar: SchoolCalendar
    timetable: list[TimetableLesson]
    moves: list[SwapMove]
    bells: dict[int, tuple[time, time]]
    grades: dict[int, int]  # class id → grade
    tz: ZoneInfo
    # Who teaches each class, subject and grade on the timetable (kept with the static data).
    teachers: TeacherIndex = field(default_factory=TeacherIndex)
    _cache: dict[date, list[DayLesson] | None] = field(default_factory=dict)

    @property
    def bell_starts(self) -> dict[int, time]:
        return {period: start for period, (start, _) in self.bells.items()}

    def status(self, day: date) -> DayStatus:
        return self.calendar.status(day)

    def lessons(self, day: date) -> list[DayLesson] | None:
        """The day's lessons after swaps; [] without school, None when the timetable is unknown.
        Worked out once per day while the school's static data holds (SchoolStatic.day_lessons);
        callers only read them."""
        if day not in self._cache:
            if len(self._cache) >= DAYS_KEPT:
                del self._cache[next(iter(self._cache))]  # the day asked for longest ago
            self._cache[day] = lessons_of_day(self.status(day), self.timetable, self.moves)
        return self._cache[day]

    def lesson_start(self, day: date, period: int) -> datetime | None:
        bell = self.bells.get(period)
        return datetime.combine(day, bell[0], tzinfo=self.tz) if bell is not None else None

    def lesson_end(self, day: date, period: int) -> datetime | None:
        bell = self.bells.get(period)
        return datetime.combine(day, bell[1], tzinfo=self.tz) if bell is not None else None

    def lesson_over_at(self, day: date, period: int) -> datetime:
        """When the lesson is over, also for a period without a bell time (rules.cover)."""
        return lesson_ends(day, period, self.bells, self.tz)

    def school_hours(self, day: date) -> tuple[time, time]:
        """From the first bell to the last; 08:00–17:00 for a school without bell times."""
        if not self.bells:
            return time(8, 0), time(17, 0)
        return min(s for s, _ in self.bells.values()), max(e for _, e in self.bells.values())


async def bell_times(*, session: AsyncSession, school_id: int) -> dict[int, tuple[time, time]]:
    return (await school_static(session=session, school_id=school_id)).bells


def swap_sides(swap: LessonSwap, grades: dict[int, int]) -> tuple[DayLesson, DayLesson]:
    """The two lessons a swap trades, as they were before it."""
    mine = DayLesson(
        swap.first_day,
        swap.first_period,
        swap.first_class_id,
        grades.get(swap.first_class_id, 0),
        swap.first_subject_id,
        swap.proposer_id,
        swap.first_lesson_id,
    )
    theirs = DayLesson(
        swap.second_day,
        swap.second_period,
        swap.second_class_id,
        grades.get(swap.second_class_id, 0),
        swap.second_subject_id,
        swap.colleague_id,
        swap.second_lesson_id,
    )
    return mine, theirs


def swap_moves(swaps: Iterable[LessonSwap], grades: dict[int, int]) -> list[SwapMove]:
    moves = []
    for swap in swaps:
        mine, theirs = swap_sides(swap, grades)
        moves.append(SwapMove(stored_id(swap), mine, theirs.day, theirs.period))
        moves.append(SwapMove(stored_id(swap), theirs, mine.day, mine.period))
    return moves


# Built once: every schedule an action builds reads it.
_APPROVED_SWAPS = (
    select(LessonSwap)
    .where(
        col(LessonSwap.school_id) == bindparam("school_id"),
        LessonSwap.status == SwapStatus.APPROVED,
    )
    .order_by(col(LessonSwap.id))
)


async def approved_swaps(
    *, session: AsyncSession, school_id: int, days: Iterable[date] | None = None
) -> list[LessonSwap]:
    params = {"school_id": school_id}
    if days is not None:
        wanted = list(days)
        chosen = _APPROVED_SWAPS.where(
            or_(col(LessonSwap.first_day).in_(wanted), col(LessonSwap.second_day).in_(wanted))
        )
        return list((await session.exec(chosen, params=params)).all())

    async def load() -> list[LessonSwap]:
        return list((await session.exec(_APPROVED_SWAPS, params=params)).all())

    # Every schedule an action builds reads them; once is enough until it changes a swap.
    return list(await remembered(session, ("approved_swaps", school_id), SWAP_TABLE, load))


async def load_schedule(*, session: AsyncSession, school_id: int) -> Schedule:
    """The school's schedule, once per action until it changes a swap or the static data: the
    days' lessons and the teacher index it works out are kept with it (an approval reads it for
    the kit, the cover slips and the reminders)."""

    async def load() -> Schedule:
        static = await school_static(session=session, school_id=school_id)
        school = await session.get(School, school_id)
        return Schedule(
            calendar=static.calendar,
            timetable=static.timetable,
            moves=swap_moves(static.swaps, static.grades),
            bells=static.bells,
            grades=static.grades,
            tz=ZoneInfo(school.timezone if school is not None else "Asia/Shanghai"),
            teachers=static.teachers,
            _cache=static.day_lessons,
        )

    return await remembered(session, ("schedule", school_id), SCHEDULE_READS, load)


@dataclass(frozen=True)
class Names:
    """Display names of a school's classes, subjects and staff."""

    classes: dict[int, str]
    subjects: dict[int, str]
    staff: dict[int, Staff]

    def person(self, staff_id: int | None) -> str:
        found = self.staff.get(staff_id or 0)
        return found.name if found is not None else "?"


async def load_names(*, session: AsyncSession, school_id: int) -> Names:
    """Read once per action until it writes one of the tables named (see storage.session_memo)."""

    async def load() -> Names:
        # Classes and subjects are kept with the school's static data; staff change every day.
        static = await school_static(session=session, school_id=school_id)
        staff = await all_school_staff(session=session, school_id=school_id)
        return Names(static.class_names, static.subject_names, {stored_id(s): s for s in staff})

    return await remembered(session, ("names", school_id), NAME_TABLES, load)


@dataclass
class Kit:
    """What rendering and checking cover needs reads, loaded once per action."""

    school: School
    schedule: Schedule
    names: Names
    policies: PolicySet

    @property
    def cap(self) -> int:
        return int(self.policies.get("cover.daily_cap"))

    @property
    def arranger_policy(self) -> str:
        return str(self.policies.get("cover.arranger"))

    @property
    def suggest_external(self) -> bool:
        return bool(self.policies.get("cover.suggest_external"))

    @property
    def boards_to(self) -> str:
        return str(self.policies.get("cover.boards_to"))

    def today(self, now: datetime) -> date:
        """The school's date at `now`."""
        return now.astimezone(ZoneInfo(self.school.timezone)).date()

    def lesson_over(self, need: CoverNeed, now: datetime) -> bool:
        """Whether the need's lesson has ended by `now` (by the school's bell times)."""
        return lesson_over(self.schedule.lesson_over_at(need.day, need.period), now)

    def phase(self, need: CoverNeed, now: datetime) -> Phase:
        """Where the lesson stands at `now`: over, under way (its bell rang, its end did not)
        or ahead."""
        if self.lesson_over(need, now):
            return Phase.OVER
        start = self.schedule.lesson_start(need.day, need.period)
        return Phase.UNDER_WAY if start is not None and start <= now else Phase.AHEAD


async def build_kit(session: AsyncSession, school: School) -> Kit:
    school_id = stored_id(school)
    return Kit(
        school,
        await load_schedule(session=session, school_id=school_id),
        await load_names(session=session, school_id=school_id),
        await load_policies(session=session, school_id=school_id),
    )


def leave_lessons(
    kit: Kit, leave_staff: int, first: date, last: date, part: DayPart
) -> tuple[list[DayLesson], list[date]]:
    """The teacher's lessons on the school days of the span, and days without a known timetable."""
    days = [
        (status.day, kit.schedule.lessons(status.day))
        for status in kit.schedule.calendar.days(first, last)
        if status.is_school_day
    ]
    return affected_lessons(leave_staff, days, part, kit.schedule.bell_starts)


def parts_overlap(a: DayPart, b: DayPart, kit: Kit) -> bool:
    """Whether two parts of a day share a period (am and pm never do)."""
    bells = kit.schedule.bell_starts
    return any(
        part_includes(a, period, bells) and part_includes(b, period, bells)
        for period in range(1, MAX_PERIOD + 1)
    )
