"""Reminders to approvers: after the policy delay, in school hours only, once a school day."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from jobs import scheduler
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools.leave import LEADER, TEACHER, seed


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
async def harness(engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[BotHarness]:
    async with BotHarness(Settings(), engine, clock) as bot:
        yield bot


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def reminders(bot: BotHarness) -> list[str]:
    return [m.plain for m in bot.in_chat(LEADER) if m.plain.startswith("⏰")]


async def move(bot: BotHarness, clock: ManualClock, until: datetime) -> None:
    start = clock.now()
    clock.set(until)
    await scheduler.fire_due(bot.app, start, until)


async def test_the_approver_is_reminded_after_the_delay_and_each_school_morning(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/leave 事假 周五 上午 办事")  # Wed 09:00

    await move(harness, clock, at(25, 10, 59))
    assert reminders(harness) == []
    await move(harness, clock, at(25, 11, 1))
    assert len(reminders(harness)) == 1
    reminder = harness.last(LEADER)
    assert "仍在等你审批" in reminder.plain and "办事" in reminder.plain
    assert [label for label, _ in reminder.buttons] == ["批准", "驳回"]
    # Firing the same window again (a restart, a second process) sends nothing more.
    await scheduler.fire_due(harness.app, at(25, 9), at(25, 11, 1))
    await move(harness, clock, at(26, 7, 59))
    assert len(reminders(harness)) == 1
    await move(harness, clock, at(26, 8, 1))  # Thursday's first bell
    assert len(reminders(harness)) == 2

    await harness.press(harness.user(LEADER), reminder, reminder.data_of("批准"))
    before = len(harness.in_chat(LEADER))
    await move(harness, clock, at(27, 12))
    assert harness.in_chat(LEADER)[before:] == []  # decided: no more reminders


async def test_no_reminder_outside_school_hours(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    clock.set(at(25, 15))
    await harness.send(harness.user(TEACHER), "/leave 事假 周五 下午 办事")
    await move(harness, clock, at(26, 7, 30))  # due at 17:00, after the last bell
    assert reminders(harness) == []
    await move(harness, clock, at(26, 8, 0))
    assert len(reminders(harness)) == 1
