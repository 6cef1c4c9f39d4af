"""Event pushes: the day before, 30 minutes before (with 签到) and the Monday summary, each
once, on the days the events take place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from jobs import events as event_jobs
from jobs import scheduler
from rules.events import EVERYONE, Audience
from storage.db import session_factory
from storage.events import add_event, cancel_occurrence
from storage.policies import set_policy
from storage.schools import bind_group
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools import factories

GROUP = -1004000000001
ADMIN_ID = 7_400_000_001
CHINESE_ID = 7_400_000_002
START = datetime(2026, 11, 23, 6, 0, tzinfo=SHANGHAI)  # Monday morning


async def seed(engine: AsyncEngine) -> None:
    """A weekly 教研会 on Wednesdays for 语文组, a one-off training on Friday 27 November for all,
    and the Wednesday after next cancelled."""
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, START - timedelta(days=90))
        await factories.term(s, school, date(2026, 9, 1), date(2027, 1, 22))
        await factories.staff(s, school, "张思月", roles="teacher,admin", telegram_id=ADMIN_ID)
        await factories.staff(s, school, "王晴晴", subjects="语文", telegram_id=CHINESE_ID)
        await factories.staff(s, school, "李新", subjects="语文")
        await bind_group(
            session=s, school_id=school.id, chat_id=GROUP, title="g", by=ADMIN_ID, now=START
        )
        common = {"session": s, "school_id": school.id, "by_staff_id": None, "now": START}
        weekly = await add_event(
            title="教研会",
            category="教研",
            weekday=3,
            on_date=None,
            start=time(15, 30),
            tenths=15,
            audience=Audience("subject", subject="语文"),
            **common,
        )
        await add_event(
            title="区级培训",
            category="培训",
            weekday=None,
            on_date=date(2026, 11, 27),
            start=time(14, 0),
            tenths=20,
            audience=EVERYONE,
            **common,
        )
        await cancel_occurrence(
            session=s, event=weekly, day=date(2026, 12, 2), by_staff_id=None, now=START
        )


@pytest.fixture
async def bot(engine: AsyncEngine) -> AsyncIterator[BotHarness]:
    await seed(engine)
    harness = BotHarness(Settings(), engine, ManualClock(START))
    # Only this feature's pushes, so other features' messages do not mix in.
    harness.services.push_kinds = event_jobs.push_kinds()
    async with harness:
        yield harness


async def live_until(bot: BotHarness, until: datetime) -> None:
    """Moves the clock forward in two steps and fires what fell due, as the playground does."""
    start = bot.clock.now()
    middle = start + (until - start) / 2
    for moment in (middle, until):
        bot.clock.set(moment)
        await scheduler.fire_due(bot.app, start, moment)
        await scheduler.fire_due(bot.app, start, moment)  # a second process, or a restart


def posted(bot: BotHarness, text: str) -> list[str]:
    return [m.plain for m in bot.in_chat(GROUP) if text in m.plain]


async def test_reminders_go_out_once_on_the_right_days(bot: BotHarness) -> None:
    await live_until(bot, datetime(2026, 12, 3, 23, 0, tzinfo=SHANGHAI))
    eve = posted(bot, "明天")
    assert [line.split("：")[0] for line in eve] == [
        "📅 明天 11月25日 周三 15:30–17:00",
        "📅 明天 11月27日 周五 14:00–16:00",
    ]
    soon = [m for m in bot.in_chat(GROUP) if m.plain.startswith("⏰")]
    assert [m.plain.splitlines()[0] for m in soon] == [
        "⏰ 教研会 将于 15:30 开始（语文组，1.5 学时）。",
        "⏰ 区级培训 将于 14:00 开始（全体教职工，2 学时）。",
    ]
    # The 30-minute reminder mentions the audience and carries the check-in button.
    assert f'<a href="tg://user?id={CHINESE_ID}">王晴晴</a>' in soon[0].text
    assert "李新" in soon[0].plain and "张思月" not in soon[0].plain
    assert "张思月" in soon[1].plain
    assert [label for label, _ in soon[0].buttons] == ["✅ 签到"]
    # Wednesday 2 December was cancelled: neither reminder for it.
    assert posted(bot, "2026-12-02") == [] and len(soon) == 2


async def test_the_monday_summary_lists_the_week_once(bot: BotHarness) -> None:
    await live_until(bot, datetime(2026, 12, 7, 8, 0, tzinfo=SHANGHAI))
    summaries = posted(bot, "本周会议与培训")
    assert len(summaries) == 2
    first, second = summaries
    assert "11月23日 周一 至 11月29日 周日" in first
    assert "11月25日 周三 15:30–17:00 教研会（语文组，1.5 学时）" in first
    assert "11月27日 周五 14:00–16:00 区级培训（全体教职工，2 学时）" in first
    # The week of 30 November has only the cancelled Wednesday, so Monday says nothing.
    assert "12月7日 周一 至 12月13日 周日" in second and "12月9日 周三" in second


async def test_the_summary_time_follows_the_policy(bot: BotHarness, engine: AsyncEngine) -> None:
    async with session_factory(engine)() as s, s.begin():
        await set_policy(
            session=s,
            school_id=1,
            key="events.week_summary_time",
            raw_value="06:30",
            by=None,
            now=START,
        )
    await live_until(bot, datetime(2026, 11, 23, 6, 45, tzinfo=SHANGHAI))
    assert len(posted(bot, "本周会议与培训")) == 1


async def test_no_reminders_in_the_national_day_holiday(engine: AsyncEngine) -> None:
    await seed(engine)
    harness = BotHarness(Settings(), engine, ManualClock(datetime(2026, 10, 4, 8, tzinfo=SHANGHAI)))
    harness.services.push_kinds = event_jobs.push_kinds()
    async with harness:
        await live_until(harness, datetime(2026, 10, 15, 8, 0, tzinfo=SHANGHAI))
        assert [line.split("：")[0] for line in posted(harness, "明天")] == [
            "📅 明天 10月14日 周三 15:30–17:00"
        ]
        # Monday 5 October is a holiday with nothing on: no summary; 12 October has 教研会.
        summaries = posted(harness, "本周会议与培训")
        assert len(summaries) == 1 and "10月12日 周一 至 10月18日 周日" in summaries[0]
