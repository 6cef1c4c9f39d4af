"""What the dispatcher writes down: outcomes always, and what follows from them on its own."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dispatcher import OutcomeContext
from bot.messages import Send
from storage.db import session_factory
from storage.outbox import counts
from tests.harness import BotHarness

PERSON = 7_400_000_001


async def queued(harness: BotHarness, engine: AsyncEngine, *messages: Send) -> None:
    dispatcher = harness.services.dispatcher
    async with session_factory(engine)() as s, s.begin():
        await dispatcher.queue(s, list(messages))
    dispatcher.submit(list(messages))
    await harness.services.settle()


async def test_a_failing_outcome_hook_does_not_stop_the_recording(
    harness: BotHarness, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    dispatcher = harness.services.dispatcher
    tried: list[str] = []

    async def broken(ctx: OutcomeContext) -> None:
        tried.append(ctx.delivered.message.about)
        raise KeyError("a bug in what follows")

    dispatcher.on_outcome("broken", broken)
    await queued(harness, engine, Send(PERSON, "第一条", about="broken:1"))
    await queued(harness, engine, Send(PERSON, "第二条"))

    # Both delivered and written down; the failing hook was undone alone and logged.
    assert [m.plain for m in harness.in_chat(PERSON)] == ["第一条", "第二条"]
    async with session_factory(engine)() as s:
        assert await counts(session=s) == {"sent": 2}
    assert set(tried) == {"broken:1"} and "a bug in what follows" in caplog.text
    assert dispatcher.holding == 0


async def test_what_a_hook_queues_is_kept_and_delivered(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    dispatcher = harness.services.dispatcher

    async def follow(ctx: OutcomeContext) -> None:
        if ctx.delivered.status == "gone":
            ctx.out.append(Send(PERSON + 1, "他收不到"))

    dispatcher.on_outcome("follow", follow)
    harness.request.forbidden.add(PERSON)
    await queued(harness, engine, Send(PERSON, "请审批", about="follow:1"))
    assert [m.plain for m in harness.in_chat(PERSON + 1)] == ["他收不到"]
    async with session_factory(engine)() as s:
        assert await counts(session=s) == {"gone": 1, "sent": 1}
