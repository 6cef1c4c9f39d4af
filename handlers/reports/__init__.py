"""Reports: the office's records as Excel workbooks and charts (/report), and what the office
records for them (a month locked, a cover entered)."""

from __future__ import annotations

from telegram.ext import BaseHandler

from handlers.reports import asking


def handlers() -> list[BaseHandler]:
    """This feature's handlers, in the order they are tried."""
    return asking.handlers()
