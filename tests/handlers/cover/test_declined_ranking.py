"""Whoever said no to a lesson is not offered it first again: they come last, marked 已拒绝
(tests/rules/test_cover.py shows the mark when nobody else is free).

周雅琴 is away all Thursday; 王晴晴 asks 许志强 to cover period 3 (10:00–10:40) of 三(2)班, the
first suggestion, and he declines.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from storage.models import CoverNeed
from tests.handlers.cover.test_decline import xu_asked
from tests.handlers.cover.test_plans import three_weeks_off
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


async def test_the_plan_offers_someone_else_first_once_he_declined_one_of_its_days(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    offer = await three_weeks_off(harness)
    assert next(label for label, _ in offer.buttons if label.startswith("1→")) == "1→许志强"
    # He said no to the Thursday period 3 of 10 December when it was asked of him.
    async with session_factory(engine)() as s, s.begin():
        need = (
            await s.exec(
                select(CoverNeed).where(CoverNeed.period == 3, CoverNeed.day == date(2026, 12, 10))
            )
        ).one()
        await audit.record(
            session=s,
            at=clock.now(),
            action="cover_declined",
            school_id=need.school_id,
            actor_staff_id=school.staff["许志强"].id,
            subject_type="cover_need",
            subject_id=need.id,
        )

    for page in ("下一个", "上一个"):
        board = harness.request.find(OFFICE_A, offer.message_id)
        await harness.press(harness.user(OFFICE_A), board, board.data_of(page))
    board = harness.request.find(OFFICE_A, offer.message_id)
    offered = [label for label, _ in board.buttons if label.startswith("1→")]
    # Three others are free on every one of its days: he is not among them.
    assert offered == ["1→郭春燕", "1→林秀英", "1→王晴晴"]
