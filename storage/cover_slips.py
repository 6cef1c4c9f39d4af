"""The group messages a day's cover slip was delivered as, kept so a change edits them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CoverSlip


async def _slip(session: AsyncSession, school_id: int, day: date) -> CoverSlip | None:
    query = select(CoverSlip).where(CoverSlip.school_id == school_id, CoverSlip.day == day)
    return (await session.exec(query)).first()


def slip_messages(slip: CoverSlip) -> list[tuple[int, int]]:
    """(chat, message) of each part delivered, in the order they went."""
    return [(int(chat), int(message)) for chat, message in json.loads(slip.messages or "[]")]


def _store(slip: CoverSlip, messages: Iterable[tuple[int, int]]) -> None:
    slip.messages = json.dumps([list(pair) for pair in messages])


async def record_slip_messages(
    *, session: AsyncSession, sent: Iterable[tuple[int, date, int, int]]
) -> None:
    """Adds delivered slip parts (school, day, chat, message) to their slip."""
    for school_id, day, chat_id, message_id in sent:
        slip = await _slip(session, school_id, day)
        if slip is None:
            continue  # a slip nobody keeps (its day went by): nothing will edit it
        known = slip_messages(slip)
        if (chat_id, message_id) not in known:
            _store(slip, [*known, (chat_id, message_id)])
            session.add(slip)
    await session.flush()


async def forget_slip_messages(
    *, session: AsyncSession, school_id: int, day: date, chat_id: int
) -> None:
    """The chat's slip parts are no longer the ones to edit (posted anew, or gone)."""
    slip = await _slip(session, school_id, day)
    if slip is None:
        return
    _store(slip, [pair for pair in slip_messages(slip) if pair[0] != chat_id])
    session.add(slip)
    await session.flush()
