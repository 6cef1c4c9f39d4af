"""The 07:00 duty announcement under faults: its sender dies after claiming it, the database is
unreachable at 07:00, the process is suspended across 07:00. It goes out once, or the admins
are told it was missed; it never vanishes."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from bot.config import Settings
from jobs import scheduler
from jobs.push_watch import LAG
from jobs.upkeep import sweep
from storage.db import session_factory
from storage.models import PushLedger, Staff
from storage.my_day import set_preference
from storage.outbox import counts
from storage.policies import set_policy
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools.duty import ADMIN_ID, GROUP, seed

SEVEN = datetime(2026, 11, 25, 7, 0, tzinfo=SHANGHAI)


def announcements(*bots: BotHarness) -> list[str]:
    return [m.plain for bot in bots for m in bot.in_chat(GROUP) if "今日值班" in m.plain]


async def days_at_eight(engine: AsyncEngine) -> None:
    """Everyone's day (我的今天) comes at 08:00 here, so that 07:00 is the announcement's alone."""
    async with session_factory(engine)() as s, s.begin():
        for person in (await s.exec(select(Staff))).all():
            await set_preference(session=s, staff=person, now=SEVEN, send_at=time(8))


async def ledger(engine: AsyncEngine) -> list[str]:
    async with session_factory(engine)() as s:
        rows = await s.exec(select(PushLedger).where(PushLedger.kind == "duty_announce"))
        return [row.status for row in rows.all()]


async def test_a_push_whose_sender_died_after_claiming_is_delivered_after_restart(
    engine: AsyncEngine,
) -> None:
    await seed(engine)
    await days_at_eight(engine)
    first = BotHarness(Settings(), engine, ManualClock(SEVEN - timedelta(minutes=1)))
    await first.__aenter__()
    # Telegram fails the first try, and the process dies before its retry: it never runs again
    # (no stop, no release of what it holds).
    first.request.faults["sendMessage"] = [(500, "Internal Server Error", {})]
    first.services.dispatcher.backoff = (3600.0,)
    first.clock.set(SEVEN)
    await scheduler.fire_due(first.app, SEVEN - timedelta(minutes=1), SEVEN)
    assert announcements(first) == []
    assert await ledger(engine) == ["queued"]  # claimed, its message kept with the claim

    try:
        # A new start while the dead process's hold has not run out leaves the message alone: a
        # live process might still be sending it.
        restart = ManualClock(SEVEN + timedelta(seconds=5))
        async with BotHarness(Settings(), engine, restart) as second:
            assert announcements(second) == []
            restart.advance(second.services.dispatcher.lease)
            assert await sweep(second.app) == 1
            await second.services.settle()
            await scheduler.watch_once(second.app, restart.now() - LAG)
            await second.services.settle()
            assert len(announcements(first, second)) == 1
    finally:
        await first.__aexit__(None, None, None)
    assert await ledger(engine) == ["sent"]
    async with session_factory(engine)() as s:
        assert await counts(session=s) == {"sent": 1}


class Outage:
    """The database unreachable: the pool's connections are dropped and new ones refused, as
    when PostgreSQL restarts or the network to it fails."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.down = False
        self.refused = 0
        event.listen(engine.sync_engine, "do_connect", self._connect)

    def _connect(self, *_: Any) -> None:
        if self.down:
            self.refused += 1
            raise OperationalError("connect", None, ConnectionRefusedError(111, "refused"))

    async def begin(self) -> None:
        self.down = True
        await self.engine.dispose()

    def end(self) -> None:
        self.down = False

    def close(self) -> None:
        event.remove(self.engine.sync_engine, "do_connect", self._connect)


async def test_the_database_unreachable_at_7_the_announcement_goes_out_afterwards(
    engine: AsyncEngine,
) -> None:
    await seed(engine)
    await days_at_eight(engine)
    clock = ManualClock(SEVEN - timedelta(seconds=30))
    outage = Outage(engine)
    try:
        async with BotHarness(Settings(), engine, clock) as bot:
            jobs = [j for j in bot.app.job_queue.jobs() if "duty_announce" in j.name]
            (school_id, slot), *_ = [j.data for j in jobs if j.data[1].at == SEVEN]
            clock.set(SEVEN - timedelta(seconds=10))
            await outage.begin()
            # 07:00: the slot's own job meets the database down; a look at 07:00:10 (as a
            # start's catch-up) does too.
            clock.set(SEVEN)
            with pytest.raises(OperationalError):
                await scheduler.run_slot(bot.app, school_id, slot)
            clock.set(SEVEN + timedelta(seconds=10))
            # The watch logs it and goes on to the other slots; this one stays to be tried.
            assert await scheduler.watch_once(bot.app, clock.now()) == (0, {})
            clock.set(SEVEN + timedelta(seconds=15))
            outage.end()  # back after 25 seconds
            # The watch's next pass.
            clock.set(SEVEN + timedelta(minutes=1))
            assert await scheduler.watch_once(bot.app, clock.now() - LAG) == (1, {})
            await bot.services.settle()
            assert await scheduler.watch_once(bot.app, clock.now() - LAG) == (0, {})
            assert len(announcements(bot)) == 1
            assert outage.refused >= 2
    finally:
        outage.close()
    assert await ledger(engine) == ["sent"]


async def suspended_across_7(engine: AsyncEngine, grace_minutes: int | None) -> BotHarness:
    """A bot started at 06:59 whose process stops until 07:11 (a paused VM, SIGSTOP): the
    slot's job never ran; the watch runs first on waking."""
    await seed(engine)
    if grace_minutes is not None:
        async with session_factory(engine)() as s, s.begin():
            await set_policy(
                session=s,
                school_id=1,
                key="push.grace_minutes",
                raw_value=str(grace_minutes),
                by=None,
                now=SEVEN - timedelta(hours=1),
            )
    bot = BotHarness(Settings(), engine, ManualClock(SEVEN - timedelta(minutes=1)))
    await bot.__aenter__()
    bot.clock.set(SEVEN + timedelta(minutes=11))
    await scheduler.watch_once(bot.app, bot.clock.now() - LAG)
    await bot.services.settle()
    return bot


async def test_suspended_for_11_minutes_across_7_the_announcement_goes_out_on_waking(
    engine: AsyncEngine,
) -> None:
    bot = await suspended_across_7(engine, grace_minutes=None)  # the default: 120 minutes
    try:
        assert len(announcements(bot)) == 1
        assert bot.in_chat(ADMIN_ID) == []
    finally:
        await bot.__aexit__(None, None, None)
    assert await ledger(engine) == ["sent"]


async def test_suspended_past_the_grace_the_admins_are_told_and_it_is_never_sent(
    engine: AsyncEngine,
) -> None:
    bot = await suspended_across_7(engine, grace_minutes=5)
    try:
        assert announcements(bot) == []
        (notice,) = [m.plain for m in bot.in_chat(ADMIN_ID)]
        assert "错过了以下定时推送" in notice and "11月25日 周三 07:00 今日值班公告" in notice
        # Neither a later look nor a new start sends it, or tells again.
        bot.clock.advance(timedelta(minutes=5))
        await scheduler.watch_once(bot.app, bot.clock.now() - LAG)
        await scheduler.start(bot.app)
        await bot.services.settle()
        assert announcements(bot) == [] and len(bot.in_chat(ADMIN_ID)) == 1
    finally:
        await bot.__aexit__(None, None, None)
    assert await ledger(engine) == ["missed"]
