"""Sick leave longer than the school's limit asks for a doctor's note, of the teacher and the
approver; shorter sick leave and other kinds do not."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from tests.harness import BotHarness
from tests.schools.leave import HEAD, LEADER, TEACHER, seed


async def test_two_days_of_sick_leave_ask_for_a_doctors_note(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/leave 病假 明天~后天 发烧")

    assert "这次病假按学校规定需医院证明（病假条）" in harness.last(TEACHER).plain
    assert "批准前请确认已收到" in harness.last(LEADER).plain


async def test_one_day_and_other_kinds_need_no_note(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 发烧")
    await harness.send(harness.user(TEACHER), "/leave 事假 下周一~下周二 家事")

    assert not any("医院证明" in m.plain for m in harness.in_chat(TEACHER))
    assert not any("医院证明" in m.plain for m in harness.in_chat(LEADER))


async def test_a_school_that_wants_a_note_for_every_sick_leave(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    changed = await harness.send(harness.user(HEAD), "/settings leave.sick_note_after_days 0")
    assert "0" in changed[-1].plain
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 上午 复诊")
    assert "需医院证明" in harness.last(LEADER).plain

    assert "需医院证明" in harness.last(TEACHER).plain
