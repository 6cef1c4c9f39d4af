"""A request's messages with buttons are kept once delivered, and redrawn when it expires.

A Send whose `about` is `kept:<kind>:<id>:<lang>` (see `about`) is remembered with the message
Telegram made of it; when the request expires, `redraw` turns each into a closing line without
buttons, so nobody is left with an approval to press, or a promise to read, that is over.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dispatcher import Dispatcher, OutcomeContext
from bot.messages import Edit, Send
from storage.request_messages import keep, take

PREFIX = "kept"


def about(kind: str, subject_id: int, lang: str) -> str:
    return f"{PREFIX}:{kind}:{subject_id}:{lang}"


async def redraw(
    session: AsyncSession,
    kind: str,
    subject_id: int,
    text_of: Callable[[str], str],
    default_lang: str,
) -> list[Edit]:
    """An edit (text in the message's language, no buttons) for each kept message."""
    return [
        Edit(row.chat_id, row.message_id, text_of(row.lang or default_lang))
        for row in await take(session=session, kind=kind, subject_id=subject_id)
    ]


def install(dispatcher: Dispatcher) -> None:
    async def delivered(ctx: OutcomeContext) -> None:
        message = ctx.delivered.message
        if ctx.delivered.status != "sent" or not isinstance(message, Send):
            return
        if message.message_id is None:
            return
        _, kind, subject_id, lang = message.about.split(":", 3)
        await keep(
            session=ctx.session,
            kind=kind,
            subject_id=int(subject_id),
            chat_id=message.chat_id,
            message_id=message.message_id,
            lang=lang,
            now=ctx.now,
        )

    dispatcher.on_outcome(PREFIX, delivered, frozenset({"sent"}))
