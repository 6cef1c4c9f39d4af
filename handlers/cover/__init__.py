"""Cover (代课): the arranger's board and its buttons, the substitute's side, the slip, and
long-term cover plans (固定代课)."""

from __future__ import annotations

from telegram.ext import BaseHandler

from handlers.cover import arranging, decline, plan_command, plans, substitute


def handlers() -> list[BaseHandler]:
    """This feature's handlers, in the order they are tried."""
    return [
        *arranging.handlers(),
        *decline.handlers(),
        *substitute.handlers(),
        *plans.handlers(),
        *plan_command.handlers(),
    ]
