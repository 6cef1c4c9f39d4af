"""The one place that wires everything: `build_application(settings)`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot import health, request_messages
from bot.clock import Clock, SystemClock
from bot.commands import set_menus
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.heap import settle_heap
from bot.lease import sender_id
from bot.services import SERVICES_KEY, BotContext, Services
from bot.transport import AiohttpCallsRequest, AiohttpRequest
from handlers import cover, day, duty, events, handover, homework, leave, reports, school, swap
from handlers.core import dialogue, errors, follow_ups
from handlers.cover import board_copies, slip
from handlers.school import onboarding
from jobs import backup as backup_jobs
from jobs import calendar_warnings, leave_escalation, scheduler, upkeep
from jobs import cover as cover_jobs
from jobs import duty as duty_jobs
from jobs import events as event_jobs
from jobs import handover as handover_jobs
from jobs import homework as homework_jobs
from jobs import leave as leave_jobs
from jobs import my_day as my_day_jobs
from jobs import patrol as patrol_jobs
from jobs import reports as report_jobs
from jobs.replanning import Replanner
from jobs.scheduler import push_outcome
from storage.db import create_engine, session_factory
from storage.kept import keep_schools
from views import common as dates

log = logging.getLogger(__name__)

# Each feature's handlers, in this order: the first handler that matches an update wins.
# The handover comes first: while a teacher is leaving one, a file they send is for it, not an
# import (a private file without a caption is read as an import otherwise).
FEATURES: tuple[Any, ...] = (
    handover,
    school,
    events,
    reports,
    duty,
    homework,
    leave,
    cover,
    swap,
    day,
)
JOB_MODULES: tuple[Any, ...] = (
    event_jobs,
    duty_jobs,
    patrol_jobs,
    calendar_warnings,
    homework_jobs,
    leave_jobs,
    cover_jobs,
    handover_jobs,
    my_day_jobs,
    report_jobs,
    backup_jobs,
)

# A token for the local simulator; a real deployment always sets TELEGRAM_BOT_TOKEN.
SIMULATOR_TOKEN = "100000:staffroom-simulator"
# A burst of changes (a morning's leave requests) is planned again once, this long after the
# first of them (jobs/replanning.py).
REPLAN_DELAY_SECONDS = 2.0
# How long a stopping bot keeps running what its last actions queued, and then delivering: the
# whole stop stays within the 10 s `docker stop` allows before it kills (what is left is kept
# for the next start).
FOLLOW_UPS_AT_STOP_SECONDS = 3.0
DELIVERY_AT_STOP_SECONDS = 4.0


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: AsyncEngine | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limiter: bool = True,
    set_commands: bool = True,
    freeze_heap: bool = True,
    health_address: tuple[str, int] | None = None,
    holder: str | None = None,
) -> Application[Any, BotContext, Any, Any, Any, Any]:
    """Builds the bot: services, handlers in a visible order, and the jobs at start-up.

    `freeze_heap`: once the jobs are planned, what start-up built is left out of the garbage
    collector's full passes (bot/heap.py); tests that start many bots in one process turn it
    off, as each freeze would keep the previous tests' leftovers for good.
    `health_address`: (host, port) to serve /healthz on while the bot runs (webhook mode).
    `holder`: the process's lease holder (bot/lease.py), named in the outbox rows its bot
    holds, so that a process taking over from it after a crash frees them at once.
    """
    token = settings.telegram_bot_token or SIMULATOR_TOKEN
    keep_schools(settings.schools_kept)
    builder = (
        ApplicationBuilder()
        .token(token)
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(tzinfo=settings.timezone))
    )
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url).base_file_url(
            settings.file_base_url or ""
        )
    # Both default to aiohttp (bot/transport.py); tests hand in recording ones.
    proxy = settings.proxy_url
    builder = builder.request(request if request is not None else AiohttpCallsRequest(proxy=proxy))
    builder = builder.get_updates_request(
        get_updates_request
        if get_updates_request is not None
        else AiohttpRequest(connection_pool_size=1, proxy=proxy)
    )
    # No AIORateLimiter: it waits out a 429 inside the call, so inside the handler that sent,
    # and every later update waited too. Messages go through the dispatcher's lanes instead,
    # which keep under Telegram's limits (`rate_limiter`) and wait per chat (bot/dispatcher.py).

    own_engine = engine is None
    db_engine = engine if engine is not None else create_engine(settings.database_url)
    services = Services(
        settings=settings,
        engine=db_engine,
        sessions=session_factory(db_engine),
        clock=clock or SystemClock(settings.timezone),
    )
    dates.use_clock(services.clock)  # a day of another year is written with its year

    health_server: health.HealthServer | None = None

    async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        nonlocal health_server
        if health_address is not None:
            health_server = health.HealthServer(app, *health_address)
            await health_server.start()
        if set_commands:
            await set_menus(app.bot)
        # Planning every school takes a while with many of them; the bot answers meanwhile.
        services.starting = asyncio.create_task(start_jobs(app), name="scheduler:start")

    async def start_jobs(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        # What an earlier run committed and did not deliver goes out first. Each part installs
        # its repeating jobs before anything that can fail, so a database that is not there yet
        # delays the catch-up to their next run instead of stopping it.
        for part in (upkeep.start, scheduler.start):
            try:
                await part(app)
            except Exception:
                log.exception("start-up step %s failed; its repeating job tries again", part)
        if freeze_heap:
            settle_heap()

    async def post_stop(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        # The bot can still send here: what the last actions promised goes out first; what
        # does not go out in time stays in the outbox for the next start.
        await services.background.stop(grace=FOLLOW_UPS_AT_STOP_SECONDS)
        await services.dispatcher.stop(grace=DELIVERY_AT_STOP_SECONDS)

    async def post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        if health_server is not None:
            await health_server.stop()
        if services.replanner is not None:
            await services.replanner.stop()
        if services.starting is not None and not services.starting.done():
            services.starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await services.starting
        if own_engine:
            await db_engine.dispose()

    builder = builder.post_init(post_init).post_stop(post_stop).post_shutdown(post_shutdown)
    application = builder.build()
    application.bot_data[SERVICES_KEY] = services
    services.dispatcher = Dispatcher(
        application.bot,
        services.sessions,
        services.clock,
        paced=rate_limiter,
        lease=settings.delivery_lease,
        owner=sender_id(holder) if holder is not None else None,
    )
    services.recover_work = follow_ups.recover
    _install_outcomes(application)

    async def replan(school_id: int, kinds: frozenset[str] | None) -> None:
        if kinds is None:
            await scheduler.rebuild_changed(application)
        else:
            await scheduler.rebuild(application, school_id, kinds)

    services.replanner = Replanner(replan, delay=REPLAN_DELAY_SECONDS)

    dialogue.install(application)
    for feature in FEATURES:
        for handler in feature.handlers():
            application.add_handler(handler)
    # Each feature's scheduled pushes.
    for jobs_module in JOB_MODULES:
        services.push_kinds.extend(jobs_module.push_kinds())
    for handler in onboarding.fallback_handlers():
        application.add_handler(handler)
    if health_address is not None:
        health.install(application)  # the last update's age, which /healthz reports
    application.add_error_handler(errors.on_error)
    return application


def _install_outcomes(app: Application[Any, BotContext, Any, Any, Any, Any]) -> None:
    """Registers what must happen when a message cannot be delivered (or finally is)."""
    svc = app.bot_data[SERVICES_KEY]
    svc.dispatcher.on_outcome("push", push_outcome(app))
    leave_escalation.install(svc.dispatcher, svc.settings.default_language)
    request_messages.install(svc.dispatcher)
    board_copies.install(svc.dispatcher, svc.settings.default_language)
    slip.install(svc.dispatcher)
