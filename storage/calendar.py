"""The school calendar as the pure rules want it."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from rules.calendar import SchoolCalendar
from storage.school_static import school_static


async def school_calendar(*, session: AsyncSession, school_id: int) -> SchoolCalendar:
    """Read once per schedule version (see storage.school_static)."""
    return (await school_static(session=session, school_id=school_id)).calendar
