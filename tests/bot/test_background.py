"""The queue of work that follows an action: in order, one at a time, failures contained."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest

from bot.background import Background


async def test_work_runs_in_the_order_asked_and_one_at_a_time() -> None:
    background = Background()
    log: list[str] = []
    running = 0

    def work(name: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            nonlocal running
            running += 1
            assert running == 1
            log.append(f"{name} starts")
            await asyncio.sleep(0)  # yields, as a database call would
            log.append(f"{name} ends")
            running -= 1

        return run

    for name in ("a", "b", "c"):
        await background.add(work(name))
    await background.settle()

    assert log == ["a starts", "a ends", "b starts", "b ends", "c starts", "c ends"]


async def test_a_failure_is_logged_and_the_next_work_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    background = Background()
    done: list[str] = []

    async def fails() -> None:
        raise RuntimeError("boom")

    async def works() -> None:
        done.append("ran")

    with caplog.at_level(logging.ERROR):
        await background.add(fails)
        await background.add(works)
        await background.settle()

    assert done == ["ran"]
    assert "the notices following an action failed" in caplog.text


async def test_stopping_lets_queued_work_finish() -> None:
    background = Background()
    done: list[int] = []

    async def work() -> None:
        await asyncio.sleep(0)
        done.append(1)

    for _ in range(3):
        await background.add(work)
    await background.stop(grace=5)

    assert done == [1, 1, 1]


async def test_stopping_gives_up_on_work_that_does_not_finish_in_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    background = Background()
    never = asyncio.Event()
    after: list[str] = []

    async def hangs() -> None:
        await never.wait()

    async def queued() -> None:
        after.append("ran")

    await background.add(hangs)
    await background.add(queued)
    with caplog.at_level(logging.WARNING):
        await background.stop(grace=0.05)

    assert after == []
    assert "stopping with 2 follow-ups not sent" in caplog.text
    await background.settle()  # nothing left running


async def test_an_action_waits_while_the_backlog_is_full() -> None:
    background = Background(backlog=2)
    release = asyncio.Event()
    await background.add(release.wait)  # taken at once: the queue is empty again
    await asyncio.sleep(0)
    done: list[int] = []

    async def work() -> None:
        done.append(1)

    await background.add(work)
    await background.add(work)
    third = asyncio.create_task(background.add(work))
    await asyncio.sleep(0)
    assert not third.done()  # three waiting, more than the backlog of two

    release.set()
    await third
    await background.settle()
    assert done == [1, 1, 1]
