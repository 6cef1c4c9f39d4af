"""Classes and subjects an import names, created the first time they appear."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.classnames import ClassRef
from storage.models import SchoolClass, Subject
from storage.schools import bump_schedule_version


async def ensure_classes(
    *, session: AsyncSession, school_id: int, refs: Iterable[ClassRef]
) -> tuple[dict[ClassRef, SchoolClass], list[str]]:
    """Every class of the school by (grade, number), and the names of those just created."""
    # Its own rows, not the shared ones: an import may go on to change them.
    query = select(SchoolClass).where(SchoolClass.school_id == school_id)
    classes = {ClassRef(c.grade, c.number): c for c in (await session.exec(query)).all()}
    created: list[str] = []
    for ref in sorted(set(refs) - set(classes)):
        classes[ref] = SchoolClass(
            school_id=school_id, grade=ref.grade, number=ref.number, name=ref.name
        )
        session.add(classes[ref])
        created.append(ref.name)
    if created:
        await session.flush()
        # The classes' names and grades are kept between actions under this version.
        await bump_schedule_version(session=session, school_id=school_id)
    return classes, created


async def ensure_subjects(
    *, session: AsyncSession, school_id: int, names: Iterable[str]
) -> tuple[dict[str, Subject], list[str]]:
    """Every subject of the school by name, and the names of those just created."""
    query = select(Subject).where(Subject.school_id == school_id).order_by(col(Subject.id))
    subjects = {s.name: s for s in (await session.exec(query)).all()}
    created: list[str] = []
    for name in dict.fromkeys(names):
        if name not in subjects:
            subjects[name] = Subject(school_id=school_id, name=name)
            session.add(subjects[name])
            created.append(name)
    if created:
        await session.flush()
        await bump_schedule_version(session=session, school_id=school_id)
    return subjects, created
