"""One request, one row: the same request sent twice at once, through two bot processes.

Each "process" is an application with its own engine on the same database. The first to read
what already exists is held between its check and its insert until the second has read too (the
race that gave two rows on PostgreSQL), or until the second is seen waiting behind the first
(the lock that prevents it). SQLite serialises writers at BEGIN IMMEDIATE, so there the second
simply waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from bot.config import Settings
from storage.db import session_factory
from storage.models import LeaveRequest, Registration
from tests.conftest import engine_for
from tests.handlers.conftest import SYSADMIN_ID
from tests.harness import BotHarness
from tests.schools import factories
from tests.schools.leave import LEADER, TEACHER, seed

# Races between two processes: row locks behave differently on each database.
pytestmark = pytest.mark.both_databases

WAIT_SECONDS = 10


@pytest.fixture
async def second(db_url: str, engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[BotHarness]:
    """A second bot process on the same database."""
    other = engine_for(db_url)
    settings = Settings(bootstrap_admin_ids=frozenset({SYSADMIN_ID}))
    try:
        async with BotHarness(settings, other, clock) as bot:
            yield bot
    finally:
        await other.dispose()


async def _blocked_behind(engine: AsyncEngine, pid: int) -> bool:
    async with engine.connect() as conn:
        waiting = await conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
            {"pid": pid},
        )
        return bool(waiting.scalar())


async def _read_or_blocked(second_read: asyncio.Event, engine: AsyncEngine, pid: int) -> None:
    """Returns once the second caller has read, or is seen waiting for the first's lock."""
    async with asyncio.timeout(WAIT_SECONDS):
        while True:
            try:
                await asyncio.wait_for(second_read.wait(), timeout=0.01)
                return
            except TimeoutError:
                if await _blocked_behind(engine, pid):
                    return


def interleaved(
    real: Callable[..., Awaitable[Any]], engine: AsyncEngine, backend: str
) -> Callable[..., Awaitable[Any]]:
    """`real` (a read before an insert), with its first caller held as described above."""
    calls = 0
    second_read = asyncio.Event()

    async def gated(*args: Any, session: Any, **kwargs: Any) -> Any:
        nonlocal calls
        found = await real(*args, session=session, **kwargs)
        calls += 1
        if calls == 2:
            second_read.set()
        elif calls == 1 and backend == "postgresql":
            conn = await session.connection()
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar()
            await _read_or_blocked(second_read, engine, pid)
        return found

    return gated


async def test_two_processes_submitting_the_same_leave_store_one_request(
    harness: BotHarness,
    second: BotHarness,
    engine: AsyncEngine,
    clock: ManualClock,
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import handlers.leave.request as leave_request

    await seed(engine, clock.now())
    monkeypatch.setattr(
        leave_request, "leaves_meeting", interleaved(leave_request.leaves_meeting, engine, backend)
    )
    line = "/leave 病假 明天 上午 发烧"

    first, other = await asyncio.gather(
        harness.send(harness.user(TEACHER), line), second.send(second.user(TEACHER), line)
    )

    async with session_factory(engine)() as s:
        stored = (await s.exec(select(LeaveRequest))).all()
    assert len(stored) == 1
    answers = [m.plain for m in first + other if m.chat_id == TEACHER]
    assert sum("请假申请已提交" in a for a in answers) == 1
    assert sum("已有请假" in a for a in answers) == 1
    asked = [m for bot in (harness, second) for m in bot.in_chat(LEADER)]
    assert len(asked) == 1


async def test_two_processes_registering_the_same_account_store_one_request(
    harness: BotHarness,
    second: BotHarness,
    engine: AsyncEngine,
    clock: ManualClock,
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import handlers.school.linking as linking

    newcomer, admin = 7_200_000_001, 7_200_000_002
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, clock.now())
        await factories.staff(s, school, "王晴晴")
        await factories.staff(s, school, "张思月", roles="teacher,admin", telegram_id=admin)
    monkeypatch.setattr(
        linking,
        "pending_registration",
        interleaved(linking.pending_registration, engine, backend),
    )

    await asyncio.gather(
        harness.send(harness.user(newcomer), "/register 王晴晴"),
        second.send(second.user(newcomer), "/register 王晴晴"),
    )

    async with session_factory(engine)() as s:
        assert len((await s.exec(select(Registration))).all()) == 1
    asked = [m for bot in (harness, second) for m in bot.in_chat(admin)]
    assert len(asked) == 1
