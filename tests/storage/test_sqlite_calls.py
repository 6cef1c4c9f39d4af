"""SQLite statements run on the loop, a lock held elsewhere is waited for on the thread, and
SQLAlchemy reads back everything it needs."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from storage.db import SQLITE_BUSY_TIMEOUT_MS, create_engine, session_factory
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


class Trips:
    """Counts the calls sent to aiosqlite's thread; `sent` is set at the first one."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.sent = asyncio.Event()
        original = aiosqlite.Connection._execute

        async def counted(connection: aiosqlite.Connection, fn: object, *args: object) -> object:
            self.count += 1
            self.sent.set()
            return await original(connection, fn, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)


async def test_an_action_on_an_open_connection_goes_to_no_thread(
    sqlite_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions = session_factory(sqlite_engine)
    async with sessions() as s:
        await s.exec(select(School))  # the connection is opened and set up before counting
    trips = Trips(monkeypatch)
    async with sessions() as s, s.begin():
        s.add(School(name="孟河小学", timezone="Asia/Shanghai", created_at=NOW))
        await s.flush()
        assert (await s.exec(select(School.name))).all() == ["孟河小学"]
    assert trips.count == 0


async def test_a_write_lock_held_elsewhere_is_waited_for_off_the_loop(
    sqlite_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sessions = session_factory(sqlite_engine)
    async with sessions() as s:
        await s.exec(select(School))
    other = sqlite3.connect(tmp_path / "calls.db", isolation_level=None)  # another process
    other.execute("BEGIN IMMEDIATE")
    other.execute(
        "INSERT INTO schools (name, timezone, schedule_version, created_at) "
        "VALUES ('别处', 'Asia/Shanghai', 0, '2026-11-01 00:00:00')"
    )
    trips = Trips(monkeypatch)

    async def write() -> None:
        async with sessions() as s, s.begin():
            s.add(School(name="孟河小学", timezone="Asia/Shanghai", created_at=NOW))

    writing = asyncio.create_task(write())
    # The loop is free while the BEGIN waits on the thread: this coroutine runs and lets the
    # other process finish.
    async with asyncio.timeout(10):
        await trips.sent.wait()
    assert not writing.done()
    other.execute("COMMIT")
    await writing
    other.close()
    waited = trips.count
    async with sessions() as s:
        names = (await s.exec(select(School.name).order_by(col(School.id)))).all()
        (timeout,) = (await s.exec(text("PRAGMA busy_timeout"))).one()
    assert names == ["别处", "孟河小学"]
    assert waited == 1  # the BEGIN, once
    assert timeout == SQLITE_BUSY_TIMEOUT_MS


async def test_two_actions_at_once_queue_for_the_connection_and_both_count(
    sqlite_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions = session_factory(sqlite_engine)
    async with sessions() as s, s.begin():
        s.add(School(name="孟河小学", timezone="Asia/Shanghai", created_at=NOW))
    trips = Trips(monkeypatch)

    async def bump() -> None:
        async with sessions() as s, s.begin():
            school = (await s.exec(select(School))).one()
            await asyncio.sleep(0)  # the other action runs meanwhile, as far as it can
            school.schedule_version += 1

    await asyncio.gather(bump(), bump())
    async with sessions() as s:
        assert (await s.exec(select(School.schedule_version))).one() == 2
    assert trips.count == 0  # they queued on the pool, not on SQLite's lock


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
