"""A school's slow-changing data (calendar, timetable, bells, its classes' grades and names, its
subjects' names, its policies), kept between actions.

Nearly every action reads them, and they change only through imports, /calendar and settings,
which all bump the school's `schedule_version` (so do an import that creates a class or a subject,
storage/import_classes.py, and every policy stored, storage/policies.py). Entries are keyed by
that version as read in the action's own session, so a change committed by another process
(`staffroom import ...`) is seen at the next action. A session that wrote any of these tables
reads them fresh and never stores what it read: its writes may still roll back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from functools import cached_property

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.calendar import CalendarData, SchoolCalendar, Span
from rules.cover import TimetableLesson
from rules.policies import PolicySet
from storage.kept import KeptByVersion
from storage.models import BellPeriod, CalendarEntry, Lesson, Policy, School, SchoolClass, Subject
from storage.session_memo import flush_pending, held_row, tables_of, wrote

# The tables behind the cached data, and schools: a School update may be the version bump of a
# change this session made.
WATCHED = tables_of(BellPeriod, CalendarEntry, Lesson, Policy, SchoolClass, Subject, School)


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
    grades: dict[int, int]  # class id → grade
    class_names: dict[int, str]
    subject_names: dict[int, str]
    policies: PolicySet

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


async def school_static(*, session: AsyncSession, school_id: int) -> SchoolStatic:
    await flush_pending(session)
    school = await held_row(session, School, school_id)
    if school is None or wrote(session, WATCHED):
        return await _load(session, school_id)
    found = _kept.get(session, school_id, school.schedule_version)
    if found is not None:
        return found
    version = school.schedule_version
    static = await _load(session, school_id)
    if not wrote(session, WATCHED):
        _kept.keep(session, school_id, version, static)
    return static


async def _load(session: AsyncSession, school_id: int) -> SchoolStatic:
    classes = select(SchoolClass.id, SchoolClass.grade, SchoolClass.name).where(
        SchoolClass.school_id == school_id
    )
    class_rows = (await session.exec(classes)).all()
    grades = {class_id or 0: grade for class_id, grade, _ in class_rows}
    class_names = {class_id or 0: name for class_id, _, name in class_rows}
    subjects = select(Subject.id, Subject.name).where(Subject.school_id == school_id)
    subject_names = {
        subject_id or 0: name for subject_id, name in (await session.exec(subjects)).all()
    }
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
    return SchoolStatic(calendar, timetable, bells, grades, class_names, subject_names, policies)


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
