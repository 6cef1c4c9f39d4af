"""Reading the timetable: classes, subjects and lessons."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Lesson, SchoolClass


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


# Built once: every posting and wizard step reads the school's classes.
_SCHOOL_CLASSES = (
    select(SchoolClass)
    .where(col(SchoolClass.school_id) == bindparam("school_id"))
    .order_by(col(SchoolClass.grade), col(SchoolClass.number))
)


async def school_classes(*, session: AsyncSession, school_id: int) -> list[SchoolClass]:
    return list((await session.exec(_SCHOOL_CLASSES, params={"school_id": school_id})).all())
