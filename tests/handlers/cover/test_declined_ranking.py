"""Whoever said no to a lesson is not offered it first again: they come last, marked 已拒绝
(tests/rules/test_cover.py shows the mark when nobody else is free).

周雅琴 is away all Thursday; 王晴晴 asks 许志强 to cover period 3 (10:00–10:40) of 三(2)班, the
first suggestion, and he declines.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from tests.handlers.cover.test_decline import xu_asked
from tests.harness import BotHarness
from tests.schools.leave import OFFICE_A, XU, seed


async def test_a_colleague_who_declined_is_not_offered_the_lesson_again_first(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    _, notice = await xu_asked(harness)  # he was the first suggestion
    await harness.press(harness.user(XU), notice, notice.data_of("拒绝"))
    asked = harness.request.find(XU, notice.message_id)
    await harness.press(harness.user(XU), asked, asked.data_of("直接拒绝"))

    await harness.send(harness.user(OFFICE_A), "/arrange 明天")
    again = harness.last(OFFICE_A)
    suggested = [label for label, _ in again.buttons if label.startswith("1→")]
    # Three others are free then: he is not among the three offered.
    assert len(suggested) == 3 and "1→许志强" not in suggested
    assert "1. 第3节" in again.plain and "待安排" in again.plain
