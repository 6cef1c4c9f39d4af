"""Changing the school calendar from chat: terms, closures and make-up working days.

Entries are known by kind and first day, as in the calendar import, so typing the same entry
again corrects it instead of adding a second one.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.import_calendar import CLOSED, MAKEUP, TERM
from storage.models import CalendarEntry


class TermOverlap(Exception):
    def __init__(self, other: CalendarEntry) -> None:
        super().__init__(f"overlaps the term from {other.start_date}")
        self.other = other


async def _entry(
    session: AsyncSession, school_id: int, kind: str, start: date
) -> CalendarEntry | None:
    query = select(CalendarEntry).where(
        CalendarEntry.school_id == school_id,
        CalendarEntry.kind == kind,
        CalendarEntry.start_date == start,
    )
    return (await session.exec(query)).first()


async def _upsert(
    session: AsyncSession,
    school_id: int,
    kind: str,
    start: date,
    end: date,
    weekday: int | None,
    note: str,
) -> tuple[CalendarEntry, bool]:
    entry = await _entry(session, school_id, kind, start)
    created = entry is None
    if entry is None:
        entry = CalendarEntry(school_id=school_id, kind=kind, start_date=start, end_date=end)
    entry.end_date, entry.weekday, entry.note = end, weekday, note
    session.add(entry)
    await session.flush()
    return entry, created


async def set_term(
    *, session: AsyncSession, school_id: int, start: date, end: date
) -> tuple[CalendarEntry, bool]:
    """Adds a term, or moves the end of the term starting that day; raises TermOverlap."""
    query = select(CalendarEntry).where(
        CalendarEntry.school_id == school_id,
        CalendarEntry.kind == TERM,
        col(CalendarEntry.start_date) != start,
        col(CalendarEntry.start_date) <= end,
        col(CalendarEntry.end_date) >= start,
    )
    other = (await session.exec(query)).first()
    if other is not None:
        raise TermOverlap(other)
    return await _upsert(session, school_id, TERM, start, end, None, "")


async def set_closure(
    *, session: AsyncSession, school_id: int, start: date, end: date, note: str
) -> tuple[CalendarEntry, bool]:
    return await _upsert(session, school_id, CLOSED, start, end, None, note)


async def set_makeup(
    *, session: AsyncSession, school_id: int, day: date, weekday: int | None
) -> tuple[CalendarEntry, bool]:
    entry = await _entry(session, school_id, MAKEUP, day)
    note = entry.note if entry is not None else ""
    return await _upsert(session, school_id, MAKEUP, day, day, weekday, note)


async def remove_entries(
    *, session: AsyncSession, school_id: int, start: date
) -> list[CalendarEntry]:
    """Removes every entry that starts on that day; returns what was removed."""
    query = select(CalendarEntry).where(
        CalendarEntry.school_id == school_id, CalendarEntry.start_date == start
    )
    removed = list((await session.exec(query)).all())
    for entry in removed:
        await session.delete(entry)
    await session.flush()
    return removed


async def calendar_entries(*, session: AsyncSession, school_id: int) -> list[CalendarEntry]:
    query = (
        select(CalendarEntry)
        .where(CalendarEntry.school_id == school_id)
        .order_by(col(CalendarEntry.start_date), col(CalendarEntry.id))
    )
    return list((await session.exec(query)).all())
