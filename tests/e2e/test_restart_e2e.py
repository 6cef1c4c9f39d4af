"""kill -9 between the commit and the delivery, then a restart: every committed message arrives,
once.

The real bot (`python -m bot run`) and the simulator each run in a process of their own. The
simulator makes every chat's first delivery fail in its own way (a timeout, a 5xx again and
again, a 429 with a long retry_after, a blocked user, a group that became a supergroup), so the
bot holds committed messages it could not deliver when it is killed. A new start takes them
over once their lease ran out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from bench.botproc import BotProcess, bot_environment
from bench.demo_school import ADMIN_NAME, GROUP_ID, SCHOOL_NAME, SYSADMIN_ID, open_school
from bench.simproc import SimClient, simulator_process
from bench.tally import Row, read_outbox, tally, unfinished
from bot.clock import SystemClock
from simulator import supergroup_id_for
from storage.calendar import school_calendar
from storage.db import create_engine, session_factory
from storage.schools import school_by_name
from tests.conftest import SHANGHAI

pytestmark = pytest.mark.e2e

TEACHER = "吴晓梅"  # 一(2)班; her leave request goes to her grade leader
LEADER = "周雅琴"
WAITS = "许志强"  # told to wait 30 s (429)
BLOCKED = "雷琴华"  # has blocked the bot
OLD_GROUP = -4_200_000_001  # a basic group, about to become a supergroup
LEASE_SECONDS = 1.0
DEADLINE = 20.0


@pytest.fixture
async def sim() -> AsyncIterator[SimClient]:
    async with simulator_process() as client:
        yield client


async def until(what: str, check: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def next_school_day(database_url: str, today: date) -> date | None:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            school = await school_by_name(session=session, name=SCHOOL_NAME)
            assert school is not None
            calendar = await school_calendar(session=session, school_id=school.id or 0)
    finally:
        await engine.dispose()
    for ahead in range(1, 60):
        if calendar.is_school_day(today + timedelta(days=ahead)):
            return today + timedelta(days=ahead)
    return None  # the summer holiday: the request is refused, which is a message too


def rows_to(rows: list[Row], chat_id: int) -> list[Row]:
    return [row for row in rows if row.chat_id == chat_id and row.action == "send"]


async def test_messages_committed_before_a_kill_arrive_once_after_the_restart(
    sim: SimClient, db_url: str, tmp_path: Path
) -> None:
    now = SystemClock(SHANGHAI).now()
    school = await open_school(sim, db_url, now)
    teacher, leader, waits, blocked = (
        school.id_of(name) for name in (TEACHER, LEADER, WAITS, BLOCKED)
    )
    admin = school.id_of(ADMIN_NAME)
    await sim.group(OLD_GROUP, "三年级组", [admin, teacher], add_bot_by=admin, supergroup=False)
    new_group = supergroup_id_for(OLD_GROUP)
    day = await next_school_day(db_url, now.date())
    # Every chat's first delivery fails; the leader's keeps failing until the bot is killed,
    # and so does the supergroup the basic group becomes when the bot writes to it.
    await sim.fault("sendMessage", "timeout", chat_id=teacher, count=2)
    await sim.fault("sendMessage", "timeout", chat_id=GROUP_ID, count=2)
    await sim.fault("sendMessage", "500", chat_id=leader, count=1000)
    await sim.fault("sendMessage", "429", chat_id=waits, retry_after=30)
    await sim.fault("sendMessage", "blocked", chat_id=blocked)
    await sim.fault("sendMessage", "migrated", chat_id=OLD_GROUP)
    await sim.fault("sendMessage", "500", chat_id=new_group, count=1000)
    # Written before the bot starts: once it writes to the basic group, nobody can. Each is an
    # action that changes something, whose answer is kept with it (an answer to a question
    # that changed nothing, such as /help, is sent without being kept).
    await sim.send(teacher, teacher, f"/leave 病假 {day.isoformat() if day else '明天'} 发烧")
    await sim.send(admin, GROUP_ID, f"/bind {SCHOOL_NAME}")
    await sim.send(admin, OLD_GROUP, "/help")  # an unbound group: noted, once
    await sim.send(waits, waits, "/lang zh")
    await sim.send(blocked, blocked, "/lang zh")
    env = bot_environment(sim, db_url, lease_seconds=LEASE_SECONDS, admins=(SYSADMIN_ID,))
    bot = BotProcess(env, tmp_path / "bot.log")
    await bot.start(sim)
    try:

        async def every_chat_tried_and_held() -> bool:
            injected = (await sim.stats())["injected"]
            rows = await read_outbox(db_url)
            return (
                injected.get("timeout", 0) >= 2
                and injected.get("500", 0) >= 4  # each tried again at least once
                and injected.get("429", 0) == 1
                and injected.get("migrated", 0) == 1
                and any(row.status == "gone" for row in rows_to(rows, blocked))
            )

        await until("every chat's first delivery", every_chat_tried_and_held)
        await bot.kill()

        held = await read_outbox(db_url)
        killed_at = (await sim.stats())["seq"]
        for chat in (teacher, leader, GROUP_ID, waits, OLD_GROUP):
            assert rows_to(held, chat), f"nothing was committed for {chat}"
            assert all(row.status == "pending" for row in rows_to(held, chat))
        delivered = {a["chat_id"] for a in await sim.actions()}
        assert not delivered & {teacher, leader, waits, new_group}

        await sim.clear_faults()  # Telegram is well again
        await bot.start(sim)

        async def all_delivered() -> bool:
            return (await unfinished(db_url)).none

        await until("the outbox to be delivered", all_delivered)
        assert await bot.stop() == 0
    finally:
        await bot.kill()

    rows = await read_outbox(db_url)
    result = tally(rows, await sim.actions())
    assert result.pending == [] and result.missing == [] and result.unexplained == []
    assert result.duplicates == 0, f"rows sent twice: {result.duplicated_rows}"
    assert dict(result.given_up) == {"gone: Forbidden: bot was blocked by the user": 1}
    # What the killed bot held went out after the restart, the leave request to its approver
    # among it.
    after = {a["chat_id"] for a in await sim.actions(since=killed_at) if a["kind"] == "send"}
    assert {teacher, leader, GROUP_ID, waits, new_group} <= after
    assert rows_to(rows, OLD_GROUP) == []  # they went to the supergroup, and say so
    if day is not None:
        assert any("请假审批" in row.text for row in rows_to(rows, leader))
    assert bot.kills == 1 and bot.starts == 2
