"""Small factories for records the tests need."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel.ext.asyncio.session import AsyncSession

from rules.classnames import display_name
from storage.models import BellPeriod, CalendarEntry, Lesson, School, SchoolClass, Staff, Subject
from storage.schools import create_school


async def school(session: AsyncSession, now: datetime, name: str = "孟河小学") -> School:
    return await create_school(session=session, name=name, timezone="Asia/Shanghai", now=now)


async def staff(
    session: AsyncSession,
    school: School,
    name: str,
    *,
    roles: str = "teacher",
    telegram_id: int | None = None,
    subjects: str = "",
    grade: int | None = None,
    head_of: SchoolClass | None = None,
) -> Staff:
    row = Staff(
        school_id=school.id,
        name=name,
        roles=roles,
        subjects=subjects,
        grade=grade,
        telegram_id=telegram_id,
        head_of_class_id=head_of.id if head_of else None,
    )
    session.add(row)
    await session.flush()
    return row


async def school_class(
    session: AsyncSession, school: School, grade: int, number: int
) -> SchoolClass:
    row = SchoolClass(
        school_id=school.id, grade=grade, number=number, name=display_name(grade, number)
    )
    session.add(row)
    await session.flush()
    return row


async def subject(session: AsyncSession, school: School, name: str) -> Subject:
    row = Subject(school_id=school.id, name=name)
    session.add(row)
    await session.flush()
    return row


async def lesson(
    session: AsyncSession,
    school: School,
    klass: SchoolClass,
    weekday: int,
    period: int,
    subject_row: Subject,
    teacher: Staff,
) -> Lesson:
    row = Lesson(
        school_id=school.id,
        class_id=klass.id,
        weekday=weekday,
        period=period,
        subject_id=subject_row.id,
        teacher_id=teacher.id,
    )
    session.add(row)
    await session.flush()
    return row


async def bells(session: AsyncSession, school: School, times: list[tuple[str, str]]) -> None:
    for period, (start, end) in enumerate(times, start=1):
        session.add(
            BellPeriod(
                school_id=school.id,
                period=period,
                starts_at=time.fromisoformat(start),
                ends_at=time.fromisoformat(end),
            )
        )
    await session.flush()


async def term(session: AsyncSession, school: School, start: date, end: date) -> None:
    session.add(CalendarEntry(school_id=school.id, kind="term", start_date=start, end_date=end))
    await session.flush()
