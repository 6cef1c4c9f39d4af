"""Storing a policy value: a new value moves the school's version, the same one writes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Policy, School
from storage.policies import set_policy
from tests.schools import factories


async def store(
    sessions: async_sessionmaker[AsyncSession], school_id: int, value: str, now: datetime
) -> tuple[str, str]:
    async with sessions() as s, s.begin():
        return await set_policy(
            session=s, school_id=school_id, key="cover.slip_today", raw_value=value, by=7, now=now
        )


async def state(
    sessions: async_sessionmaker[AsyncSession], school_id: int
) -> tuple[int, list[str]]:
    async with sessions() as s:
        school = await s.get(School, school_id)
        assert school is not None
        rows = (await s.exec(select(Policy).where(Policy.school_id == school_id))).all()
        return school.schedule_version, [row.value for row in rows]


async def test_the_same_value_writes_nothing_and_a_new_one_is_stored(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    async with sessions() as s, s.begin():
        school_id = (await factories.school(s, now)).id or 0
    before, _ = await state(sessions, school_id)

    assert await store(sessions, school_id, "07:20", now) == ("07:20", "07:20")  # the default
    assert await state(sessions, school_id) == (before, [])
    assert await store(sessions, school_id, "7:30", now) == ("07:20", "07:30")
    assert await state(sessions, school_id) == (before + 1, ["07:30"])
    assert await store(sessions, school_id, "07:30", now) == ("07:30", "07:30")
    assert await state(sessions, school_id) == (before + 1, ["07:30"])
