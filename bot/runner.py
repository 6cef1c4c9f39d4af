"""`staffroom run`: migrate, reach Telegram, take the lease (or stand by until it is free), then
receive updates until stopped (Ctrl-C or SIGTERM) or until the lease is lost (then stand by again).

Several processes may run against one database; the lease (bot/lease.py) keeps receiving
updates and the scheduled pushes to one of them at a time.

Long polling unless a webhook is set (WEBHOOK_URL, or `--webhook`): then python-telegram-bot's
webhook server takes the updates Telegram posts, refusing (403) any without the secret token,
and /healthz is served beside it (bot/health.py) with the calendar feeds (bot/feed.py); when
polling, FEED_PORT serves these two alone. A process standing by serves none of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator
from typing import Any

from telegram import Update

from bot import heartbeat, startup
from bot.admin_cli import CliError, check_database, plain, report
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.lease import ProcessLease
from bot.logs import setup_logging
from bot.services import services_of
from bot.texts import t
from bot.webhook import server_address, webhook_arguments
from storage.db import create_engine, session_factory
from storage.migrate import upgrade_async

EXIT_START_FAILED = 2
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# setWebhook is tried this many more times at start before giving up (a network blip).
WEBHOOK_BOOTSTRAP_RETRIES = 5

log = logging.getLogger(__name__)

AnyApplication = Any


def run(settings: Settings, *, webhook: bool = False, clock: Clock | None = None) -> int:
    """`webhook`: insist on webhook mode (`--webhook`). `clock`: the school time the bot lives in
    (a shifted one in the fault soak and the takeover test); real time otherwise."""
    if not settings.telegram_bot_token:
        print(plain(t(settings.default_language, "cli.no_token")), file=sys.stderr)
        return 2
    if webhook and not settings.webhook_url:
        print(plain(t(settings.default_language, "cli.webhook_no_url")), file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.secrets, log_format=settings.log_format)
    # The HTTP client reads its proxy from the process environment; the real one wins.
    for name, value in settings.proxy_environment:
        os.environ.setdefault(name, value)
    try:
        asyncio.run(check_database(settings))
    except CliError as error:
        return report(error)
    asyncio.run(upgrade_async(settings.database_url))
    # One loop for the wait, the lease and polling: the HTTP sessions opened while waiting
    # live in it.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # The lease has an engine of its own, so that it is renewed however busy the bot's is.
    engine = create_engine(settings.database_url)
    lease = ProcessLease(session_factory(engine), clock or SystemClock(settings.timezone), settings)
    try:
        return _serve(loop, settings, clock, lease)
    finally:
        loop.run_until_complete(lease.release())
        loop.run_until_complete(engine.dispose())
        loop.close()


def _serve(
    loop: asyncio.AbstractEventLoop, settings: Settings, clock: Clock | None, lease: ProcessLease
) -> int:
    from bot.app import build_application

    first = True
    while True:
        # A new application each time this process becomes active: one that stopped is not
        # started again. Only the first freezes the heap (bot/heap.py), or each would keep the
        # last one's leftovers for good.
        # /healthz and the calendar feeds: beside the webhook, or on FEED_PORT while polling.
        application = build_application(
            settings,
            clock=clock,
            freeze_heap=first,
            health_address=server_address(settings),
            holder=lease.holder,
        )
        heartbeat.install(application, settings.heartbeat_file, services_of(application).clock)
        first = False
        code = _reach(loop, application, settings)
        if code is not None:
            return code
        if not loop.run_until_complete(startup.unless_stopped(lease.wait_active())):
            loop.run_until_complete(startup.release(application))
            return 0
        code = _work(loop, application, settings, lease)
        if code is not None:
            return code


def _reach(
    loop: asyncio.AbstractEventLoop, application: AnyApplication, settings: Settings
) -> int | None:
    """Waits until Telegram answers; None once it did, else the exit code."""
    try:
        reached = loop.run_until_complete(startup.reach_telegram(application, settings))
    except Exception as exc:  # whatever stopped it is said in one line, without the token
        if isinstance(exc, startup.StartupFailed):
            print(str(exc), file=sys.stderr)
        else:
            log.debug("start-up failed", exc_info=True)
            print(startup.failure_line(settings, exc), file=sys.stderr)
        reached = None
    if reached:
        return None
    # Refused, or stopped while waiting.
    loop.run_until_complete(startup.release(application))
    return 0 if reached is False else EXIT_START_FAILED


def _work(
    loop: asyncio.AbstractEventLoop,
    application: AnyApplication,
    settings: Settings,
    lease: ProcessLease,
) -> int | None:
    """Receives updates and runs the scheduler while the lease is held; the exit code once
    stopped, None when the lease was lost (the caller stands by again)."""
    stopping = False
    signalled = False

    def stop() -> None:
        # As python-telegram-bot's own signal handling does: SystemExit out of the loop ends
        # run_polling in its orderly way (updater, jobs, the last deliveries, shutdown),
        # whether it is still starting or already polling.
        nonlocal stopping
        if stopping:
            return
        stopping = True
        keeping.cancel()
        loop.call_soon(_raise_stop)

    def on_signal() -> None:
        nonlocal signalled
        signalled = True
        stop()

    keeping = loop.create_task(lease.keep(stop), name="lease:keep")
    try:
        with _signals(loop, on_signal):
            # The signals are ours here: the lease keeper must be stopped with the bot.
            if settings.webhook_url is not None:
                log.info(
                    "receiving updates by webhook on %s:%d%s",
                    settings.webhook_listen,
                    settings.webhook_port,
                    settings.webhook_path,
                )
                application.run_webhook(
                    **webhook_arguments(settings),
                    bootstrap_retries=WEBHOOK_BOOTSTRAP_RETRIES,
                    close_loop=False,
                    stop_signals=None,
                )
            else:
                application.run_polling(
                    allowed_updates=Update.ALL_TYPES, close_loop=False, stop_signals=None
                )
    except SystemExit:  # a second signal while stopping
        return 0
    except Exception as exc:
        log.debug("the bot stopped on an error", exc_info=True)
        print(startup.failure_line(settings, exc), file=sys.stderr)
        return EXIT_START_FAILED
    finally:
        keeping.cancel()
        loop.run_until_complete(asyncio.gather(keeping, return_exceptions=True))
    if lease.lost and not signalled:
        return None
    return 0


def _raise_stop() -> None:
    raise SystemExit


@contextlib.contextmanager
def _signals(loop: asyncio.AbstractEventLoop, handler: Any) -> Iterator[None]:
    installed: list[signal.Signals] = []
    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, handler)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
            continue
        installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
