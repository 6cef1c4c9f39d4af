"""Every minute, the watches that keep requests from waiting in silence: swaps (jobs/swaps.py),
homework postings (jobs/homework_watch.py) and link requests (jobs/registrations.py). Leave
requests have their own watch (jobs/leave.py)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from jobs.homework_watch import watch_homework
from jobs.registrations import watch_registrations
from jobs.swaps import watch_swaps

log = logging.getLogger(__name__)

REQUEST_WATCH_SECONDS = 60
WATCHES: tuple[Callable[[Any], Awaitable[object]], ...] = (
    watch_swaps,
    watch_homework,
    watch_registrations,
)


async def watch_requests(app: Any) -> None:
    for watch in WATCHES:
        try:
            await watch(app)
        except Exception:  # a failing watch must not stop the others
            log.exception("request watch %s failed", watch.__name__)


async def _request_watch_job(context: Any) -> None:
    await watch_requests(context.application)


def start(app: Any) -> None:
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _request_watch_job,
            REQUEST_WATCH_SECONDS,
            first=REQUEST_WATCH_SECONDS,
            name="requests:watch",
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )
