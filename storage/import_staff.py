"""Writing an imported roster: people matched by name within the school, created or updated."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.classnames import ClassRef
from rules.import_errors import ImportFailed, RowError
from rules.import_staff import StaffRecord, StaffState, encoded, plan_staff
from rules.importing import Counts, Notice, PartialRow
from rules.tabular import Sheet
from storage.import_classes import ensure_classes
from storage.models import SchoolClass, Staff


async def _stored(*, session: AsyncSession, school_id: int) -> dict[str, tuple[Staff, StaffState]]:
    """Every staff record of the school by name, inactive ones too: the name stays taken."""
    staff = (
        await session.exec(
            select(Staff).where(Staff.school_id == school_id).order_by(col(Staff.id))
        )
    ).all()
    classes = (
        await session.exec(select(SchoolClass).where(SchoolClass.school_id == school_id))
    ).all()
    refs = {c.id: ClassRef(c.grade, c.number) for c in classes}
    return {
        s.name: (
            s,
            StaffState(
                name=s.name,
                roles=s.role_set,
                subjects=tuple(s.subject_list),
                grade=s.grade,
                head_of=refs.get(s.head_of_class_id) if s.head_of_class_id is not None else None,
                telegram_id=s.telegram_id,
                language=s.language,
                external=s.external,
            ),
        )
        for s in staff
    }


async def check_staff(
    *,
    session: AsyncSession,
    school_id: int,
    sheet: Sheet,
    records: list[StaffRecord],
    partial: Sequence[PartialRow] = (),
) -> list[RowError]:
    """Checks the merged roster; a rejected row (`partial`) has no roles or class to merge, so
    only the good rows take part."""
    stored = await _stored(session=session, school_id=school_id)
    return plan_staff(sheet, records, [state for _, state in stored.values()])[1]


async def write_staff(
    *, session: AsyncSession, school_id: int, sheet: Sheet, records: list[StaffRecord]
) -> Counts:
    stored = await _stored(session=session, school_id=school_id)
    plans, errors = plan_staff(sheet, records, [state for _, state in stored.values()])
    if errors:
        raise ImportFailed(errors)
    classes, new_classes = await ensure_classes(
        session=session, school_id=school_id, refs=[s.head_of for _, s in plans if s.head_of]
    )
    # An account moving from one person to another would hit the unique constraint halfway
    # through the flush, so every changing link is cleared first.
    moving = [
        stored[r.name][0]
        for r, state in plans
        if r.name in stored and stored[r.name][0].telegram_id not in (None, state.telegram_id)
    ]
    for moved in moving:
        moved.telegram_id = None
        session.add(moved)
    if moving:
        await session.flush()
    counts = Counts()
    for record, state in plans:
        values: dict[str, Any] = encoded(state) | {
            "head_of_class_id": classes[state.head_of].id if state.head_of else None,
            "active": True,
        }
        row = stored[record.name][0] if record.name in stored else None
        if row is None:
            session.add(Staff(school_id=school_id, name=record.name, **values))
            counts.created += 1
            continue
        before = stored[record.name][1]
        if before != state or not row.active or row.telegram_id != state.telegram_id:
            for field, value in values.items():
                setattr(row, field, value)
            session.add(row)
            counts.updated += 1
        else:
            counts.unchanged += 1
    await session.flush()
    if new_classes:
        counts.notices.append(Notice("import.note.new_classes", {"names": new_classes}))
    return counts
