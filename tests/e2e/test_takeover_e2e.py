"""Two bots on one database, one in charge: kill -9 the active one at 06:59:50, and the other
takes over, sends the 07:00 duty announcement once by 07:01, and answers the leave requests
sent while nobody was polling.

Both run as `staffroom run` does (bench/soakbot.py: the same start, a shifted clock) against
the simulator in a process of its own, the demo school's Wednesday beginning at 06:59:25, so
06:59:50 comes once both are up. The lease is short (LEASE: the second takes over within
LEASE and a quarter of the kill); the simulator answers a second poller on the token with 409
Conflict, so its count tells whether both ever polled at once.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from bench.botproc import BotProcess, bot_environment
from bench.demo_school import GROUP_ID, SYSADMIN_ID, open_school
from bench.simproc import SimClient, simulator_process
from bench.soakbot import CLOCK_VARIABLE, clock_setting
from bench.tally import read_outbox, tally
from bot.clock import SystemClock
from jobs.kinds import DUTY_ANNOUNCE
from storage.db import create_engine, session_factory
from storage.models import Lease, LeaveRequest, PushLedger
from tests.conftest import SHANGHAI

pytestmark = pytest.mark.e2e

# Wednesday 25 November 2026, a school day of the autumn term.
DAY_START = datetime(2026, 11, 25, 6, 59, 25, tzinfo=SHANGHAI)
KILL_AT = DAY_START.replace(second=50)
ANNOUNCED_BY = DAY_START.replace(minute=1, hour=7, second=0)
LEASE_SECONDS = 10.0
DEADLINE = 60.0
# They ask for leave while the first bot is dead and the second not yet in charge.
ASKING = ("吴晓梅", "周雅琴", "许志强", "曹明")
LEAVE = "/leave 病假 2026-11-26 发烧"


@pytest.fixture
async def sim() -> AsyncIterator[SimClient]:
    async with simulator_process() as client:
        yield client


async def until(what: str, check: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def logged(bot: BotProcess, line: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return bot.log_path.exists() and line in bot.log_path.read_text(errors="replace")

    return check


async def announcements(sim: SimClient) -> list[dict[str, object]]:
    return [
        a
        for a in await sim.actions()
        if a["chat_id"] == GROUP_ID and a["kind"] == "send" and "今日值班" in (a["text"] or "")
    ]


async def test_a_standby_takes_over_at_the_due_minute_and_sends_once(
    sim: SimClient, db_url: str, tmp_path: Path
) -> None:
    school = await open_school(sim, db_url, DAY_START)
    real_start = time.time()

    def school_time() -> datetime:
        return DAY_START + timedelta(seconds=time.time() - real_start)

    env = bot_environment(
        sim,
        db_url,
        lease_seconds=LEASE_SECONDS,
        admins=(SYSADMIN_ID,),
        extra={
            CLOCK_VARIABLE: clock_setting(DAY_START, real_start),
            "DELIVERY_LEASE_SECONDS": "2",
        },
    )
    args = ("-m", "bench.soakbot")
    first = BotProcess(env, tmp_path / "first" / "bot.log", args=args)
    second = BotProcess(env, tmp_path / "second" / "bot.log", args=args)
    for bot in (first, second):
        bot.log_path.parent.mkdir()
    try:
        await first.start(sim)
        await second.start(sim, ready=logged(second, "lease: standing by"))
        assert await logged(first, "lease: active")()
        assert school_time() < KILL_AT, "the bots took too long to start for this test"
        await asyncio.sleep((KILL_AT - school_time()).total_seconds())

        await first.kill()
        killed_at = (await sim.stats())["seq"]
        asked: dict[int, int] = {}
        for name in ASKING:
            teacher = school.id_of(name)
            asked[teacher] = (await sim.stats())["seq"]
            await sim.send(teacher, teacher, LEAVE)
        took_over = logged(second, "lease: active")
        assert not await took_over(), "the standby took over before the lease expired"
        await until("the standby to take over", took_over)

        async def announced() -> bool:
            return bool(await announcements(sim))

        await until("the duty announcement", announced)
        assert school_time() < ANNOUNCED_BY

        async def everyone_answered() -> bool:
            for teacher, since in asked.items():
                if not await sim.messages(teacher, since=since):
                    return False
            return True

        await until("an answer to every leave request", everyone_answered)
        assert await second.stop() == 0
    finally:
        await first.kill()
        await second.kill()

    sent = await announcements(sim)
    assert len(sent) == 1 and sent[0]["seq"] > killed_at  # once, and from the second bot
    stats = await sim.stats()
    # Never two pollers at once: Telegram would have answered one of them 409 Conflict.
    assert stats["errors"].get("409", 0) == 0
    assert stats["calls"]["getUpdates"] > 0

    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            ledger = (
                await session.exec(select(PushLedger).where(col(PushLedger.kind) == DUTY_ANNOUNCE))
            ).all()
            requests = (await session.exec(select(LeaveRequest))).all()
            leases = (await session.exec(select(Lease))).all()
    finally:
        await engine.dispose()
    assert [row.status for row in ledger] == ["sent"]
    assert len(requests) == len(ASKING)
    assert leases == []  # the second one stopped cleanly and gave the lease up
    # Every message either bot committed went out once (My day, the leave requests' answers
    # and their approvers' copies among them).
    result = tally(await read_outbox(db_url), await sim.actions())
    assert result.missing == [] and result.pending == [] and result.duplicates == 0


PAUSE_LEASE_SECONDS = 3.0


def times_logged(bot: BotProcess, line: str) -> int:
    return bot.log_path.read_text(errors="replace").count(line) if bot.log_path.exists() else 0


async def test_a_bot_paused_past_its_lease_stands_by_and_takes_over_again_later(
    sim: SimClient, db_url: str, tmp_path: Path
) -> None:
    school = await open_school(sim, db_url, SystemClock(SHANGHAI).now())
    env = bot_environment(sim, db_url, lease_seconds=PAUSE_LEASE_SECONDS, admins=(SYSADMIN_ID,))
    first = BotProcess(env, tmp_path / "first" / "bot.log")
    second = BotProcess(env, tmp_path / "second" / "bot.log")
    for bot in (first, second):
        bot.log_path.parent.mkdir()
    teacher = school.id_of(ASKING[0])
    try:
        await first.start(sim)
        await second.start(sim, ready=logged(second, "lease: standing by"))
        assert first.process is not None
        # Paused (a stopped container, a VM snapshot, a long GC) past its lease: the second
        # takes over meanwhile.
        first.process.send_signal(signal.SIGSTOP)
        await until("the standby to take over", logged(second, "lease: active"))
        first.process.send_signal(signal.SIGCONT)

        async def first_stands_by() -> bool:
            return times_logged(first, "lease: standing by") == 1

        await until("the paused one to give the work up", first_stands_by)
        assert times_logged(first, "lease: lost to") == 1
        since = (await sim.stats())["seq"]
        await sim.send(teacher, teacher, "/lang zh")

        async def answered() -> bool:
            return bool(await sim.messages(teacher, since=since))

        await until("the active one to answer", answered)

        # The one that gave the work up is a standby like any: it takes over in turn.
        await second.kill()

        async def first_active_again() -> bool:
            return times_logged(first, "lease: active") == 2

        await until("the first to take over again", first_active_again)
        asked = (await sim.stats())["seq"]
        await sim.send(teacher, teacher, LEAVE)

        async def leave_answered() -> bool:
            return bool(await sim.messages(teacher, since=asked))

        await until("an answer to the leave request", leave_answered)
        assert await first.stop() == 0
    finally:
        await first.kill()
        await second.kill()

    # Each message to the teacher went once: the paused one, woken, answered nothing.
    to_teacher = [a for a in await sim.actions(since=since) if a["chat_id"] == teacher]
    assert len([a for a in to_teacher if a["seq"] <= asked]) == 1
    result = tally(await read_outbox(db_url), await sim.actions())
    assert result.missing == [] and result.pending == [] and result.duplicates == 0
