"""The monthly cover statement: last month's workbook to the academic office on the month's
first school day, once; not at all when the school turned it off."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from jobs import reports as report_jobs
from jobs import scheduler
from storage.db import session_factory
from storage.policies import set_policy
from storage.schools import school_by_name
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools import reports as report_school
from tests.schools.reports import OFFICE


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at(date(2026, 11, 30), 20))


@pytest.fixture
async def harness(engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[BotHarness]:
    async with session_factory(engine)() as s, s.begin():
        await report_school.seed(s, clock.now() - timedelta(days=90))
    async with BotHarness(Settings(), engine, clock) as running:
        running.services.push_kinds = report_jobs.push_kinds()
        yield running


async def run_until(bot: BotHarness, until: datetime) -> int:
    start = bot.clock.now()
    bot.clock.set(until)
    return await scheduler.fire_due(bot.app, start, until)


async def test_last_months_statement_reaches_the_office_on_the_first_school_day(
    harness: BotHarness,
) -> None:
    await run_until(harness, at(date(2026, 12, 1), 7, 59))
    assert harness.in_chat(OFFICE) == []
    await run_until(harness, at(date(2026, 12, 1), 8, 1))
    [statement] = harness.in_chat(OFFICE)
    assert statement.plain.startswith("上月（2026-11-01 至 2026-11-30）的代课统计")
    assert statement.file is not None and statement.file[1] == "孟河小学-代课统计-2026-11.xlsx"
    totals = load_workbook(io.BytesIO(statement.file[2]))["汇总"]
    assert [cell.value for cell in totals[6]][:8] == ["合计", 2, 1, 0, 3, 3, 0, 80]

    await run_until(harness, at(date(2026, 12, 3), 9))
    assert len(harness.in_chat(OFFICE)) == 1  # once a month


async def test_a_school_that_turned_it_off_gets_nothing(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = await school_by_name(session=s, name="孟河小学")
        assert school is not None and school.id is not None
        await set_policy(
            session=s,
            school_id=school.id,
            key="cover.statement",
            raw_value="off",
            by=None,
            now=clock.now(),
        )
    await run_until(harness, at(date(2026, 12, 1), 9))
    assert harness.in_chat(OFFICE) == []
