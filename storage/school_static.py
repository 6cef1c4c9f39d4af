"""A school's slow-changing data (calendar, timetable, bells, its classes' grades and names, its
subjects' names, its policies, its approved lesson swaps), kept between actions.

Nearly every action reads them, and they change only through imports, /calendar, settings and
a swap's approval or cancellation, which all bump the school's `schedule_version` (so do an
import that creates a class or a subject, storage/import_classes.py, every policy stored,
storage/policies.py, and every swap moved into or out of approved, storage/swaps.py). Entries
are keyed by that version as read in the action's own session, so a change committed by another
process (`staffroom import ...`) is seen at the next action. A session that wrote any of these
tables reads them fresh and never stores what it read: its writes may still roll back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from functools import cached_property

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.calendar import CalendarData, SchoolCalendar, Span
from rules.cover import DayLesson, TimetableLesson
from rules.policies import PolicySet
from rules.states import SwapStatus
from storage.kept import KeptByVersion, by_schedule_version
from storage.models import (
    BellPeriod,
    CalendarEntry,
    Lesson,
    LessonSwap,
    Policy,
    School,
    SchoolClass,
    Subject,
)
from storage.session_memo import table_of, tables_of
from storage.shared_rows import guard, shared

# The tables behind the cached data, and schools: a School update may be the version bump of a
# change this session made.
WATCHED = tables_of(
    BellPeriod, CalendarEntry, Lesson, LessonSwap, Policy, SchoolClass, Subject, School
)


@dataclass
class TeacherIndex:
    by_class: dict[int, set[int]] = field(default_factory=dict)
    by_subject: dict[int, set[int]] = field(default_factory=dict)
    by_grade: dict[int, set[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class SchoolStatic:
    calendar: SchoolCalendar
    timetable: list[TimetableLesson]
    bells: dict[int, tuple[time, time]]
    policies: PolicySet
    # The rows themselves, shared and read-only (storage/shared_rows.py): classes by grade and
    # number, subjects by id, as storage.timetable.school_classes and
    # storage.homework.school_subjects list them.
    classes: tuple[SchoolClass, ...]
    subjects: tuple[Subject, ...]
    # The approved lesson swaps, in id order (storage.swaps.move_swap bumps the version as one
    # is approved or cancelled).
    swaps: tuple[LessonSwap, ...]
    # Each day's lessons as storage.schedule.Schedule works them out from the above: shared by
    # the school's actions while this version holds (nearly every action asks for today's).
    day_lessons: dict[date, list[DayLesson] | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    @cached_property
    def class_by_id(self) -> dict[int, SchoolClass]:
        return {klass.id or 0: klass for klass in self.classes}

    @cached_property
    def subject_by_id(self) -> dict[int, Subject]:
        return {subject.id or 0: subject for subject in self.subjects}

    @cached_property
    def grades(self) -> dict[int, int]:
        """Class id → grade."""
        return {klass.id or 0: klass.grade for klass in self.classes}

    @cached_property
    def class_names(self) -> dict[int, str]:
        return {klass.id or 0: klass.name for klass in self.classes}

    @cached_property
    def subject_names(self) -> dict[int, str]:
        return {subject.id or 0: subject.name for subject in self.subjects}

    @cached_property
    def _teaching(self) -> dict[tuple[int, int, int], list[TimetableLesson]]:
        found: dict[tuple[int, int, int], list[TimetableLesson]] = {}
        for lesson in self.timetable:
            key = (lesson.class_id, lesson.subject_id, lesson.teacher_id)
            found.setdefault(key, []).append(lesson)
        return found

    def teaches(self, teacher_id: int, class_id: int, subject_id: int, day: date) -> bool:
        """Whether the timetable valid on `day` has the teacher teach the subject in the
        class."""
        lessons = self._teaching.get((class_id, subject_id, teacher_id), ())
        return any(lesson.valid_on(day) for lesson in lessons)

    @cached_property
    def teachers(self) -> TeacherIndex:
        """Who teaches each class, subject and grade on the timetable, for ranking substitutes:
        worked out once per school and version, not once per action."""
        index = TeacherIndex()
        for lesson in self.timetable:
            index.by_class.setdefault(lesson.class_id, set()).add(lesson.teacher_id)
            index.by_subject.setdefault(lesson.subject_id, set()).add(lesson.teacher_id)
            index.by_grade.setdefault(lesson.grade, set()).add(lesson.teacher_id)
        return index


_kept: KeptByVersion[SchoolStatic] = KeptByVersion()

guard(SchoolClass)
guard(Subject)
guard(LessonSwap)
_CLASS_COLUMNS = table_of(SchoolClass).c
_CLASSES = (
    select(*_CLASS_COLUMNS)
    .where(_CLASS_COLUMNS.school_id == bindparam("school_id"))
    .order_by(_CLASS_COLUMNS.grade, _CLASS_COLUMNS.number)
)
_SWAP_COLUMNS = table_of(LessonSwap).c
_APPROVED_SWAPS = (
    select(*_SWAP_COLUMNS)
    .where(
        _SWAP_COLUMNS.school_id == bindparam("school_id"),
        _SWAP_COLUMNS.status == SwapStatus.APPROVED,
    )
    .order_by(_SWAP_COLUMNS.id)
)
_SUBJECT_COLUMNS = table_of(Subject).c
_SUBJECTS = (
    select(*_SUBJECT_COLUMNS)
    .where(_SUBJECT_COLUMNS.school_id == bindparam("school_id"))
    .order_by(_SUBJECT_COLUMNS.id)
)


async def school_static(*, session: AsyncSession, school_id: int) -> SchoolStatic:
    async def load() -> SchoolStatic:
        return await _load(session, school_id)

    return await _kept.read(
        session, school_id, version=by_schedule_version, written=WATCHED, load=load
    )


async def _load(session: AsyncSession, school_id: int) -> SchoolStatic:
    classes = tuple(
        shared(SchoolClass, row._mapping)
        for row in (await session.exec(_CLASSES, params={"school_id": school_id})).all()
    )
    grades = {klass.id or 0: klass.grade for klass in classes}  # for the lessons below
    subjects = tuple(
        shared(Subject, row._mapping)
        for row in (await session.exec(_SUBJECTS, params={"school_id": school_id})).all()
    )
    # Plain columns, not ORM objects: a timetable is a thousand rows, read on every change.
    # SQLModel's select() is typed for at most four columns; it takes any number.
    lessons = select(  # type: ignore[call-overload]
        Lesson.id,
        Lesson.class_id,
        Lesson.weekday,
        Lesson.period,
        Lesson.subject_id,
        Lesson.teacher_id,
        Lesson.valid_from,
        Lesson.valid_to,
    ).where(Lesson.school_id == school_id)
    timetable = [
        TimetableLesson(
            lesson_id or 0,
            class_id,
            grades[class_id],
            weekday,
            period,
            subject_id,
            teacher_id,
            valid_from,
            valid_to,
        )
        for lesson_id, class_id, weekday, period, subject_id, teacher_id, valid_from, valid_to in (
            await session.exec(lessons)
        ).all()
        if class_id in grades
    ]
    rows = (await session.exec(select(BellPeriod).where(BellPeriod.school_id == school_id))).all()
    bells = {row.period: (row.starts_at, row.ends_at) for row in rows}
    calendar = SchoolCalendar(await _calendar_data(session, school_id))
    stored = (await session.exec(select(Policy).where(Policy.school_id == school_id))).all()
    policies = PolicySet({row.key: row.value for row in stored})
    swaps = tuple(
        shared(LessonSwap, row._mapping)
        for row in (await session.exec(_APPROVED_SWAPS, params={"school_id": school_id})).all()
    )
    return SchoolStatic(calendar, timetable, bells, policies, classes, subjects, swaps)


async def _calendar_data(session: AsyncSession, school_id: int) -> CalendarData:
    rows = (
        await session.exec(
            select(CalendarEntry)
            .where(CalendarEntry.school_id == school_id)
            .order_by(col(CalendarEntry.start_date))
        )
    ).all()
    data = CalendarData()
    for row in rows:
        span = Span(row.start_date, row.end_date, row.note)
        if row.kind == "term":
            data.terms.append(span)
        elif row.kind == "closed":
            data.closures.append(span)
        elif row.kind == "makeup":
            data.makeups[row.start_date] = row.weekday
            data.makeup_notes[row.start_date] = row.note
    return data
