"""Flood limits, the waiting helpers and observers."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import RetryAfter

from simulator import SimMessage, Simulator
from simulator.faults import RateLimiter
from tests.simulator.sim_helpers import ALICE, GROUP, group_with_bot, make_bot


async def test_group_flood_limit() -> None:
    async with Simulator(enforce_rate_limits=True) as sim:
        sim.add_user(1001, "Alice")
        sim.add_user(1002, "Bob")
        sim.add_group(GROUP, "Staff room", members=[1001, 1002])
        await sim.add_bot_to_group(GROUP, 1001)
        async with make_bot(sim) as bot:
            results = await asyncio.gather(
                *(bot.send_message(GROUP, f"notice {i}") for i in range(25)),
                return_exceptions=True,
            )
    refused = [r for r in results if isinstance(r, RetryAfter)]
    assert len(refused) >= 5
    assert all(r.retry_after.total_seconds() >= 1 for r in refused)
    assert len(sim.bot_messages(GROUP)) == 25 - len(refused)
    assert sim.stats.rate_limited_429 == len(refused)
    assert sim.stats.injected_429 == 0


def test_rate_limiter_windows() -> None:
    now = [100.0]
    limiter = RateLimiter(clock=lambda: now[0])
    for _ in range(20):
        assert limiter.check(GROUP, True) is None
        limiter.record(GROUP, True)
    assert limiter.check(GROUP, True) == 60
    assert limiter.check(ALICE, False) is None  # private chats only share the global limit
    now[0] += 30.5
    assert limiter.check(GROUP, True) == 30
    now[0] += 29.5
    assert limiter.check(GROUP, True) is None
    for _ in range(30):
        limiter.record(ALICE, False)
    assert limiter.check(ALICE, False) == 1
    now[0] += 1.0
    assert limiter.check(ALICE, False) is None


async def test_wait_for_timeout_explains(sim: Simulator) -> None:
    with pytest.raises(TimeoutError, match=r"bot message in chat 1001") as excinfo:
        await sim.wait_bot_message(ALICE, contains="never", timeout=0.05)
    assert "has not sent" in str(excinfo.value)


async def test_observer_and_cursor(sim: Simulator) -> None:
    await group_with_bot(sim)
    seen: list[tuple[str, bool]] = []
    unsubscribe = sim.on_bot_message(lambda m: seen.append((m.plain, m.edited)))
    received: list[SimMessage] = []

    async def async_observer(message: SimMessage) -> None:
        received.append(message)

    sim.on_bot_message(async_observer)
    cursor = sim.seq
    async with make_bot(sim) as bot:
        first = await bot.send_message(GROUP, "one")
        await bot.send_message(GROUP, "two")
        await bot.edit_message_text("one!", GROUP, first.message_id)
    assert seen == [("one", False), ("two", False), ("one!", True)]
    assert [m.plain for m in sim.bot_messages(GROUP, since=cursor)] == ["two", "one!"]
    assert [m.plain for m in sim.bot_messages(GROUP, since=cursor + 2)] == ["one!"]
    assert sim.state.sends_since(cursor) == 2
    await sim.wait_for(lambda: len(received) == 3)
    unsubscribe()
