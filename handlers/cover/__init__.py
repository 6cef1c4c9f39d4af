"""Cover (代课): the arranger's board and its buttons, the substitute's side, the slip."""

from __future__ import annotations

from telegram.ext import BaseHandler

from handlers.cover import arranging, decline, substitute


def handlers() -> list[BaseHandler]:
    """This feature's handlers, in the order they are tried."""
    return [*arranging.handlers(), *decline.handlers(), *substitute.handlers()]
