"""What `staffroom health` reads from the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage


async def oldest_undelivered(*, session: AsyncSession) -> datetime | None:
    """When the oldest message still waiting to go out was committed; None when none waits."""
    query = select(func.min(OutboxMessage.created_at)).where(col(OutboxMessage.status) == "pending")
    return (await session.exec(query)).one()
