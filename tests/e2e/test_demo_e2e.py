"""`staffroom demo` on any day it is run: its meeting falls on a day the school is open."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.config import Settings
from bot.services import services_of
from demo.script import _add_meeting, _meeting_check_in, run_demo
from demo.stage import Stage
from storage.models import Event
from tests.conftest import SHANGHAI
from tests.e2e.conftest import E2E_START

SUNDAY = datetime(2026, 12, 6, 7, 30, tzinfo=SHANGHAI)


@pytest.fixture(params=[(E2E_START, date(2026, 11, 25)), (SUNDAY, date(2026, 12, 7))])
def day_and_meeting(request: pytest.FixtureRequest) -> tuple[datetime, date]:
    return request.param


@pytest.fixture
def e2e_clock(day_and_meeting: tuple[datetime, date]) -> ManualClock:
    return ManualClock(day_and_meeting[0])


async def test_the_meeting_is_today_on_a_school_day_else_on_the_next(
    stage: Stage, day_and_meeting: tuple[datetime, date]
) -> None:
    _, meeting_day = day_and_meeting

    (added,) = await _add_meeting(stage)
    reminder, hours = await _meeting_check_in(stage)

    assert "已添加" in added.plain
    async with services_of(stage.app).sessions() as session:
        (event,) = (await session.exec(select(Event))).all()
    assert (event.on_date, event.starts_at) == (meeting_day, time(9, 0))
    # The reminder came on the meeting's day, and the check-in counted.
    assert datetime.fromtimestamp(reminder.date, SHANGHAI).date() == meeting_day
    assert "已认定 1.5" in hours.plain


async def test_the_whole_demo_passes_when_run_on_a_sunday() -> None:
    assert await run_demo(Settings(), quiet=True, start=SUNDAY) == 0
