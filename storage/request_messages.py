"""The delivered messages that carry a request's buttons, kept to be redrawn when it expires."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import RequestMessage
from storage.session_memo import table_of

_TABLE = table_of(RequestMessage)


async def keep(
    *,
    session: AsyncSession,
    kind: str,
    subject_id: int,
    chat_id: int,
    message_id: int,
    lang: str,
    now: datetime,
) -> None:
    session.add(
        RequestMessage(
            kind=kind,
            subject_id=subject_id,
            chat_id=chat_id,
            message_id=message_id,
            lang=lang,
            created_at=now,
        )
    )
    await session.flush()


async def take(*, session: AsyncSession, kind: str, subject_id: int) -> list[RequestMessage]:
    """The request's kept messages, forgotten as they are handed out (redrawn once)."""
    rows = list(
        (
            await session.exec(
                select(RequestMessage)
                .where(RequestMessage.kind == kind, RequestMessage.subject_id == subject_id)
                .order_by(col(RequestMessage.id))
            )
        ).all()
    )
    if rows:
        await session.exec(delete(_TABLE).where(_TABLE.c.id.in_([row.id for row in rows])))
    return rows


async def purge(*, session: AsyncSession, before: datetime) -> int:
    """Drops what was kept before `before`: those requests are long decided."""
    result = await session.exec(delete(_TABLE).where(_TABLE.c.created_at < before))
    return int(result.rowcount or 0)
