"""`staffroom run`: migrate, reach Telegram, then receive updates until stopped (Ctrl-C or SIGTERM).

Long polling unless a webhook is set (WEBHOOK_URL, or `--webhook`): then python-telegram-bot's
webhook server takes the updates Telegram posts, refusing (403) any without the secret token,
and /healthz is served beside it (bot/health.py) with the calendar feeds (bot/feed.py); when
polling, FEED_PORT serves these two alone.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from telegram import Update

from bot import heartbeat, startup
from bot.admin_cli import CliError, check_database, plain, report
from bot.config import Settings
from bot.logs import setup_logging
from bot.services import services_of
from bot.texts import t
from bot.webhook import server_address, webhook_arguments
from storage.migrate import upgrade_async

EXIT_START_FAILED = 2
# setWebhook is tried this many more times at start before giving up (a network blip).
WEBHOOK_BOOTSTRAP_RETRIES = 5

log = logging.getLogger(__name__)


def run(settings: Settings, *, webhook: bool = False) -> int:
    if not settings.telegram_bot_token:
        print(plain(t(settings.default_language, "cli.no_token")), file=sys.stderr)
        return 2
    if webhook and not settings.webhook_url:
        print(plain(t(settings.default_language, "cli.webhook_no_url")), file=sys.stderr)
        return 2
    by_webhook = settings.webhook_url is not None
    setup_logging(settings.log_level, settings.secrets, log_format=settings.log_format)
    # The HTTP client reads its proxy from the process environment; the real one wins.
    for name, value in settings.proxy_environment:
        os.environ.setdefault(name, value)
    try:
        asyncio.run(check_database(settings))
    except CliError as error:
        return report(error)
    asyncio.run(upgrade_async(settings.database_url))
    from bot.app import build_application

    # /healthz and the calendar feeds: beside the webhook, or on FEED_PORT while polling.
    application = build_application(settings, health_address=server_address(settings))
    heartbeat.install(application, settings.heartbeat_file, services_of(application).clock)
    # One loop for the wait and for polling: the HTTP sessions opened while waiting live in it.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        reached = loop.run_until_complete(startup.reach_telegram(application, settings))
    except Exception as exc:  # whatever stopped it is said in one line, without the token
        if isinstance(exc, startup.StartupFailed):
            print(str(exc), file=sys.stderr)
        else:
            log.debug("start-up failed", exc_info=True)
            print(startup.failure_line(settings, exc), file=sys.stderr)
        reached = None
    if not reached:  # refused, or stopped while waiting
        loop.run_until_complete(startup.release(application))
        loop.close()
        return 0 if reached is False else EXIT_START_FAILED
    try:
        # Either owns the loop from here and stops cleanly on SIGINT and SIGTERM.
        if by_webhook:
            log.info(
                "receiving updates by webhook on %s:%d%s",
                settings.webhook_listen,
                settings.webhook_port,
                settings.webhook_path,
            )
            application.run_webhook(
                **webhook_arguments(settings), bootstrap_retries=WEBHOOK_BOOTSTRAP_RETRIES
            )
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except Exception as exc:
        log.debug("the bot stopped on an error", exc_info=True)
        print(startup.failure_line(settings, exc), file=sys.stderr)
        return EXIT_START_FAILED
    return 0
