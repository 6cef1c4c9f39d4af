"""The timetable as it really runs on a day (approved swaps applied), and the swaps themselves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlmodel import col, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.calendar import DayStatus, SchoolCalendar
from rules.cover import DayLesson, SwapMove, TimetableLesson, lesson_ends, lessons_of_day
from storage.models import LessonSwap, School, SchoolClass, Staff, Subject
from storage.school_static import WATCHED, TeacherIndex, school_static
from storage.session_memo import remembered, tables_of
from storage.staff import all_school_staff

OPEN_SWAP_STATES = ("asked", "agreed")
SWAP_TABLE = tables_of(LessonSwap)
SCHEDULE_READS = SWAP_TABLE | WATCHED
NAME_TABLES = tables_of(SchoolClass, Subject, Staff)


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
        """The day's lessons after swaps; [] without school, None when the timetable is unknown."""
        if day not in self._cache:
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
        moves.append(SwapMove(swap.id or 0, mine, theirs.day, theirs.period))
        moves.append(SwapMove(swap.id or 0, theirs, mine.day, mine.period))
    return moves


# Built once: every schedule an action builds reads it.
_APPROVED_SWAPS = (
    select(LessonSwap)
    .where(col(LessonSwap.school_id) == bindparam("school_id"), LessonSwap.status == "approved")
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
        swaps = await approved_swaps(session=session, school_id=school_id)
        school = await session.get(School, school_id)
        return Schedule(
            calendar=static.calendar,
            timetable=static.timetable,
            moves=swap_moves(swaps, static.grades),
            bells=static.bells,
            grades=static.grades,
            tz=ZoneInfo(school.timezone if school is not None else "Asia/Shanghai"),
            teachers=static.teachers,
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
        return Names(static.class_names, static.subject_names, {s.id or 0: s for s in staff})

    return await remembered(session, ("names", school_id), NAME_TABLES, load)


async def create_swap(
    *, session: AsyncSession, school_id: int, mine: DayLesson, theirs: DayLesson, now: datetime
) -> LessonSwap:
    swap = LessonSwap(
        school_id=school_id,
        proposer_id=mine.teacher_id,
        first_day=mine.day,
        first_period=mine.period,
        first_class_id=mine.class_id,
        first_subject_id=mine.subject_id,
        first_lesson_id=mine.lesson_id,
        colleague_id=theirs.teacher_id,
        second_day=theirs.day,
        second_period=theirs.period,
        second_class_id=theirs.class_id,
        second_subject_id=theirs.subject_id,
        second_lesson_id=theirs.lesson_id,
        created_at=now,
    )
    session.add(swap)
    await session.flush()
    return swap


async def move_swap(
    *,
    session: AsyncSession,
    swap_id: int,
    from_states: tuple[str, ...],
    to_state: str,
    now: datetime,
    by: int | None = None,
) -> bool:
    """The conditional state change; False when the swap was no longer in `from_states`."""
    values: dict[str, object] = {"status": to_state}
    if to_state in ("agreed", "declined"):
        values["answered_at"] = now
    else:
        values.update(decided_at=now, decided_by=by)
    result = await session.exec(
        update(LessonSwap)
        .where(col(LessonSwap.id) == swap_id, col(LessonSwap.status).in_(from_states))
        .values(**values)
    )
    return result.rowcount == 1


async def open_swaps_of(
    *, session: AsyncSession, school_id: int, staff_id: int
) -> list[LessonSwap]:
    """Swaps still waiting for an answer that this person proposed or was asked for."""
    query = (
        select(LessonSwap)
        .where(
            LessonSwap.school_id == school_id,
            col(LessonSwap.status).in_(OPEN_SWAP_STATES),
            or_(LessonSwap.proposer_id == staff_id, LessonSwap.colleague_id == staff_id),
        )
        .order_by(col(LessonSwap.id))
    )
    return list((await session.exec(query)).all())


async def swaps_waiting(*, session: AsyncSession, school_id: int, state: str) -> list[LessonSwap]:
    query = (
        select(LessonSwap)
        .where(LessonSwap.school_id == school_id, LessonSwap.status == state)
        .order_by(col(LessonSwap.id))
    )
    return list((await session.exec(query)).all())


async def escalate_swap(
    *, session: AsyncSession, swap: LessonSwap, level: int, now: datetime
) -> bool:
    """Moves an agreed swap up to `level`; False when it was decided, expired or moved up by
    someone else meanwhile (one winner, as for decisions)."""
    result = await session.exec(
        update(LessonSwap)
        .where(
            col(LessonSwap.id) == swap.id,
            LessonSwap.status == "agreed",
            LessonSwap.level == swap.level,
        )
        .values(level=level, escalated_at=now)
    )
    if result.rowcount != 1:
        return False
    await session.refresh(swap)
    return True


async def mark_swap_told(*, session: AsyncSession, swap: LessonSwap, now: datetime) -> bool:
    """Notes that the proposer of a swap still asked heard that the colleague cannot get it:
    True for the one caller that notes it first."""
    result = await session.exec(
        update(LessonSwap)
        .where(
            col(LessonSwap.id) == swap.id,
            LessonSwap.status == "asked",
            col(LessonSwap.escalated_at).is_(None),
        )
        .values(escalated_at=now)
    )
    if result.rowcount != 1:
        return False
    await session.refresh(swap)
    return True


async def open_swaps(*, session: AsyncSession) -> list[tuple[LessonSwap, School]]:
    """Every swap of every school still waiting for an answer (the swap watch, each minute)."""
    query = (
        select(LessonSwap, School)
        .join(School, col(School.id) == col(LessonSwap.school_id))
        .where(col(LessonSwap.status).in_(OPEN_SWAP_STATES))
        .order_by(col(LessonSwap.id))
    )
    return [(swap, school) for swap, school in (await session.exec(query)).all()]
