"""Leave (请假): the wizard and one-line /leave, approval, leave recorded for a colleague."""

from __future__ import annotations

from telegram.ext import BaseHandler

from handlers.leave import approval, commands, for_colleague, wizard


def handlers() -> list[BaseHandler]:
    """This feature's handlers, in the order they are tried."""
    return [
        *wizard.handlers(),
        *commands.handlers(),
        *approval.handlers(),
        *for_colleague.handlers(),
    ]
