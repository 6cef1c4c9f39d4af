"""`staffroom run`: migrate, then long-poll Telegram until stopped (Ctrl-C or SIGTERM)."""

from __future__ import annotations

import asyncio
import sys

from telegram import Update

from bot.admin_cli import CliError, check_database, plain, report
from bot.config import Settings
from bot.logs import setup_logging
from bot.texts import t
from storage.migrate import upgrade_async


def run(settings: Settings) -> int:
    if not settings.telegram_bot_token:
        print(plain(t(settings.default_language, "cli.no_token")), file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.secrets)
    try:
        asyncio.run(check_database(settings))
    except CliError as error:
        return report(error)
    asyncio.run(upgrade_async(settings.database_url))
    from bot.app import build_application

    application = build_application(settings)
    # run_polling owns the event loop and stops cleanly on SIGINT and SIGTERM.
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
