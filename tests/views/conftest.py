"""Views are drawn from plain values: no database, no bot, no event loop.

A day carries its year only when it is not this year's, so every view test runs under one
clock: Wednesday 25 November 2026, 09:00 in Shanghai (the day before the plain school's
Thursday).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from bot.clock import ManualClock
from tests.conftest import SHANGHAI
from views import common


@pytest.fixture(autouse=True)
def clock() -> Iterator[ManualClock]:
    clock = ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))
    common.use_clock(clock)
    yield clock
    common.use_clock(None)
