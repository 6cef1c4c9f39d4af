"""SQLite statements go to aiosqlite's thread once each, with everything SQLAlchemy reads back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from storage.db import create_engine, session_factory
from storage.migrate import upgrade_async
from storage.models import School

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path}/calls.db"
    await upgrade_async(url)
    engine = create_engine(url)
    yield engine
    await engine.dispose()


def school_rows(count: int) -> list[dict[str, object]]:
    return [
        {
            "name": f"第{i}小学",
            "timezone": "Asia/Shanghai",
            "schedule_version": 0,
            "created_at": NOW,
        }
        for i in range(1, count + 1)
    ]


async def test_a_statement_is_one_trip_to_the_thread(
    sqlite_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with session_factory(sqlite_engine)() as s:
        await s.exec(select(School))  # the connection is opened and set up before counting
        trips = 0
        original = aiosqlite.Connection._execute

        async def counted(self: aiosqlite.Connection, fn: object, *args: object) -> object:
            nonlocal trips
            trips += 1
            return await original(self, fn, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        await s.exec(select(School).where(School.name == "无"))
        assert trips == 1


async def test_rows_counts_and_new_ids_come_back(sqlite_engine: AsyncEngine) -> None:
    sessions = session_factory(sqlite_engine)
    async with sessions() as s, s.begin():
        await s.exec(insert(School), params=school_rows(3))  # executemany
        school = School(name="孟河小学", timezone="Asia/Shanghai", created_at=NOW)
        s.add(school)
        await s.flush()
        assert school.id == 4
        changed = await s.exec(update(School).where(col(School.id) <= 2).values(schedule_version=5))
        assert changed.rowcount == 2
    async with sessions() as s:
        names = (await s.exec(select(School.name).order_by(col(School.id)))).all()
        versions = (await s.exec(select(School.schedule_version))).all()
    assert names == ["第1小学", "第2小学", "第3小学", "孟河小学"]
    assert sorted(versions) == [0, 0, 5, 5]


async def test_a_failed_statement_raises_and_the_transaction_rolls_back(
    sqlite_engine: AsyncEngine,
) -> None:
    sessions = session_factory(sqlite_engine)
    with pytest.raises(IntegrityError):
        async with sessions() as s, s.begin():
            await s.exec(insert(School), params=school_rows(1))
            await s.exec(text("INSERT INTO schools (id, name) VALUES (1, '重复')"))
    async with sessions() as s:
        assert (await s.exec(select(School))).all() == []
        # The connection is still good for the next action.
        assert (await s.exec(text("SELECT 1"))).all() == [(1,)]
