"""The cover boards sent to arrangers, kept per school and day to draw every copy again: each
with the lesson it shows, and forgotten once a newer copy of its day reached the same chat."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import insert
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CoverBoardCopy

# A day's board is rarely sent more often than this; past it the oldest copies are not redrawn.
MOST_COPIES = 40


async def record_copies(
    *,
    session: AsyncSession,
    copies: Iterable[tuple[int, date, int, int, int]],
    today: date | None,
) -> None:
    """Stores delivered boards (school, day, arranger, chat, message); forgets days before
    `today` (None: a push that sends boards leaves that to the next action)."""
    rows = [
        {
            "school_id": school_id,
            "day": day,
            "staff_id": staff_id,
            "chat_id": chat_id,
            "message_id": message_id,
        }
        for school_id, day, staff_id, chat_id, message_id in copies
    ]
    if not rows:
        return
    # One statement for all of them: an approval sends a board to each arranger.
    await session.exec(insert(CoverBoardCopy).values(rows))
    if today is None:
        return
    schools = {row["school_id"] for row in rows}
    await session.exec(
        delete(CoverBoardCopy).where(
            col(CoverBoardCopy.school_id).in_(schools), col(CoverBoardCopy.day) < today
        )
    )


async def copies_of(*, session: AsyncSession, school_id: int, day: date) -> list[CoverBoardCopy]:
    """The day's boards, newest first."""
    query = (
        select(CoverBoardCopy)
        .where(CoverBoardCopy.school_id == school_id, CoverBoardCopy.day == day)
        .order_by(col(CoverBoardCopy.id).desc())
        .limit(MOST_COPIES)
    )
    return list((await session.exec(query)).all())


async def set_shown(*, session: AsyncSession, chat_id: int, message_id: int, need_id: int) -> None:
    """The lesson a copy shows now (it was paged, pressed or drawn again)."""
    await session.exec(
        update(CoverBoardCopy)
        .where(col(CoverBoardCopy.chat_id) == chat_id, col(CoverBoardCopy.message_id) == message_id)
        .values(need_id=need_id)
    )


async def take_older(
    *, session: AsyncSession, school_id: int, day: date, staff_id: int, newest: tuple[int, int]
) -> list[CoverBoardCopy]:
    """The arranger's copies of the day in the chat of `newest` (chat, message) sent before it,
    forgotten as they are handed out: a newer copy is the live one, they are never drawn again."""
    chat_id, message_id = newest
    older = list(
        (
            await session.exec(
                select(CoverBoardCopy).where(
                    CoverBoardCopy.school_id == school_id,
                    CoverBoardCopy.day == day,
                    CoverBoardCopy.staff_id == staff_id,
                    CoverBoardCopy.chat_id == chat_id,
                    CoverBoardCopy.message_id < message_id,
                )
            )
        ).all()
    )
    if older:
        await session.exec(
            delete(CoverBoardCopy).where(col(CoverBoardCopy.id).in_([c.id for c in older]))
        )
    return older
