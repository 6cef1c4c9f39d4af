"""Calendar warnings to the admins: an unset make-up day a week ahead, an unknown year."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from jobs import scheduler
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools.duty import ADMIN_ID, seed


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


async def move(bot: BotHarness, to: datetime) -> None:
    start = bot.clock.now()
    bot.clock.set(to)
    await scheduler.fire_due(bot.app, start, to)


def notices(bot: BotHarness, word: str) -> list[str]:
    return [m.plain for m in bot.in_chat(ADMIN_ID) if word in m.plain]


async def test_admins_are_warned_once_a_week_before_an_unset_make_up_day(
    engine: AsyncEngine,
) -> None:
    await seed(engine, makeups={date(2026, 12, 5): None, date(2026, 12, 12): 5})
    async with BotHarness(Settings(), engine, ManualClock(at(11, 27, 9))) as bot:
        await move(bot, at(11, 28, 7, 59))
        assert notices(bot, "调休上班日，但") == []  # eight days ahead: not yet
        await move(bot, at(11, 28, 8, 1))
        assert len(notices(bot, "调休上班日，但")) == 1
        await move(bot, at(12, 6, 9))  # the days up to it, and the set one after it
        (warning,) = notices(bot, "调休上班日，但")
    assert "12月5日 周六" in warning and "/calendar makeup 2026-12-05" in warning


async def test_admins_are_warned_once_when_the_next_30_days_reach_an_unknown_year(
    engine: AsyncEngine,
) -> None:
    await seed(engine)
    async with BotHarness(Settings(), engine, ManualClock(at(12, 1, 9))) as bot:
        await move(bot, at(12, 2, 7, 59))
        assert notices(bot, "2027") == []  # 1 December + 30 days is still 2026
        await move(bot, at(12, 5, 9))
        (warning,) = notices(bot, "2027")
    assert "不会猜测" in warning and "元旦 1月1日 周五" in warning
