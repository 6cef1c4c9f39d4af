"""The push ledger: a scheduled push is claimed here before it is sent, so it goes out once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import PushLedger


async def claim(
    *, session: AsyncSession, school_id: int, kind: str, target: str, slot: str, now: datetime
) -> int | None:
    """Inserts the claim; None when another process (or an earlier run) holds it already."""
    row = PushLedger(school_id=school_id, kind=kind, target=target, slot=slot, claimed_at=now)
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return None
    return row.id


async def mark(*, session: AsyncSession, ledger_id: int, status: str, now: datetime) -> None:
    await session.exec(
        update(PushLedger).where(col(PushLedger.id) == ledger_id).values(status=status, sent_at=now)
    )
