"""Who a Telegram account is, read in one statement, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.staff import account, save_user_pref
from tests.schools import factories

BIG_ID = 2**40  # Telegram ids pass 32 bits


async def test_a_teacher_at_two_schools_comes_with_both_and_with_their_preferences(
    session: AsyncSession, now: datetime
) -> None:
    first = await factories.school(session, now, "孟河小学")
    second = await factories.school(session, now, "焦溪小学")
    await factories.staff(session, second, "周雅琴", telegram_id=BIG_ID)
    await factories.staff(session, first, "周雅琴", telegram_id=BIG_ID)
    await save_user_pref(session=session, telegram_id=BIG_ID, language="en", school_id=second.id)
    await session.commit()

    pairs, pref = await account(session=session, telegram_id=BIG_ID)

    assert [(staff.name, school.name) for staff, school in pairs] == [
        ("周雅琴", "孟河小学"),
        ("周雅琴", "焦溪小学"),
    ]
    assert pref is not None and pref.language == "en" and pref.school_id == second.id


async def test_a_teacher_without_preferences_and_a_stranger_with_some(
    session: AsyncSession, now: datetime
) -> None:
    school = await factories.school(session, now)
    await factories.staff(session, school, "许志强", telegram_id=BIG_ID)
    await save_user_pref(session=session, telegram_id=BIG_ID + 1, language="en")
    await session.commit()

    pairs, pref = await account(session=session, telegram_id=BIG_ID)
    assert [staff.name for staff, _ in pairs] == ["许志强"] and pref is None

    pairs, pref = await account(session=session, telegram_id=BIG_ID + 1)
    assert pairs == [] and pref is not None and pref.language == "en"

    assert await account(session=session, telegram_id=BIG_ID + 2) == ([], None)
