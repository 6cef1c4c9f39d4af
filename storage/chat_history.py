"""What the database remembers of each chat's messages: the bot's delivered messages, and the
highest message id it holds anywhere.

Telegram keeps a chat's messages and numbers them once and for all. A local simulator started
again over a database it wrote before (a resumed playground) shows the messages still kept, and
numbers past every id the database holds, or a new message could take the id of one it still
refers to (a cover board's copy, a request's buttons).
"""

from __future__ import annotations

from sqlalchemy import Column, Table, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage, metadata
from storage.outbox import SENT

REPLY_TO = "reply_to"


def _chat_message_columns(table: Table) -> list[tuple[Column[int], Column[int]]]:
    """(chat id, message id) column pairs: `chat_id` with `message_id` or `reply_to`, and
    `<x>_chat_id` with `<x>_message_id`. Found by name, so a table added later is counted too."""
    pairs = []
    for column in table.columns:
        if column.name.endswith("message_id"):
            chat = column.name.removesuffix("message_id") + "chat_id"
        elif column.name == REPLY_TO:
            chat = "chat_id"
        else:
            continue
        if chat in table.columns:
            pairs.append((table.columns[chat], column))
    return pairs


async def highest_message_ids(*, session: AsyncSession) -> dict[int, int]:
    highest: dict[int, int] = {}
    for table in metadata.sorted_tables:
        for chat, message in _chat_message_columns(table):
            rows = await session.exec(
                select(chat, func.max(message)).where(message.is_not(None)).group_by(chat)
            )
            for chat_id, message_id in rows:
                if chat_id is not None and message_id > highest.get(chat_id, 0):
                    highest[chat_id] = message_id
    return highest


async def delivered_messages(*, session: AsyncSession) -> list[OutboxMessage]:
    """The bot's sends and edits that reached Telegram and are still kept, in the order made."""
    rows = await session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.status) == SENT, col(OutboxMessage.message_id).is_not(None))
        .order_by(col(OutboxMessage.id))
    )
    return list(rows)
