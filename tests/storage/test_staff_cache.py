"""A school's staff list is kept between actions, never staler than the database: every change,
by the bot, another process or plain SQL, is seen by the next action; an action's own change only
by itself until it commits; and a kept row cannot be changed by mistake."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.kept import DEFAULT_SCHOOLS, keep_schools
from storage.models import School, Staff
from storage.shared_rows import SharedRowChanged
from storage.staff import all_school_staff, school_staff
from tests.schools import factories


async def seed(
    sessions: async_sessionmaker[AsyncSession], now: datetime, name: str = "孟河小学"
) -> int:
    async with sessions() as s, s.begin():
        school = await factories.school(s, now, name)
        await factories.staff(s, school, "周雅琴", telegram_id=101)
        await factories.staff(s, school, "许志强")
        return school.id or 0


async def names(sessions: async_sessionmaker[AsyncSession], school_id: int) -> list[str]:
    async with sessions() as s, s.begin():
        return [p.name for p in await school_staff(session=s, school_id=school_id)]


async def version(sessions: async_sessionmaker[AsyncSession], school_id: int) -> int:
    async with sessions() as s:
        school = await s.get(School, school_id)
        assert school is not None
        return school.staff_version


async def test_every_change_to_the_staff_counts_up_the_schools_version(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    school_id = await seed(sessions, now)
    seen = [await version(sessions, school_id)]
    async with sessions() as s, s.begin():
        school = await s.get(School, school_id)
        await factories.staff(s, school, "王丽")
    seen.append(await version(sessions, school_id))
    async with sessions() as s, s.begin():
        await (await s.connection()).execute(
            text("UPDATE staff SET language = 'en' WHERE name = '王丽'")
        )
    seen.append(await version(sessions, school_id))
    async with sessions() as s, s.begin():
        await (await s.connection()).execute(text("DELETE FROM staff WHERE name = '王丽'"))
    seen.append(await version(sessions, school_id))
    assert seen == sorted(set(seen))  # each change counted up, none missed


async def test_a_change_committed_elsewhere_is_seen_by_the_next_action(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    school_id = await seed(sessions, now)
    assert await names(sessions, school_id) == ["周雅琴", "许志强"]  # now kept
    # Another process (an import from the command line) renames and adds someone, in SQL.
    async with sessions() as s, s.begin():
        await (await s.connection()).execute(
            text("UPDATE staff SET name = '周雅琴老师' WHERE name = '周雅琴'")
        )
        await (await s.connection()).execute(
            text("UPDATE staff SET active = :off WHERE name = '许志强'"), {"off": False}
        )
    assert await names(sessions, school_id) == ["周雅琴老师"]


async def test_an_actions_own_change_is_its_own_until_it_commits(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    school_id = await seed(sessions, now)
    assert await names(sessions, school_id) == ["周雅琴", "许志强"]
    s = sessions()
    try:
        await s.begin()
        school = await s.get(School, school_id)
        await factories.staff(s, school, "王丽")
        own = [p.name for p in await school_staff(session=s, school_id=school_id)]
        assert own == ["周雅琴", "许志强", "王丽"]
        if s.sync_session.get_bind().dialect.name == "postgresql":
            # Another action meanwhile sees the list as committed (on SQLite the one
            # connection waits for this transaction instead).
            assert await names(sessions, school_id) == ["周雅琴", "许志强"]
        await s.rollback()
    finally:
        await s.close()
    assert await names(sessions, school_id) == ["周雅琴", "许志强"]


async def test_a_kept_row_cannot_be_changed_in_passing(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    school_id = await seed(sessions, now)
    await names(sessions, school_id)
    async with sessions() as s:
        kept = (await all_school_staff(session=s, school_id=school_id))[0]
        with pytest.raises(SharedRowChanged):
            kept.telegram_id = 202
        # Read for itself, the same person can be changed as before.
        own = await s.get(Staff, kept.id)
        assert own is not None
        own.telegram_id = 202
        s.add(own)
        await s.commit()
    async with sessions() as s:
        ids = [p.telegram_id for p in await all_school_staff(session=s, school_id=school_id)]
    assert ids == [202, None]


async def test_schools_past_the_number_kept_are_read_again(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    # SCHOOLS_KEPT: a district beyond it reads a school's list again at its next action.
    first, second = await seed(sessions, now), await seed(sessions, now, "湖塘小学")

    async def rows(school_id: int) -> list[Staff]:
        async with sessions() as s, s.begin():
            return await school_staff(session=s, school_id=school_id)

    try:
        keep_schools(1)
        kept = await rows(first)
        await rows(second)
        again = await rows(first)
        assert [p.name for p in again] == [p.name for p in kept]
        assert not any(a is b for a, b in zip(kept, again, strict=True))
        keep_schools(2)
        await rows(second)
        assert all(a is b for a, b in zip(again, await rows(first), strict=True))
    finally:
        keep_schools(DEFAULT_SCHOOLS)
