"""Calendar feed links: made when first shown, replaced on request, and looked up by the server.

A token is 32 characters of URL-safe base64 (192 random bits): a link cannot be found by
trying, so the server can answer any wrong or old one with the same 404.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CalendarFeed, Staff

TOKEN_BYTES = 24
TOKEN_LENGTH = 32  # characters of token_urlsafe(TOKEN_BYTES)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


async def feed_token(*, session: AsyncSession, staff: Staff, now: datetime) -> str:
    """The person's link token, made on first use."""
    staff_id = staff.id or 0
    row = await session.get(CalendarFeed, staff_id)
    if row is not None:
        return row.token
    try:
        async with session.begin_nested():
            session.add(
                CalendarFeed(
                    staff_id=staff_id, school_id=staff.school_id, token=new_token(), created_at=now
                )
            )
            await session.flush()
    except IntegrityError:
        pass  # made at the same moment by another press: that one stands
    found = await session.get(CalendarFeed, staff_id, populate_existing=True)
    assert found is not None
    return found.token


async def renew_feed_token(*, session: AsyncSession, staff: Staff, now: datetime) -> str:
    """A new token for the person; the old link answers 404 from the moment this commits."""
    token = new_token()
    result = await session.exec(
        update(CalendarFeed)
        .where(col(CalendarFeed.staff_id) == staff.id)
        .values(token=token, created_at=now)
    )
    if result.rowcount != 1:
        return await feed_token(session=session, staff=staff, now=now)
    return token


async def staff_of_feed(*, session: AsyncSession, token: str) -> Staff | None:
    """Whose link this is; None for a token never made, replaced, or of someone who left."""
    if len(token) != TOKEN_LENGTH:
        return None
    found = await session.exec(
        select(Staff)
        .join(CalendarFeed, col(CalendarFeed.staff_id) == col(Staff.id))
        .where(col(CalendarFeed.token) == token, col(Staff.active).is_(True))
    )
    return found.first()
