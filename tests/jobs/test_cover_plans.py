"""A fixed cover plan (固定代课) fills three weeks of cover slips without any daily arranging,
and the plan's teacher finds the lessons in My day.

周雅琴 is away Monday 30 November to Friday 18 December 2026; the office gives her three weekly
lessons (Thursday periods 3 and 5, Friday period 4, 三(2)班 语文) to 许志强 once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from jobs import scheduler
from rules.report_requests import Period
from storage.db import session_factory
from storage.reports import cover_records
from storage.schedule import load_names
from storage.types import stored_id
from tests.conftest import SHANGHAI
from tests.handlers.day.test_calendar_feed import vevents
from tests.harness import BotHarness, Sent
from tests.schools.leave import GROUP, HEAD, LEADER, OFFICE_A, OFFICE_B, TEACHER, XU, seed


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
async def harness(engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[BotHarness]:
    async with BotHarness(Settings(), engine, clock) as bot:
        yield bot


async def move(bot: BotHarness, clock: ManualClock, until: datetime) -> None:
    start = clock.now()
    clock.set(until)
    await scheduler.fire_due(bot.app, start, until)
    # The boards pushed are recorded after delivery; a press reads them to draw every copy.
    await bot.services.settle()


async def planned_for_xu(harness: BotHarness) -> None:
    """The leave approved by its three steps, and each weekly lesson given to 许志强."""
    await harness.send(harness.user(TEACHER), "/leave 病假 2026-11-30~2026-12-18 手术后休养")
    for approver in (LEADER, OFFICE_A, HEAD):
        request = harness.last(approver)
        await harness.press(harness.user(approver), request, request.data_of("批准"))
    board: Sent = next(m for m in reversed(harness.in_chat(OFFICE_A)) if "固定代课" in m.plain)
    for number in (1, 2, 3):
        board = harness.request.find(OFFICE_A, board.message_id)
        await harness.press(harness.user(OFFICE_A), board, board.data_of(f"{number}→许志强"))


def slips(bot: BotHarness) -> dict[str, str]:
    """Each day's slip as last posted or edited, by its title line."""
    found: dict[str, str] = {}
    for message in bot.in_chat(GROUP):
        if "代课/调课公示" in message.plain:
            latest = bot.request.find(GROUP, message.message_id).plain
            found[latest.splitlines()[0]] = latest
    return found


async def test_a_plan_fills_three_weeks_of_slips(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await planned_for_xu(harness)
    boards_before = len(harness.in_chat(OFFICE_B))

    day = date(2026, 11, 29)
    while day <= date(2026, 12, 18):
        await move(
            harness,
            clock,
            datetime.combine(day, datetime.min.time(), SHANGHAI).replace(hour=7, minute=21),
        )
        await move(
            harness,
            clock,
            datetime.combine(day, datetime.min.time(), SHANGHAI).replace(hour=20, minute=1),
        )
        day += timedelta(days=1)

    posted = slips(harness)
    for thursday in ("12月3日 周四", "12月10日 周四", "12月17日 周四"):
        slip = posted[f"📋 代课/调课公示 · {thursday}"]
        assert "第3节（10:00–10:40）三(2)班 语文 周雅琴 → 许志强 代课" in slip
        assert "第5节（13:30–14:10）三(2)班 语文 周雅琴 → 许志强 代课" in slip
    for friday in ("12月4日 周五", "12月11日 周五", "12月18日 周五"):
        slip = posted[f"📋 代课/调课公示 · {friday}"]
        assert "第4节（10:50–11:30）三(2)班 语文 周雅琴 → 许志强 代课" in slip
    assert all("待安排" not in slip and "手术后休养" not in slip for slip in posted.values())
    # Nothing was left to arrange: no evening board asked the office about these days.
    assert not [m for m in harness.in_chat(OFFICE_B)[boards_before:] if "没安排代课" in m.plain]


async def test_the_plans_teacher_sees_the_lessons_in_my_day_and_calendar(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await planned_for_xu(harness)
    clock.set(datetime(2026, 12, 10, 6, 30, tzinfo=SHANGHAI))

    (day,) = await harness.send(harness.user(XU), "/today")

    assert "代 周雅琴" in day.plain and "三(2)班" in day.plain
    assert day.plain.count("代 周雅琴") == 2

    [sent] = await harness.send(harness.user(XU), "/calendar me")
    assert sent.file is not None
    covers = [e for e in vevents(sent.file[2]) if "代 周雅琴" in e["SUMMARY"]]
    # Four weeks from Thursday 10 December: the two Thursdays and two Fridays left of the leave.
    assert sorted(e["DTSTART"][:8] for e in covers) == [
        "20261210", "20261210", "20261211", "20261217", "20261217", "20261218",
    ]  # fmt: skip


async def test_the_statement_counts_the_plans_lessons(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    await planned_for_xu(harness)

    async with session_factory(engine)() as s:
        school_id = stored_id(school.school)
        names = await load_names(session=s, school_id=school_id)
        december = Period(date(2026, 12, 1), date(2026, 12, 31))
        records = await cover_records(session=s, school_id=school_id, period=december, names=names)

    xu = school.staff["许志强"].id
    assert len(records) == 9
    assert {(r.substitute_id, r.kind, r.absent_id) for r in records} == {
        (xu, "cover", school.staff["周雅琴"].id)
    }
