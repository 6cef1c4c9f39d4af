"""The framework's ceiling: a bare python-telegram-bot bot answering every update, fixed text.

`calls` makes it answer each update with that many Bot API calls (the button's answer counts as
one; the rest are fixed texts to the chat): with as many calls per update as the bot makes, it
shows what the framework and the calls alone cost, apart from the bot's own work.
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


def _reply(calls: int) -> Callback:
    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        for _ in range(calls):
            await context.bot.send_message(update.effective_chat.id, FIXED)

    return reply


def _answer(calls: int) -> Callback:
    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None and update.effective_chat is not None
        await update.callback_query.answer(FIXED)
        for _ in range(calls - 1):
            await context.bot.send_message(update.effective_chat.id, FIXED)

    return answer


def bare_application(
    token: str, base_url: str, calls: int = 1
) -> Application[Any, Any, Any, Any, Any, Any]:
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{base_url}/bot")
        .base_file_url(f"{base_url}/file/bot")
        .job_queue(None)
        .build()
    )
    app.add_handler(MessageHandler(filters.COMMAND, _reply(calls)))
    app.add_handler(CallbackQueryHandler(_answer(calls)))
    return app
