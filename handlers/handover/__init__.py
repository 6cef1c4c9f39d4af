"""Lesson handover (课务交接): the absent teacher's notes and files for whoever covers, and the
substitute's 已上 with a line on how the lesson went."""

from __future__ import annotations

from telegram.ext import BaseHandler

from handlers.handover import attaching, taught


def handlers() -> list[BaseHandler]:
    """This feature's handlers, in the order they are tried."""
    return [*attaching.handlers(), *taught.handlers()]
