"""The demo school's own calendar file closes 元旦, as a school's would."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from demo.files import demo_files
from rules.calendar import DayKind
from storage.calendar import school_calendar
from storage.importer import import_table
from storage.schools import create_school


async def test_the_demo_calendar_closes_new_year_s_day(
    session: AsyncSession, now: datetime
) -> None:
    school = await create_school(
        session=session, name="青松路小学", timezone="Asia/Shanghai", now=now
    )
    filename, data = demo_files(date(2026, 12, 6))["calendar"]
    await import_table(
        session=session,
        school_id=school.id or 0,
        kind="calendar",
        data=data,
        filename=filename,
        now=now,
        actor_telegram_id=None,
    )
    calendar = await school_calendar(session=session, school_id=school.id or 0)
    new_year = calendar.status(date(2027, 1, 1))
    assert (new_year.kind, new_year.note) == (DayKind.CLOSED, "元旦")
    assert calendar.is_school_day(date(2027, 1, 4))
