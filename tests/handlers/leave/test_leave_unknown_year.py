"""Leave in a year whose State Council holiday arrangements are not published yet."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from tests.harness import BotHarness
from tests.schools.leave import LEADER, TEACHER, seed

UNCONFIRMED = "国务院还没有公布 2027 年的放假安排"


async def test_a_2027_leave_says_its_days_are_not_confirmed(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)

    reply = await harness.send(teacher, "/leave 事假 2027-01-04 家里有事")
    submitted = reply[0].plain
    assert "请假申请已提交" in submitted and UNCONFIRMED in submitted

    reply = await harness.send(teacher, "/leave 病假 明天 上午 发烧")
    assert "请假申请已提交" in reply[0].plain and UNCONFIRMED not in reply[0].plain


async def test_new_year_s_day_2027_needs_no_leave(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    (answer,) = await harness.send(harness.user(TEACHER), "/leave 事假 2027-01-01 家里有事")
    assert "没有上学日，不需要请假" in answer.plain


async def test_a_2027_leave_recorded_for_a_teacher_tells_them_too(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(LEADER), "/leavefor 周雅琴 事假 2027-01-04 家中有事")
    (told,) = [m for m in harness.in_chat(TEACHER) if "替你登记了请假" in m.plain]
    assert UNCONFIRMED in told.plain
