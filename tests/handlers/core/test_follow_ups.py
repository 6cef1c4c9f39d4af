"""What an action means for other people follows its answer: the approver is answered first."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from handlers.cover import boards as cover_board
from jobs.upkeep import sweep
from storage.db import session_factory
from storage.models import CoverNeed, LeaveRequest
from tests.handlers.cover.test_cover import approved_day_off
from tests.harness import BotHarness
from tests.schools.leave import LEADER, OFFICE_A, OFFICE_B, TEACHER, XU, seed


def boards(harness: BotHarness, chat_id: int) -> list[str]:
    return [m.plain for m in harness.in_chat(chat_id) if "代课安排" in m.plain]


async def approved_unsettled(harness: BotHarness, engine: AsyncEngine, clock: ManualClock) -> None:
    """周雅琴 asks for Thursday off and her grade leader approves; what follows the approval
    has not run yet."""
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 发烧")
    harness.settle_after_update = False
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")


async def test_the_approver_is_answered_before_the_arrangers_boards_are_drawn(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await approved_unsettled(harness, engine, clock)

    assert "你已批准" in harness.last(LEADER).plain
    assert "已批准" in harness.last(TEACHER).plain
    assert boards(harness, OFFICE_A) == [] and boards(harness, OFFICE_B) == []
    await harness.services.settle()
    for office in (OFFICE_A, OFFICE_B):
        (board,) = boards(harness, office)
        assert "第3节" in board and "第5节" in board


async def test_the_other_arrangers_copy_is_drawn_again_after_the_assigners_answer(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    first = await approved_day_off(harness)
    harness.settle_after_update = False
    _, answer = await harness.press(harness.user(OFFICE_A), first, first.data_of("1→许志强"))

    assert answer["text"] == "已安排 许志强"
    mine = harness.request.find(OFFICE_A, first.message_id).plain
    assert "（周雅琴）：许志强 代课（待确认）" in mine
    assert "请你代课" in harness.last(XU).plain
    copy = harness.request.find(OFFICE_B, harness.last(OFFICE_B).message_id)
    assert "：许志强 代课" not in copy.plain  # not drawn again yet

    await harness.services.settle()

    theirs = harness.request.find(OFFICE_B, copy.message_id).plain
    assert "（周雅琴）：许志强 代课（待确认）" in theirs


async def test_a_failed_follow_up_keeps_the_decision_and_does_not_stop_the_next(
    harness: BotHarness,
    engine: AsyncEngine,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 发烧")

    async def broken(*_: object, **__: object) -> int:
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(cover_board, "send_boards", broken)
    with caplog.at_level(logging.ERROR):
        await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")

    assert "the work following an action failed" in caplog.text
    assert "你已批准" in harness.last(LEADER).plain
    assert boards(harness, OFFICE_A) == []
    async with session_factory(engine)() as s:
        leave = (await s.exec(select(LeaveRequest))).one()
        needs = (await s.exec(select(CoverNeed))).all()
    assert leave.status == "approved" and len(needs) == 2

    # The queue goes on: the office asks for the day's board and still gets it.
    monkeypatch.undo()
    sent = await harness.send(harness.user(OFFICE_A), "/arrange 明天")
    assert any("第3节" in m.plain for m in sent)

    # The failed work is kept and tried again once its hold runs out: the boards still come.
    clock.advance(harness.services.dispatcher.lease + timedelta(seconds=1))
    await sweep(harness.app)
    await harness.services.settle()
    assert len(boards(harness, OFFICE_B)) == 1


async def test_stopping_the_bot_still_sends_what_the_last_action_queued(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await approved_unsettled(harness, engine, clock)
    assert boards(harness, OFFICE_A) == []

    assert harness.app.post_stop is not None
    await harness.app.post_stop(harness.app)

    assert len(boards(harness, OFFICE_A)) == 1


async def test_a_request_withdrawn_before_it_went_out_never_reaches_the_approver(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    harness.settle_after_update = False
    # Whatever came before is still going out: the request's follow-up waits behind it.
    release = asyncio.Event()
    await harness.services.background.add(release.wait)
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 发烧")
    submitted = harness.last(TEACHER)
    await harness.press(harness.user(TEACHER), submitted, submitted.data_of("撤销"))
    asked = harness.last(TEACHER)
    await harness.press(harness.user(TEACHER), asked, asked.data_of("确定撤销"))

    release.set()
    await harness.services.settle()

    assert not [m for m in harness.in_chat(LEADER) if "请假审批" in m.plain]
