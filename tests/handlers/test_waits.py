"""A chat that must wait holds up only itself: the group told to wait by a 429 does not delay
anyone's private answer."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools.duty import ADMIN_ID, GROUP, OTHER_ID, seed

TOO_MANY = (429, "Too Many Requests: retry after 8", {"retry_after": 8})


async def test_a_429_in_the_group_does_not_delay_a_private_help(engine: AsyncEngine) -> None:
    await seed(engine)
    clock = ManualClock(datetime(2026, 11, 25, 6, 30, tzinfo=SHANGHAI))
    async with BotHarness(Settings(), engine, clock) as bot:
        bot.request.chat_faults[("sendMessage", GROUP)] = [TOO_MANY]
        await bot.send(bot.user(ADMIN_ID), "/help", chat_id=GROUP)
        assert bot.in_chat(GROUP) == []

        started = time.monotonic()
        answer = await bot.send(bot.user(OTHER_ID), "/help")
        waited = time.monotonic() - started

        assert [m.chat_id for m in answer] == [OTHER_ID] and "/leave" in answer[0].plain
        assert waited < 2  # not the group's 8 seconds
        dispatcher = bot.services.dispatcher
        assert dispatcher.waiting() == {GROUP: pytest.approx(8)}

        dispatcher.retry_now()
        await bot.services.settle()
        (reply,) = bot.in_chat(GROUP)
        assert "/duty" in reply.plain
        assert dispatcher.waiting() == {}
