"""My day (我的今天): /today and /tomorrow, and the buttons that choose when the day comes."""

from __future__ import annotations

from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callbacks
from handlers.day import calendar_feed, commands


def handlers() -> list[BaseHandler]:
    """This feature's handlers, in the order they are tried."""
    return [
        *commands.handlers(),
        CallbackQueryHandler(calendar_feed.on_new_link, pattern=callbacks.FEED.pattern),
    ]
