"""The morning announcement as a safety net for someone on duty who is on leave."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from jobs import scheduler
from storage.db import session_factory
from storage.models import LeaveRequest
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools.duty import GROUP, LEI_ID, WANG_ID, seed

THU = date(2026, 11, 26)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 26, hour, minute, tzinfo=SHANGHAI)


async def test_an_absent_patroller_is_not_announced_and_the_arranger_is_asked(
    engine: AsyncEngine,
) -> None:
    school_id = await seed(engine)
    async with session_factory(engine)() as s, s.begin():
        # Approved before this bot ran (recorded by an admin): nobody was asked yet.
        s.add(
            LeaveRequest(
                school_id=school_id,
                staff_id=3,  # 雷琴华, Thursday's patroller
                kind="sick",
                first_day=THU,
                last_day=THU,
                part="am",
                half_days=1,
                reason="发烧",
                status="approved",
                created_at=at(6),
            )
        )
    async with BotHarness(Settings(), engine, ManualClock(at(6, 30))) as bot:
        bot.clock.set(at(7, 1))
        await scheduler.fire_due(bot.app, at(6, 30), at(7, 1))

        (announced,) = [m for m in bot.in_chat(GROUP) if "今日值班" in m.plain]
        assert "08:00–11:30 巡课（上午）：⚠️ 待安排替班（原 雷琴华，不在校）" in announced.plain
        assert f"tg://user?id={LEI_ID}" in announced.text  # the afternoon is hers still
        assert announced.plain.count("雷琴华") == 2
        assert "13:30–15:50 巡课（下午）：雷琴华" in announced.plain
        assert "发烧" not in announced.plain and "病假" not in announced.plain
        (ask,) = [m for m in bot.in_chat(WANG_ID) if "值班需要替班" in m.plain]
        assert "08:00–11:30“巡课（上午）”原由 雷琴华 值班" in ask.plain
        assert "另找他人" in [label for label, _ in ask.buttons]

        bot.clock.set(at(7, 50))
        await scheduler.fire_due(bot.app, at(7, 1), at(7, 50))
        # Her morning reminder (07:45) does not go out while she is away.
        assert not [m for m in bot.in_chat(LEI_ID) if "巡课（上午）" in m.plain]
