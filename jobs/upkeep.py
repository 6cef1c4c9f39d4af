"""Keeping the outbox moving: what was left undelivered or undone is taken up, at start and
every `SWEEP_SECONDS` while the bot runs.

A process that died (kill -9, out of memory, a container stopped after its grace) leaves rows
it held; once their lease runs out, this takes them over. The same sweep keeps this process's
own rows held while a retry waits, and drops delivered rows once they are a week old.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram.ext import ContextTypes

from bot.services import services_of
from jobs import leave as leave_jobs
from jobs import requests as request_jobs
from storage.outbox import purge, unreachable_since
from storage.request_messages import purge as purge_kept

log = logging.getLogger(__name__)

SWEEP_SECONDS = 15
# What this process holds is held again at every sweep, so sweeps come at least twice a lease:
# one that comes late (a busy loop) by up to half a lease is still in time.
SWEEPS_PER_LEASE = 2
# Delivered rows are kept a week (what was given up stays for the admins).
KEEP_DELIVERED = timedelta(days=7)
PURGE_EVERY = 240  # sweeps: about once an hour
# A request's messages are kept to be redrawn if it expires; every request is over long before.
KEEP_REQUEST_MESSAGES = timedelta(days=30)

AnyApp = Any


async def start(app: AnyApp) -> None:
    """At start: who cannot be written to, then what earlier runs left, then the sweeps."""
    svc = services_of(app)
    # The repeating jobs first: if the first sweep fails (the database not there yet), the
    # next one tries again.
    leave_jobs.start(app)
    request_jobs.start(app)
    if app.job_queue is not None:
        every = sweep_seconds(svc.dispatcher.lease)
        app.job_queue.run_repeating(
            _sweep_job,
            every,
            first=every,
            name="outbox:sweep",
            # Never dropped for running late (a paused process, a busy loop): it is the catch-up.
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )
    try:
        await sweep(app)
    except Exception:
        log.exception("the first look at the outbox failed; the next sweep tries again")


def sweep_seconds(lease: timedelta) -> float:
    """How often to sweep: every `SWEEP_SECONDS`, or more often with a short lease
    (DELIVERY_LEASE_SECONDS), else another process would take over, and send again, a
    message this one still holds while a retry waits."""
    return min(float(SWEEP_SECONDS), lease.total_seconds() / SWEEPS_PER_LEASE)


async def sweep(app: AnyApp) -> int:
    svc = services_of(app)
    async with svc.sessions() as session:
        # Kept fresh: another process may have found someone unreachable, or seen them again.
        svc.dispatcher.unreachable = set(await unreachable_since(session=session))
    taken = await svc.dispatcher.sweep()
    taken += await svc.recover_work(app)
    svc.sweeps += 1
    if svc.sweeps % PURGE_EVERY == 0:
        async with svc.sessions() as session, session.begin():
            await purge(session=session, before=svc.clock.now() - KEEP_DELIVERED)
            await purge_kept(session=session, before=svc.clock.now() - KEEP_REQUEST_MESSAGES)
    return taken


async def _sweep_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await sweep(context.application)
