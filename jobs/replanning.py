"""Rebuilding a school's jobs after a change, beside the replies rather than before the next one.

A change (a leave request, a roster edit) asks for its school's pushes to be planned again. The
rebuild runs as one background task; requests arriving while it runs, or in the short `delay`
before it starts, are merged, so a burst of fifty leave requests in the morning costs a few
rebuilds, not fifty, and no user waits for one. No planned push is due within that delay of the
change that moves it: reminders wait minutes, slips and announcements are set times.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Rebuild = Callable[[int, frozenset[str] | None], Awaitable[object]]


class Replanner:
    def __init__(self, rebuild: Rebuild, delay: float = 0.0) -> None:
        self._rebuild = rebuild
        self._delay = delay
        self._hurry = asyncio.Event()  # set by settle(): plan now, do not wait out the delay
        # school id → the kinds to plan again (None: all of them, and other processes' changes)
        self._pending: dict[int, frozenset[str] | None] = {}
        self._task: asyncio.Task[None] | None = None

    def request(self, school_id: int, kinds: frozenset[str] | None) -> None:
        if school_id in self._pending:
            known = self._pending[school_id]
            self._pending[school_id] = None if known is None or kinds is None else known | kinds
        else:
            self._pending[school_id] = kinds
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="scheduler:replan")

    async def _drain(self) -> None:
        if self._delay > 0 and not self._hurry.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._hurry.wait(), self._delay)
        while self._pending:
            school_id = next(iter(self._pending))
            kinds = self._pending.pop(school_id)
            try:
                await self._rebuild(school_id, kinds)
            except Exception:  # one school's failure must not stop the others' planning
                log.exception("planning the pushes of school %s again failed", school_id)

    async def settle(self) -> None:
        """Waits until every requested rebuild is done (tests, the demo, shutdown)."""
        self._hurry.set()
        try:
            while self._task is not None and not self._task.done():
                await asyncio.shield(self._task)
        finally:
            self._hurry.clear()

    async def stop(self) -> None:
        self._pending.clear()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
