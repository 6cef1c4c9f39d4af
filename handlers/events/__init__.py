"""Meetings and training: /events, /event, check-in, and the training-hours ledger (/hours)."""

from __future__ import annotations

from telegram.ext import BaseHandler

from handlers.events import commands, training


def handlers() -> list[BaseHandler]:
    """This feature's handlers, in the order they are tried."""
    return [*commands.handlers(), *training.handlers()]
