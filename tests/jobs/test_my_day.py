"""The morning message of each person's day, with an injected clock: once, on school days."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from jobs import scheduler
from storage.db import create_engine
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools.duty import ADMIN_ID, OTHER_ID, WANG_ID, ZHOU_ID, seed


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@asynccontextmanager
async def bot_at(engine: AsyncEngine, start: datetime) -> AsyncIterator[BotHarness]:
    async with BotHarness(Settings(), engine, ManualClock(start)) as bot:
        yield bot


async def move(bot: BotHarness, to: datetime) -> int:
    start = bot.clock.now()
    bot.clock.set(to)
    return await scheduler.fire_due(bot.app, start, to)


def days(*bots: BotHarness, chat: int) -> list[str]:
    return [m.plain for bot in bots for m in bot.in_chat(chat) if "我的今天" in m.plain]


async def test_two_bots_on_one_database_send_each_day_once(
    engine: AsyncEngine, db_url: str
) -> None:
    await seed(engine)
    other_engine = create_engine(db_url)
    try:
        async with (
            bot_at(engine, at(25, 6, 30)) as first,
            bot_at(other_engine, at(25, 6, 30)) as second,
        ):
            for bot in (first, second, first):
                await move(bot, at(25, 7, 6))
            await scheduler.start(second.app)
            [zhou] = days(first, second, chat=ZHOU_ID)
            [wang] = days(first, second, chat=WANG_ID)
            nobody = days(first, second, chat=OTHER_ID)
    finally:
        await other_engine.dispose()
    assert "11月25日 周三" in zhou and "07:20–07:50 护学岗" in zhou
    assert "08:00–11:30 巡课（上午）" in wang and "13:30–15:50 巡课（下午）" in wang
    assert nobody == []  # no lessons, duty, meetings or requests: no message


async def test_nothing_on_a_weekend_or_in_the_national_day_week(engine: AsyncEngine) -> None:
    await seed(engine)
    async with bot_at(engine, at(27, 18)) as bot:
        await move(bot, at(30, 6, 59))  # Saturday and Sunday pass
        assert days(bot, chat=ZHOU_ID) == []
    async with bot_at(engine, datetime(2026, 9, 30, 18, 0, tzinfo=SHANGHAI)) as bot:
        await move(bot, datetime(2026, 10, 7, 23, 0, tzinfo=SHANGHAI))
        assert days(bot, chat=ZHOU_ID) == [] and days(bot, chat=WANG_ID) == []


async def test_a_private_day_that_cannot_be_delivered_names_who_missed_it(
    engine: AsyncEngine,
) -> None:
    await seed(engine)
    async with bot_at(engine, at(25, 6, 30)) as bot:
        # Telegram keeps refusing 周雅琴's chat for longer than a push is worth sending.
        bot.request.chat_faults[("sendMessage", ZHOU_ID)] = [(500, "Internal Server Error", {})] * 3
        await move(bot, at(25, 7, 1))
        dispatcher = bot.services.dispatcher
        bot.clock.advance(dispatcher.max_age + timedelta(minutes=1))
        dispatcher.retry_now()
        await bot.services.settle()

        assert days(bot, chat=ZHOU_ID) == []
        assert len(days(bot, chat=WANG_ID)) == 1  # the others got theirs
        notice = bot.last(ADMIN_ID).plain
    assert "周雅琴 没有收到这条私信" in notice and "11月25日 周三 07:01 我的今天" in notice
    assert "屏蔽了机器人" in notice and "/unreachable" in notice
    assert "群" not in notice  # nothing of the group push's wording
