"""A day the school closes after cover was asked for it: the cover and the swaps it would
break are undone, and everyone concerned is told."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage.db import session_factory
from storage.models import CoverNeed, LessonSwap
from tests.conftest import SHANGHAI
from tests.handlers.cover.test_cover import approved_day_off
from tests.harness import BotHarness
from tests.schools.leave import GROUP, HEAD, LIN, OFFICE_A, OFFICE_B, TEACHER, XU, seed


async def test_closing_a_day_releases_its_cover_and_says_so_everywhere(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)  # 周雅琴 away Thursday, periods 3 and 5
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1 群里征集"))
    ask = harness.last(GROUP)
    await harness.press(harness.user(LIN), ask, ask.data_of("我来"))
    board = harness.request.find(OFFICE_A, board.message_id)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("2→许志强"))

    answer = await harness.send(harness.user(HEAD), "/calendar closed 2026-11-26 运动会")

    said = "\n".join(m.plain for m in answer)
    assert "停课（运动会）" in said and "2 节代课不再需要" in said
    async with session_factory(engine)() as s:
        assert [n.status for n in (await s.exec(select(CoverNeed))).all()] == [
            "released",
            "released",
        ]
    assert "不用代课了" in harness.last(XU).plain and "不用代课了" in harness.last(LIN).plain
    told = [m.plain for m in harness.in_chat(OFFICE_B) if m.plain.startswith("学校停课")]
    assert len(told) == 1 and "以下 2 节课不上" in told[0]
    post = harness.request.find(GROUP, ask.message_id)
    assert post.plain.endswith("学校这天停课，不再需要代课。") and post.buttons == []
    board = harness.request.find(OFFICE_A, board.message_id)
    assert board.plain.endswith("这天已没有需要代课的课了。") and not board.buttons


async def test_closing_a_day_cancels_an_approved_swap_that_would_lose_a_lesson(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    await harness.send(teacher, "/swap 周四第3节 许志强 周五第2节")
    ask = harness.last(XU)
    await harness.press(harness.user(XU), ask, ask.data_of("同意"))
    request = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), request, request.data_of("批准"))

    # Thursday closes: 许志强's Friday lesson would have moved onto it, and be lost.
    answer = await harness.send(harness.user(HEAD), "/calendar closed 2026-11-26 停电")

    said = "\n".join(m.plain for m in answer)
    assert "1 次已批准的调课有课在这几天，已取消并通知双方" in said
    assert "11月26日 周四 第3节" in said
    for person in (TEACHER, XU):
        notice = harness.last(person).plain
        assert notice.startswith("↩️ 学校停课，这次调课已取消") and "11月27日 周五 第2节" in notice
    async with session_factory(engine)() as s:
        assert [w.status for w in (await s.exec(select(LessonSwap))).all()] == ["cancelled"]
    swaps = (await harness.send(harness.user(OFFICE_A), "/swaps"))[-1].plain
    assert "11月27日" not in swaps


async def test_closing_a_day_without_cover_or_swaps_says_only_that_it_closed(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())

    answer = await harness.send(harness.user(HEAD), "/calendar closed 2026-11-30 校庆")

    assert len(answer) == 1 and "停课（校庆）" in answer[0].plain
    assert "代课" not in answer[0].plain and "调课" not in answer[0].plain


async def test_a_closure_from_noon_keeps_the_mornings_cover_that_was_given(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)  # periods 3 (10:00) and 5 (13:30) on Thursday
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI))

    answer = await harness.send(harness.user(HEAD), "/calendar closed 2026-11-26 暴雨停课")

    assert "1 节代课不再需要" in "\n".join(m.plain for m in answer)
    async with session_factory(engine)() as s:
        needs = (await s.exec(select(CoverNeed).order_by(CoverNeed.period))).all()
    assert [(n.period, n.status) for n in needs] == [(3, "assigned"), (5, "released")]
    assert "不用代课了" not in harness.last(XU).plain
