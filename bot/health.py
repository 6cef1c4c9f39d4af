"""`/healthz` in webhook mode: is the bot able to do its work, for a load balancer or a container.

Served by a small aiohttp server of its own on WEBHOOK_PORT + 1, beside python-telegram-bot's
webhook server: that one is a tornado application built inside `Updater.start_webhook` with no
way to add a route, and a health check that keeps working whatever the library changes inside
is worth the second port. It answers 200 when healthy and 503 otherwise, with the figures:

    {"healthy": true, "database": true, "scheduler": true,
     "last_update_seconds": 12.5, "oldest_undelivered_seconds": null}

The last update's age is shown, not judged: a school is quiet at night. A message committed and
still not delivered after `STALE_OUTBOX` is judged: the bot cannot reach Telegram, or its
delivery stopped.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application, TypeHandler

from bot import feed
from bot.services import Services, services_of
from storage import outbox

log = logging.getLogger(__name__)

PATH = "/healthz"
STALE_OUTBOX = timedelta(minutes=10)
DATABASE_SECONDS = 3.0
# After every feature's handlers: the update has been handled when this group runs.
HANDLED_GROUP = 1000

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class Health:
    database: bool
    scheduler: bool
    last_update_seconds: float | None
    oldest_undelivered_seconds: float | None

    @property
    def healthy(self) -> bool:
        stale = self.oldest_undelivered_seconds is not None and (
            self.oldest_undelivered_seconds > STALE_OUTBOX.total_seconds()
        )
        return self.database and self.scheduler and not stale

    def to_json(self) -> dict[str, Any]:
        return {"healthy": self.healthy, **asdict(self)}


def install(application: AnyApplication) -> None:
    """Notes when each update has been through the handlers."""

    async def handled(update: object, context: Any) -> None:
        svc = services_of(context.application)
        svc.last_update_at = svc.clock.now()

    application.add_handler(TypeHandler(Update, handled), group=HANDLED_GROUP)


async def check(application: AnyApplication) -> Health:
    svc = services_of(application)
    now = svc.clock.now()
    reachable, oldest = await _database(svc)
    queue = application.job_queue
    scheduler = bool(queue is not None and queue.scheduler.running and application.running)
    return Health(
        database=reachable,
        scheduler=scheduler,
        last_update_seconds=_age(now, svc.last_update_at),
        oldest_undelivered_seconds=_age(now, oldest),
    )


async def _database(svc: Services) -> tuple[bool, datetime | None]:
    try:
        async with asyncio.timeout(DATABASE_SECONDS), svc.sessions() as session:
            # Reading the outbox is the check: it answers only when the database does.
            return True, await outbox.oldest_pending(session=session)
    except Exception as exc:  # any failure to answer is the finding itself
        log.warning("health: the database did not answer (%s)", type(exc).__name__)
        return False, None


def _age(now: datetime, then: datetime | None) -> float | None:
    if then is None:
        return None
    return round(max(0.0, (now - then).total_seconds()), 1)


class HealthServer:
    """GET /healthz on `host:port`, for as long as the bot runs, and the calendar feeds
    (bot/feed.py) beside it."""

    def __init__(self, application: AnyApplication, host: str, port: int) -> None:
        self.application = application
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(PATH, self._answer)
        app.router.add_get(feed.PATH, feed.Feeds(self.application).answer)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("health endpoint and calendar feeds on http://%s:%d", self.host, self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _answer(self, request: web.Request) -> web.Response:
        health = await check(self.application)
        return web.Response(
            text=json.dumps(health.to_json()),
            status=200 if health.healthy else 503,
            content_type="application/json",
        )
