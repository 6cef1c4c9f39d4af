"""Duties: /duty, the roster, leave-aware replacement, /dutyswap and the patrol report."""

from __future__ import annotations

from telegram.ext import BaseHandler

from handlers.duty import commands, leave, patrol, swap


def handlers() -> list[BaseHandler]:
    """This feature's handlers, in the order they are tried."""
    return [*commands.handlers(), *leave.handlers(), *swap.handlers(), *patrol.handlers()]
