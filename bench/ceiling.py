"""The framework's ceiling: a bare python-telegram-bot bot answering every update, fixed text.

`calls` makes it answer each update with that many Bot API calls on average (the button's answer
counts as one; the rest are fixed texts to the chat): with as many calls per update as the bot
makes, 2.33 say, it shows what the framework and the calls alone cost, apart from the bot's own
work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

FIXED = "ok"


Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


class _Calls:
    """How many calls each update makes so that, over the run, they average `per_update` (2.33:
    two, three, two, two, three, ...), never fewer than one."""

    def __init__(self, per_update: float) -> None:
        self.per_update = per_update
        self.updates = 0
        self.made = 0

    def next(self) -> int:
        self.updates += 1
        calls = max(1, round(self.updates * self.per_update) - self.made)
        self.made += calls
        return calls


def _reply(calls: _Calls) -> Callback:
    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        for _ in range(calls.next()):
            await context.bot.send_message(update.effective_chat.id, FIXED)

    return reply


def _answer(calls: _Calls) -> Callback:
    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None and update.effective_chat is not None
        await update.callback_query.answer(FIXED)
        for _ in range(calls.next() - 1):
            await context.bot.send_message(update.effective_chat.id, FIXED)

    return answer


def bare_application(
    token: str, base_url: str, calls: float = 1
) -> Application[Any, Any, Any, Any, Any, Any]:
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{base_url}/bot")
        .base_file_url(f"{base_url}/file/bot")
        .job_queue(None)
        .build()
    )
    counted = _Calls(calls)  # one count for both kinds: the mix's average is what matters
    app.add_handler(MessageHandler(filters.COMMAND, _reply(counted)))
    app.add_handler(CallbackQueryHandler(_answer(counted)))
    return app
