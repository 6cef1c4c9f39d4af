"""A date typed years away is refused as out of range, by every command that reads a date."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage.db import session_factory
from storage.models import CalendarEntry, DutySwap, Event
from tests.harness import BotHarness
from tests.schools import duty as duty_school


async def test_commands_refuse_dates_years_away(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await duty_school.seed(engine)
    admin = harness.user(duty_school.ADMIN_ID)
    zhou = harness.user(duty_school.ZHOU_ID)

    answers = [
        await harness.send(zhou, "/dutyswap 9999-12-31 王晴晴"),
        await harness.send(zhou, "/dutyswap 明天 王晴晴 0001-01-01"),
        await harness.send(admin, "/calendar makeup 9999-12-31 周一"),
        await harness.send(admin, "/calendar closed 2026-12-01~9999-12-31 放假"),
        await harness.send(admin, "/event add 9999-12-31 15:30 教研会"),
        await harness.send(admin, "/covers 9999-12"),
        await harness.send(admin, "/arrange 9999-12-31"),
        await harness.send(admin, "/duty 9999-12-31"),
    ]

    for answer in answers:
        assert answer and "离今天太远了" in answer[0].plain, [m.plain for m in answer]
        assert "2024-11-23 至 2028-11-26" in answer[0].plain
    async with session_factory(engine)() as s:
        assert (await s.exec(select(DutySwap))).all() == []
        assert (await s.exec(select(Event))).all() == []
        entries = (await s.exec(select(CalendarEntry))).all()
        assert all(e.start_date.year < 2028 and e.end_date.year < 2028 for e in entries)
