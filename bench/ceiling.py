"""The framework's ceiling: a bare python-telegram-bot bot answering every update, fixed text."""

from __future__ import annotations

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


async def _reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, FIXED)


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer(FIXED)


def bare_application(token: str, base_url: str) -> Application[Any, Any, Any, Any, Any, Any]:
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{base_url}/bot")
        .base_file_url(f"{base_url}/file/bot")
        .job_queue(None)
        .build()
    )
    app.add_handler(MessageHandler(filters.COMMAND, _reply))
    app.add_handler(CallbackQueryHandler(_answer))
    return app
