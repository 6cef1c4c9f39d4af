"""What a scheduled push says, queued while it is composed and kept with its ledger claim.

A push composes its messages inside one transaction that also claims its slot in the ledger;
the helpers below only queue (`collecting()`), and the scheduler writes the queue to the outbox
in that same transaction. So a push is claimed if and only if its messages are kept, and the
dispatcher (bot/dispatcher.py) delivers them with retries, paced, one lane per chat.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot, InlineKeyboardMarkup

from bot.config import Settings
from bot.messages import Attachment, Send
from bot.texts import t
from storage.schools import staff_groups
from storage.staff import admin_recipients

_QUEUE: ContextVar[list[Send] | None] = ContextVar("push_queue", default=None)


@contextmanager
def collecting() -> Iterator[list[Send]]:
    """While composing a push: the helpers below queue into the list."""
    queue: list[Send] = []
    token = _QUEUE.set(queue)
    try:
        yield queue
    finally:
        _QUEUE.reset(token)


async def send_to_chat(
    bot: Bot,
    session: AsyncSession,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    board: tuple[int, date, int] | None = None,
    thread_id: int | None = None,
    slip: tuple[int, date] | None = None,
    attachment: Attachment | None = None,
) -> bool:
    """Queues the message of the push being composed; True (it is kept, and will go).
    `attachment`: a file sent with the text as its caption."""
    queue = _QUEUE.get()
    if queue is None:
        raise RuntimeError("a push's message is queued only while the push is composed")
    queue.append(
        Send(
            chat_id,
            text,
            markup,
            board=board,
            slip=slip,
            bulk=True,
            message_thread_id=thread_id,
            attachment=attachment,
        )
    )
    return True


async def send_to_staff_groups(
    bot: Bot,
    session: AsyncSession,
    school_id: int,
    texts: Sequence[str],
    markup: InlineKeyboardMarkup | None = None,
    *,
    thread_id: int | None = None,
    slip: tuple[int, date] | None = None,
) -> int:
    """Sends the texts to every bound group of the school (the markup under the last one);
    `thread_id`: the forum topic the school chose for them (`PolicySet.topic`); `slip` marks a
    cover slip's parts, kept once sent to be edited later."""
    taken = 0
    for group in await staff_groups(session=session, school_id=school_id):
        for index, text in enumerate(texts):
            last = index == len(texts) - 1
            chosen = markup if last else None
            if await send_to_chat(
                bot, session, group.chat_id, text, chosen, thread_id=thread_id, slip=slip
            ):
                taken += 1
    return taken


async def notify_admins(
    bot: Bot, session: AsyncSession, settings: Settings, school_id: int, key: str, **values: object
) -> int:
    taken = 0
    for telegram_id, lang in await admin_recipients(
        session=session,
        school_id=school_id,
        system_admins=settings.bootstrap_admin_ids,
        default_language=settings.default_language,
    ):
        if await send_to_chat(bot, session, telegram_id, t(lang, key, **values)):
            taken += 1
    return taken
