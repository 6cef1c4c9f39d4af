"""The fast-tier bot on a fresh database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from tests.conftest import SHANGHAI
from tests.harness import BotHarness

SYSADMIN_ID = 9_000_000_001


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
async def harness(engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[BotHarness]:
    settings = Settings(bootstrap_admin_ids=frozenset({SYSADMIN_ID}))
    async with BotHarness(settings, engine, clock) as bot:
        yield bot
