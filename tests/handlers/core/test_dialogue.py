"""One dialogue at a time: typed text reaches the wizard or prompt the person touched last."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage.db import session_factory
from storage.models import LeaveApproval, LeaveRequest
from tests.harness import BotHarness
from tests.schools.leave import LEADER, TEACHER, seed


async def test_an_abandoned_wizard_does_not_take_a_rejection_reason(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    leader = harness.user(LEADER)
    await harness.send(leader, "/leave")  # left at the first step
    await harness.send(harness.user(TEACHER), "/leave 事假 明天 下午 看房")
    request = harness.last(LEADER)

    await harness.press(leader, request, request.data_of("驳回"))
    done = await harness.send(leader, "请先交病历")

    assert "你已驳回 周雅琴 的请假" in done[-1].plain
    async with session_factory(engine)() as s:
        approval = (await s.exec(select(LeaveApproval))).one()
    assert (approval.status, approval.note) == ("rejected", "请先交病历")


async def test_a_new_command_takes_typed_text_from_an_older_wizard(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    start = (await harness.send(teacher, "/leave"))[-1]
    await harness.press(teacher, start, start.data_of("事假"))
    await harness.send(teacher, "/hw")  # another wizard, then back to typing dates
    answer = await harness.send(teacher, "明天")

    # "明天" answered the newest dialogue (/hw), not the leave wizard's date step.
    assert not any("到哪天" in m.plain or "哪个时段" in m.plain for m in answer)

    again = (await harness.send(teacher, "/leave"))[-1]
    await harness.press(teacher, again, again.data_of("病假"))
    dated = await harness.send(teacher, "11-26~11-27")
    assert "哪个时段" in dated[-1].plain
    async with session_factory(engine)() as s:
        assert (await s.exec(select(LeaveRequest))).all() == []


async def test_a_button_of_the_older_wizard_brings_its_typing_back(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    start = (await harness.send(teacher, "/leave"))[-1]
    first = (await harness.press(teacher, start, start.data_of("事假")))[0][-1]
    await harness.send(teacher, "/help")
    # Pressing the wizard's own day button resumes it; typed text then answers its next step.
    await harness.press(teacher, first, first.data_of("11月26日 周四"))
    part = await harness.send(teacher, "11月26日")
    assert "哪个时段" in part[-1].plain
