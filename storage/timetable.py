"""Reading the timetable: classes, subjects and lessons."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Lesson, SchoolClass
from storage.school_static import school_static


async def classes_taught(*, session: AsyncSession, staff_id: int) -> list[SchoolClass]:
    """The classes a teacher has at least one lesson with, in grade and class order."""
    query = (
        select(SchoolClass)
        .where(
            col(SchoolClass.id).in_(select(Lesson.class_id).where(Lesson.teacher_id == staff_id))
        )
        .order_by(col(SchoolClass.grade), col(SchoolClass.number))
    )
    return list((await session.exec(query)).all())


async def school_classes(*, session: AsyncSession, school_id: int) -> list[SchoolClass]:
    """The school's classes in grade and class order: shared rows, kept between actions with the
    school's other slow-changing data (storage/school_static.py), so read-only."""
    return list((await school_static(session=session, school_id=school_id)).classes)
