"""What follows a user's action once they have their answer, run one piece at a time.

An approval is answered as soon as it has committed; the arrangers' boards, their colleagues'
redrawn copies and the slip's update in the group follow here. They run in the order asked and
one after another: two at once would both post the same change of a slip.

Under a burst the updates would outrun their follow-ups (each holds what it will draw): the
backlog grew to about 400 in the throughput benchmark, and the boards came that much later. So
an action that finds `BACKLOG` follow-ups still waiting waits for one to finish first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Work = Callable[[], Awaitable[object]]

BACKLOG = 8


class Background:
    def __init__(self, backlog: int = BACKLOG) -> None:
        self._queue: deque[Work] = deque()
        self._task: asyncio.Task[None] | None = None
        self._backlog = backlog
        self._moved = asyncio.Event()  # set each time a follow-up is taken from the queue
        # Cleared while held (`hold`): the tests and the latency benchmark look at an action's
        # own answer before what follows it for others.
        self._open = asyncio.Event()
        self._open.set()

    async def add(self, work: Work) -> None:
        """Queues the work; returns at once unless the backlog is full."""
        self._queue.append(work)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="follow-ups")
        while len(self._queue) > self._backlog:
            self._moved.clear()
            await self._moved.wait()

    def hold(self) -> None:
        """Follow-ups wait until `release` (or `settle`, or `stop`)."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def _drain(self) -> None:
        while self._queue:
            await self._open.wait()
            work = self._queue.popleft()
            self._moved.set()
            try:
                await work()
            except Exception:  # one failure must not keep the next action's notices back
                log.exception("the notices following an action failed")

    @property
    def idle(self) -> bool:
        return self._task is None or self._task.done()

    async def settle(self) -> None:
        """Waits until everything queued so far has run (tests, the demo, the benchmarks)."""
        self.release()
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def stop(self, grace: float) -> None:
        """Lets what is queued finish, for at most `grace` seconds, so that stopping the bot
        does not drop a board an approval just promised; then gives up on the rest (it is
        kept in the database, and the next start runs it)."""
        self.release()
        if self._task is None or self._task.done():
            return
        try:
            async with asyncio.timeout(grace):
                await asyncio.shield(self._task)
        except TimeoutError:
            log.warning("stopping with %d follow-ups not sent", len(self._queue) + 1)
            self._queue.clear()
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
