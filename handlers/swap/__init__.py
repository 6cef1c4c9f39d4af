"""Lesson swaps (调课): the wizard and one-line /swap, the answers, taking one back."""

from __future__ import annotations

from telegram.ext import BaseHandler

from handlers.swap import cancel, commands, wizard


def handlers() -> list[BaseHandler]:
    """This feature's handlers, in the order they are tried."""
    return [*wizard.handlers(), *commands.handlers(), *cancel.handlers()]
