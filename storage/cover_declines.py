"""The question 拒绝 asks (why?), kept while the substitute types the answer.

The dialogue that takes the answer lives in memory; this row lets the answer still be taken
when the bot restarted in between (handlers/cover/decline.py). One per person: a second 拒绝
replaces the first question, as the dialogue does.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import DeclineAsk


async def remember_ask(*, session: AsyncSession, ask: DeclineAsk) -> None:
    await forget_ask(session=session, telegram_id=ask.telegram_id)
    session.add(ask)
    await session.flush()


async def forget_ask(*, session: AsyncSession, telegram_id: int) -> None:
    await session.exec(delete(DeclineAsk).where(col(DeclineAsk.telegram_id) == telegram_id))


async def take_ask(
    *, session: AsyncSession, telegram_id: int, asked_since: datetime
) -> DeclineAsk | None:
    """The person's open question, asked at `asked_since` or later, removed as it is taken;
    None when there is none (an older one is removed as well)."""
    found = (
        await session.exec(select(DeclineAsk).where(col(DeclineAsk.telegram_id) == telegram_id))
    ).first()
    if found is None:
        return None
    session.expunge(found)  # given back as plain values; the row goes
    await forget_ask(session=session, telegram_id=telegram_id)
    return found if found.asked_at >= asked_since else None
