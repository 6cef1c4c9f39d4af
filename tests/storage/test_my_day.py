"""When each person gets their day: the preference row, and the people grouped by time."""

from __future__ import annotations

from datetime import datetime, time

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.my_day import Preference, preference, recipients_by_time, set_preference
from tests.schools import factories


async def test_a_first_choice_adds_the_row_and_later_ones_change_it(
    session: AsyncSession, now: datetime
) -> None:
    school = await factories.school(session, now)
    xu = await factories.staff(session, school, "许志强", telegram_id=2**40)
    assert await preference(session=session, staff_id=xu.id or 0) == Preference(time(7), False)

    await set_preference(session=session, staff=xu, now=now, off=True)
    await set_preference(session=session, staff=xu, now=now, send_at=time(6, 30))
    await session.commit()

    assert await preference(session=session, staff_id=xu.id or 0) == Preference(time(6, 30), True)


async def test_people_grouped_by_their_time_without_those_off_or_unlinked(
    session: AsyncSession, now: datetime
) -> None:
    school = await factories.school(session, now)
    other = await factories.school(session, now, "焦溪小学")
    await factories.staff(session, school, "许志强", telegram_id=1)
    cao = await factories.staff(session, school, "曹明", telegram_id=2)
    lin = await factories.staff(session, school, "林秀英", telegram_id=3)
    await factories.staff(session, school, "郭春燕")  # never linked
    await factories.staff(session, other, "许志强", telegram_id=1)
    await set_preference(session=session, staff=cao, now=now, send_at=time(7, 30))
    await set_preference(session=session, staff=lin, now=now, off=True)
    await session.commit()

    found = await recipients_by_time(session=session, school_id=school.id or 0)

    assert {at: [p.name for p in people] for at, people in found.items()} == {
        time(7): ["许志强"],
        time(7, 30): ["曹明"],
    }
