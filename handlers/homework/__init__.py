"""Homework publication (作业公示): /hw, the wizard, caps, decisions and edits."""

from __future__ import annotations

from telegram.ext import BaseHandler

from handlers.homework import commands


def handlers() -> list[BaseHandler]:
    """This feature's handlers, in the order they are tried."""
    return [*commands.handlers()]
