"""My day (我的今天): /today and /tomorrow, and the buttons that choose when the day comes."""

from __future__ import annotations

from telegram.ext import BaseHandler

from handlers.day import commands


def handlers() -> list[BaseHandler]:
    """This feature's handlers, in the order they are tried."""
    return commands.handlers()
