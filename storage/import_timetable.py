"""Writing an imported timetable: the listed classes get exactly the lessons of the file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.classnames import ClassRef
from rules.import_errors import ImportFailed, RowError
from rules.import_timetable import BookedLesson, LessonRecord, busy_elsewhere, unknown_teachers
from rules.importing import Counts, Notice, PartialRow
from rules.tabular import Sheet
from storage.import_classes import ensure_classes, ensure_subjects
from storage.models import BellPeriod, Lesson, SchoolClass, Staff
from storage.staff import school_staff
from storage.types import stored_id

LessonKey = tuple[int, int, int, date | None]


async def _kept_lessons(
    *, session: AsyncSession, school_id: int, listed: Iterable[ClassRef]
) -> list[BookedLesson]:
    """The stored lessons of the classes the file does not list: they stay as they are."""
    query = (
        select(Lesson, SchoolClass, Staff)
        .join(SchoolClass, col(SchoolClass.id) == col(Lesson.class_id))
        .join(Staff, col(Staff.id) == col(Lesson.teacher_id))
        .where(Lesson.school_id == school_id)
    )
    skip = set(listed)
    return [
        BookedLesson(
            staff.name,
            klass.name,
            lesson.weekday,
            lesson.period,
            lesson.valid_from,
            lesson.valid_to,
        )
        for lesson, klass, staff in (await session.exec(query)).all()
        if ClassRef(klass.grade, klass.number) not in skip
    ]


async def check_timetable(
    *,
    session: AsyncSession,
    school_id: int,
    sheet: Sheet,
    records: list[LessonRecord],
    partial: Sequence[PartialRow] = (),
) -> list[RowError]:
    names = {s.name for s in await school_staff(session=session, school_id=school_id)}
    errors = unknown_teachers(sheet, records, names, partial)
    kept = await _kept_lessons(
        session=session, school_id=school_id, listed=[r.class_ref for r in records]
    )
    return errors + busy_elsewhere(sheet, [r for r in records if r.teacher in names], kept)


async def write_timetable(
    *, session: AsyncSession, school_id: int, sheet: Sheet, records: list[LessonRecord]
) -> Counts:
    teachers = {s.name: s for s in await school_staff(session=session, school_id=school_id)}
    if any(r.teacher not in teachers for r in records):
        raise ImportFailed(unknown_teachers(sheet, records, teachers))
    classes, new_classes = await ensure_classes(
        session=session, school_id=school_id, refs=[r.class_ref for r in records]
    )
    subjects, new_subjects = await ensure_subjects(
        session=session, school_id=school_id, names=[r.subject for r in records]
    )
    listed = {classes[r.class_ref].id for r in records}
    stored = (
        await session.exec(
            select(Lesson)
            .where(Lesson.school_id == school_id, col(Lesson.class_id).in_(listed))
            .order_by(col(Lesson.id))
        )
    ).all()
    by_key: dict[LessonKey, Lesson] = {}
    surplus: list[Lesson] = []  # older duplicates of one slot; the file says there is one
    for kept in stored:
        key = (kept.class_id, kept.weekday, kept.period, kept.valid_from)
        if key in by_key:
            surplus.append(kept)
        else:
            by_key[key] = kept
    counts = Counts()
    for record in records:
        class_id = stored_id(classes[record.class_ref])
        values: dict[str, Any] = {
            "subject_id": subjects[record.subject].id,
            "teacher_id": teachers[record.teacher].id,
            "valid_to": record.valid_to,
        }
        lesson = by_key.pop((class_id, record.weekday, record.period, record.valid_from), None)
        if lesson is None:
            session.add(
                Lesson(
                    school_id=school_id,
                    class_id=class_id,
                    weekday=record.weekday,
                    period=record.period,
                    valid_from=record.valid_from,
                    **values,
                )
            )
            counts.created += 1
        elif any(getattr(lesson, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(lesson, field, value)
            session.add(lesson)
            counts.updated += 1
        else:
            counts.unchanged += 1
    for lesson in [*by_key.values(), *surplus]:
        await session.delete(lesson)
        counts.removed += 1
    await session.flush()
    counts.notices += await _notices(session, school_id, records, new_classes, new_subjects)
    return counts


async def _notices(
    session: AsyncSession,
    school_id: int,
    records: list[LessonRecord],
    new_classes: list[str],
    new_subjects: list[str],
) -> list[Notice]:
    notices = []
    if new_classes:
        notices.append(Notice("import.note.new_classes", {"names": new_classes}))
    if new_subjects:
        notices.append(Notice("import.note.new_subjects", {"names": new_subjects}))
    rung = set(
        (
            await session.exec(select(BellPeriod.period).where(BellPeriod.school_id == school_id))
        ).all()
    )
    # Lessons without bell times cannot be announced or covered on time; say so now.
    unrung = sorted({r.period for r in records} - rung)
    if unrung:
        notices.append(Notice("import.note.periods_without_bells", {"periods": unrung}))
    return notices
