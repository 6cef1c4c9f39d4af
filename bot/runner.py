"""`staffroom run`: migrate, then long-poll Telegram until stopped."""

from __future__ import annotations

import asyncio
import sys

from bot.admin_cli import plain
from bot.config import Settings
from bot.logs import setup_logging
from bot.texts import t
from storage.migrate import upgrade_async


async def run(settings: Settings) -> int:
    if not settings.telegram_bot_token:
        print(plain(t(settings.default_language, "cli.no_token")), file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.secrets)
    await upgrade_async(settings.database_url)
    from bot.app import build_application

    application = build_application(settings)
    stop = asyncio.Event()
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(drop_pending_updates=False)
        try:
            await stop.wait()
        except asyncio.CancelledError:
            pass
        finally:
            await application.updater.stop()
            await application.stop()
    return 0
