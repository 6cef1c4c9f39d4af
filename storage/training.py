"""The training-hours ledger: check-ins at events and self-reports the academic office decides."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.states import TrainingStatus
from rules.training import TrainingYear
from storage.models import Event, Staff, TrainingEntry

CHECKIN = "checkin"
SELF = "self"


async def checkin_of(
    *, session: AsyncSession, event_id: int, day: date, staff_id: int
) -> TrainingEntry | None:
    query = select(TrainingEntry).where(
        TrainingEntry.event_id == event_id,
        TrainingEntry.event_day == day,
        TrainingEntry.staff_id == staff_id,
    )
    return (await session.exec(query)).first()


async def check_in(
    *, session: AsyncSession, event: Event, day: date, staff_id: int, now: datetime
) -> TrainingEntry | None:
    """Records the check-in and credits the event's hours; None when already checked in.

    The unique constraint settles two presses at once: the second insert fails.
    """
    entry = TrainingEntry(
        school_id=event.school_id,
        staff_id=staff_id,
        day=day,
        hours_tenths=event.hours_tenths,
        category=event.category,
        title=event.title,
        source=CHECKIN,
        event_id=event.id,
        event_day=day,
        status=TrainingStatus.APPROVED,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(entry)
            await session.flush()
    except IntegrityError:
        return None
    return entry


async def attendance(
    *, session: AsyncSession, event_id: int, day: date
) -> list[tuple[TrainingEntry, Staff]]:
    query = (
        select(TrainingEntry, Staff)
        .join(Staff, col(Staff.id) == col(TrainingEntry.staff_id))
        .where(TrainingEntry.event_id == event_id, TrainingEntry.event_day == day)
        .order_by(col(TrainingEntry.created_at), col(TrainingEntry.id))
    )
    return list((await session.exec(query)).all())


async def report_hours(
    *,
    session: AsyncSession,
    school_id: int,
    staff_id: int,
    day: date,
    tenths: int,
    title: str,
    category: str,
    note: str,
    now: datetime,
) -> TrainingEntry:
    entry = TrainingEntry(
        school_id=school_id,
        staff_id=staff_id,
        day=day,
        hours_tenths=tenths,
        category=category,
        title=title,
        note=note,
        source=SELF,
        status=TrainingStatus.PENDING,
        created_at=now,
    )
    session.add(entry)
    await session.flush()
    return entry


async def decide(
    *,
    session: AsyncSession,
    entry_id: int,
    approve: bool,
    by_staff_id: int | None,
    now: datetime,
    reason: str = "",
) -> bool:
    """Approves or returns a pending self-report; False when someone decided first."""
    result = await session.exec(
        update(TrainingEntry)
        .where(
            col(TrainingEntry.id) == entry_id, col(TrainingEntry.status) == TrainingStatus.PENDING
        )
        .values(
            status=TrainingStatus.APPROVED if approve else TrainingStatus.RETURNED,
            decided_at=now,
            decided_by=by_staff_id,
            reason=reason,
        )
    )
    return result.rowcount == 1


async def entries_of(
    *, session: AsyncSession, staff_id: int, year: TrainingYear
) -> list[TrainingEntry]:
    """A person's entries in the training year, oldest first."""
    query = (
        select(TrainingEntry)
        .where(
            TrainingEntry.staff_id == staff_id,
            col(TrainingEntry.day) >= year.start,
            col(TrainingEntry.day) <= year.end,
        )
        .order_by(col(TrainingEntry.day), col(TrainingEntry.id))
    )
    return list((await session.exec(query)).all())


async def approved_totals(
    *, session: AsyncSession, school_id: int, year: TrainingYear
) -> dict[int, int]:
    """Approved hours (tenths) per staff id in the training year."""
    query = (
        select(TrainingEntry.staff_id, func.sum(TrainingEntry.hours_tenths))
        .where(
            TrainingEntry.school_id == school_id,
            TrainingEntry.status == TrainingStatus.APPROVED,
            col(TrainingEntry.day) >= year.start,
            col(TrainingEntry.day) <= year.end,
        )
        .group_by(col(TrainingEntry.staff_id))
    )
    totals: dict[int, int] = defaultdict(int)
    for staff_id, tenths in (await session.exec(query)).all():
        totals[staff_id] = int(tenths or 0)
    return totals
