"""The duty announcement and reminders with an injected clock: exactly once, on school days."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from jobs import scheduler
from storage.db import create_engine, session_factory
from storage.schools import bind_group, staff_groups
from tests.conftest import SHANGHAI
from tests.harness import BotHarness, Sent
from tests.schools.duty import ADMIN_ID, GROUP, LEI_ID, WANG_ID, ZHOU_ID, seed


def at(day: int, hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, micro, tzinfo=SHANGHAI)


@asynccontextmanager
async def bot_at(engine: AsyncEngine, start: datetime) -> AsyncIterator[BotHarness]:
    async with BotHarness(Settings(), engine, ManualClock(start)) as bot:
        yield bot


def duty_messages(bot: BotHarness, chat: int) -> list[Sent]:
    """What the duty pushes said to someone privately (the morning message of their day,
    我的今天, comes too, and is tested in tests/jobs/test_my_day.py)."""
    return [m for m in bot.in_chat(chat) if "我的今天" not in m.plain]


def announcements(*bots: BotHarness, chat: int = GROUP) -> list[str]:
    return [m.text for bot in bots for m in bot.in_chat(chat) if "今日值班" in m.plain]


async def move(bot: BotHarness, to: datetime) -> int:
    """Lets time pass up to `to`, as the running job queue would."""
    start = bot.clock.now()
    bot.clock.set(to)
    return await scheduler.fire_due(bot.app, start, to)


@pytest.mark.parametrize(
    "start", [at(25, 6, 59, 59), at(25, 7, 0, 0, 500_000), at(25, 7, 45)], ids=str
)
async def test_exactly_one_announcement_when_started_around_7(
    engine: AsyncEngine, start: datetime
) -> None:
    await seed(engine)
    async with bot_at(engine, start) as bot:
        bot.clock.set(max(start, at(25, 7, 0, 1)))
        # The job firing, the playground moving time, and another start all try again.
        await scheduler.fire_due(bot.app, start - timedelta(hours=1), bot.clock.now())
        await scheduler.fire_due(bot.app, start - timedelta(hours=1), bot.clock.now())
        await scheduler.start(bot.app)
        sent = announcements(bot)
    assert len(sent) == 1
    text = sent[0]
    assert "11月25日 周三" in text
    # The people on duty are mentioned, so Telegram notifies them.
    assert f'<a href="tg://user?id={WANG_ID}">王晴晴</a>' in text
    assert f'<a href="tg://user?id={ZHOU_ID}">周雅琴</a>' in text
    assert "07:20–07:50 护学岗" in text and "13:30–15:50 巡课（下午）" in text


async def test_started_at_10_sends_nothing_and_tells_the_admins(engine: AsyncEngine) -> None:
    await seed(engine)
    async with bot_at(engine, at(25, 10)) as bot:
        await scheduler.start(bot.app)  # a second start lists nothing again
        notices = [m.plain for m in bot.in_chat(ADMIN_ID)]
        assert announcements(bot) == []
    assert len(notices) == 1 and "11月25日 周三 07:00 今日值班公告" in notices[0]


async def test_two_bots_on_one_database_announce_once(engine: AsyncEngine, db_url: str) -> None:
    await seed(engine)
    other_engine = create_engine(db_url)
    try:
        async with (
            bot_at(engine, at(25, 6, 30)) as first,
            bot_at(other_engine, at(25, 6, 30)) as second,
        ):
            for bot in (first, second, first):
                await move(bot, at(25, 7, 6))
            assert len(announcements(first, second)) == 1
            reminders = [m for b in (first, second) for m in duty_messages(b, ZHOU_ID)]
            assert len(reminders) == 1
    finally:
        await other_engine.dispose()


async def test_no_announcement_on_a_weekend_or_holiday(engine: AsyncEngine) -> None:
    await seed(engine)
    async with bot_at(engine, at(27, 18)) as bot:
        await move(bot, at(30, 6, 59))  # Saturday and Sunday pass
        assert announcements(bot) == []
        await move(bot, at(30, 7, 1))
        assert len(announcements(bot)) == 1
    async with bot_at(engine, datetime(2026, 9, 30, 18, 0, tzinfo=SHANGHAI)) as bot:
        await move(bot, datetime(2026, 10, 7, 23, 0, tzinfo=SHANGHAI))  # National Day week
        assert announcements(bot) == []


async def test_a_make_up_day_follows_the_weekday_set_for_it(engine: AsyncEngine) -> None:
    await seed(engine, makeups={date(2026, 10, 10): 4})  # Saturday 10 October, 按周四
    async with bot_at(engine, datetime(2026, 10, 10, 6, 0, tzinfo=SHANGHAI)) as bot:
        await move(bot, datetime(2026, 10, 10, 7, 1, tzinfo=SHANGHAI))
        (text,) = announcements(bot)
    assert "10月10日 周六" in text and "按周四安排" in text
    assert "雷琴华" in text and "王晴晴" not in text


async def test_a_private_reminder_15_minutes_before_the_window(engine: AsyncEngine) -> None:
    await seed(engine)
    async with bot_at(engine, at(25, 6)) as bot:
        await move(bot, at(25, 7, 4, 59))
        assert duty_messages(bot, ZHOU_ID) == []
        await move(bot, at(25, 7, 5))
        (gate,) = duty_messages(bot, ZHOU_ID)
        assert "07:20–07:50" in gate.plain and "护学岗" in gate.plain
        await move(bot, at(25, 7, 45))
        await move(bot, at(25, 13, 15))
        patrol = [m.plain for m in duty_messages(bot, WANG_ID)]
        assert len(patrol) == 2 and "08:00–11:30" in patrol[0] and "13:30–15:50" in patrol[1]
        assert duty_messages(bot, LEI_ID) == []  # Thursday's patroller is not on today


async def test_a_blocked_group_does_not_stop_the_others(engine: AsyncEngine) -> None:
    school_id = await seed(engine)
    second_group = -1_003_000_000_002
    async with session_factory(engine)() as s, s.begin():
        await bind_group(
            session=s,
            school_id=school_id,
            chat_id=second_group,
            title="g2",
            by=ADMIN_ID,
            now=at(25, 6),
        )
    async with bot_at(engine, at(25, 6)) as bot:
        bot.request.forbidden.add(GROUP)
        await move(bot, at(25, 7, 1))
        assert len(announcements(bot, chat=second_group)) == 1
    async with session_factory(engine)() as s:
        assert [g.chat_id for g in await staff_groups(session=s, school_id=school_id)] == [
            second_group
        ]


async def test_a_reminder_caught_up_after_a_restart_only_while_the_window_lasts(
    engine: AsyncEngine,
) -> None:
    await seed(engine)
    async with bot_at(engine, at(25, 7, 30)) as bot:
        assert (
            "07:20–07:50" in duty_messages(bot, ZHOU_ID)[-1].plain
        )  # the 07:05 reminder, sent late
    async with bot_at(engine, at(27, 7, 55)) as bot:
        # Friday, 周雅琴 on the gate again: the announcement is still worth sending at 07:55,
        # a reminder for a window that closed at 07:50 no longer.
        assert len(announcements(bot)) == 1
        assert "07:20–07:50 护学岗：周雅琴" in bot.last(GROUP).plain
        assert duty_messages(bot, ZHOU_ID) == []  # this bot process never sent her anything
