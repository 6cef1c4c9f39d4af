"""A year the State Council table does not know: the law's holidays close the school."""

from __future__ import annotations

from datetime import datetime

import chinese_calendar
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from jobs import scheduler
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools.duty import ADMIN_ID, GROUP, seed


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


async def move(bot: BotHarness, to: datetime) -> None:
    start = bot.clock.now()
    bot.clock.set(to)
    await scheduler.fire_due(bot.app, start, to)


def announced_days(bot: BotHarness) -> list[str]:
    return [m.plain.split("\n")[0] for m in bot.in_chat(GROUP) if "今日值班" in m.plain]


async def test_no_duty_push_on_new_year_s_day_2027(engine: AsyncEngine) -> None:
    with pytest.raises(NotImplementedError):  # the table really does not know 2027
        chinese_calendar.is_workday(at(2027, 1, 1, 0).date())
    await seed(engine)
    async with BotHarness(Settings(), engine, ManualClock(at(2026, 12, 31, 6))) as bot:
        await move(bot, at(2026, 12, 31, 7, 1))
        assert len(announced_days(bot)) == 1  # Thursday 31 December
        (calendar,) = (await bot.send(bot.user(ADMIN_ID), "/calendar"))[:1]
        await move(bot, at(2027, 1, 1, 18))
        assert len(announced_days(bot)) == 1  # 元旦 (a Friday): nothing
        await move(bot, at(2027, 1, 4, 7, 1))
        days = announced_days(bot)
    assert len(days) == 2 and "1月4日 周一" in days[1]
    assert "1月1日 周五　法定节假日（元旦，调休待公布）" in calendar.plain


async def test_the_warning_lists_the_law_s_holidays_and_asks_for_the_make_up_days(
    engine: AsyncEngine,
) -> None:
    await seed(engine)
    async with BotHarness(Settings(), engine, ManualClock(at(2026, 12, 5, 7))) as bot:
        await move(bot, at(2026, 12, 5, 9))
        (warning,) = [m.plain for m in bot.in_chat(ADMIN_ID) if "2027" in m.plain]
    assert "元旦 1月1日 周五、春节 2月5日 周五–2月8日 周一、清明节 4月5日 周一" in warning
    assert "国庆节 10月1日 周五–10月3日 周日" in warning
    assert "/calendar makeup" in warning and "不会猜测" in warning
