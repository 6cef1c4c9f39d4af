"""The end-to-end tier: the real bot polling the local simulator over HTTP, with the demo school."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from demo.stage import Stage, open_stage
from tests.conftest import SHANGHAI

# Wednesday 25 November 2026, 07:30: a school day of the autumn term.
E2E_START = datetime(2026, 11, 25, 7, 30, tzinfo=SHANGHAI)


@pytest.fixture
def e2e_clock() -> ManualClock:
    return ManualClock(E2E_START)


@pytest.fixture
async def stage(db_url: str, e2e_clock: ManualClock) -> AsyncIterator[Stage]:
    async with open_stage(Settings(database_url=db_url), e2e_clock) as running:
        await running.settle()
        yield running
