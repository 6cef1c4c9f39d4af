"""Two bots on one database, one in charge.

kill -9 the active one at 06:59:50: the other takes over, sends the 07:00 duty announcement once
by 07:01, and answers the leave requests sent while nobody was polling (bench/takeover.py, with
a short lease). A bot paused past its lease gives the work up when it wakes, and takes it up
again once the other dies. The simulator answers a second poller on one token with 409
Conflict, as Telegram does.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlmodel import col, select

from bench.botproc import BotProcess, bot_environment
from bench.demo_school import SYSADMIN_ID, open_school
from bench.simproc import SimClient, simulator_process
from bench.takeover import ASKING, LEAVE, logged, report, run
from bench.tally import read_outbox, tally, unfinished
from bot.clock import SystemClock
from jobs.kinds import DUTY_ANNOUNCE
from storage.db import create_engine, session_factory
from storage.models import Lease, LeaveRequest, PushLedger
from tests.conftest import SHANGHAI

pytestmark = pytest.mark.e2e

LEASE_SECONDS = 10.0
DEADLINE = 60.0


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


async def test_a_standby_takes_over_at_the_due_minute_and_sends_once(
    db_url: str, tmp_path: Path
) -> None:
    result = await run(db_url, tmp_path, lease_seconds=LEASE_SECONDS)
    shown = report(result, "the takeover test")
    assert result.stood_by_before, shown  # the second stood by while the first was alive
    assert result.killed_at.strftime("%H:%M:%S") == "06:59:50", shown
    # Within the lease and a quarter (and a loaded machine's slowness); both run on this
    # machine, so the standby sees the killed one is gone at its next look.
    assert 0 < result.active_after <= LEASE_SECONDS * 1.25 + 5, shown
    # Once, from the second bot (the first was dead), by 07:01.
    assert len(result.announcements) == 1, shown
    assert result.announcements[0]["seq"] > result.killed_seq, shown
    assert result.announced_at.strftime("%H:%M") == "07:00", shown
    assert len(result.answered) == len(ASKING), shown
    # Never two pollers at once: Telegram would have answered one of them 409 Conflict.
    assert result.conflicts == 0, shown
    assert result.stopped_cleanly, shown
    # Every message either bot committed went out once (My day, the leave requests' answers
    # and their approvers' copies among them).
    t = result.tally
    assert t.missing == [] and t.pending == [] and t.duplicates == 0, shown

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

        async def all_delivered() -> bool:
            return (await unfinished(db_url)).none

        # Recorded as delivered before the kill (a kill between Telegram's answer and the
        # record of it would have the answer sent again, which is not what this test is about).
        await until("the answer to be recorded", all_delivered)
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
        await until("every message to be delivered", all_delivered)
        assert await first.stop() == 0
    finally:
        await first.kill()
        await second.kill()

    # Each message to the teacher went once: the paused one, woken, answered nothing.
    to_teacher = [a for a in await sim.actions(since=since) if a["chat_id"] == teacher]
    assert len([a for a in to_teacher if a["seq"] <= asked]) == 1
    result = tally(await read_outbox(db_url), await sim.actions())
    assert result.missing == [] and result.pending == [] and result.duplicates == 0
