"""The school calendar table, read as the pure rules want it."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.calendar import CalendarData, SchoolCalendar, Span
from storage.models import CalendarEntry


async def calendar_data(*, session: AsyncSession, school_id: int) -> CalendarData:
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


async def school_calendar(*, session: AsyncSession, school_id: int) -> SchoolCalendar:
    return SchoolCalendar(await calendar_data(session=session, school_id=school_id))
