"""The request watch: started with the bot, every minute, one failing watch keeps no other
from running."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from jobs import requests
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools.leave import TEACHER, XU, seed


@pytest.fixture
async def harness(engine: AsyncEngine) -> AsyncIterator[BotHarness]:
    clock = ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))
    async with BotHarness(Settings(), engine, clock) as bot:
        yield bot


async def test_the_request_watch_runs_every_minute_from_the_start(harness: BotHarness) -> None:
    assert harness.app.job_queue is not None
    (job,) = harness.app.job_queue.get_jobs_by_name("requests:watch")
    assert job.job.trigger.interval == timedelta(seconds=60)


async def test_a_failing_watch_does_not_keep_the_others_from_running(
    harness: BotHarness, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(engine, harness.clock.now())
    await harness.send(harness.user(TEACHER), "/swap 周四第3节 许志强 周五第2节")

    async def broken(app: Any) -> None:
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(requests, "WATCHES", (broken, *requests.WATCHES))
    harness.clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI))
    await requests.watch_requests(harness.app)
    await harness.services.settle()
    assert "已过期" in harness.last(XU).plain
