"""The push ledger: a scheduled push is claimed here with its messages, so it goes out once.

status: queued (its messages are in the outbox) | sent | failed | gone (every recipient left
or blocked the bot) | empty (nothing to say) | missed (too late to send; the admins were told).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
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


SlotKey = tuple[str, str, str]  # kind, target, slot


async def claim_missed(
    *, session: AsyncSession, school_id: int, slots: Sequence[SlotKey], now: datetime
) -> set[SlotKey]:
    """Claims these slots as missed in one statement; returns the ones this call claimed.

    A start after a night away finds dozens of a school's slots missed, and a restart finds the
    same ones again, claimed already: one statement for all of them, not a claim each. A slot
    held already (sent, or listed as missed before) is left as it is.
    """
    if not slots:
        return set()
    rows = [
        {
            "school_id": school_id,
            "kind": kind,
            "target": target,
            "slot": slot,
            "status": "missed",
            "claimed_at": now,
            "sent_at": now,
        }
        for kind, target, slot in dict.fromkeys(slots)
    ]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(PushLedger)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(col(PushLedger.kind), col(PushLedger.target), col(PushLedger.slot))
    )
    return {(kind, target, slot) for kind, target, slot in (await session.exec(statement)).all()}


async def mark(*, session: AsyncSession, ledger_id: int, status: str, now: datetime) -> None:
    await session.exec(
        update(PushLedger).where(col(PushLedger.id) == ledger_id).values(status=status, sent_at=now)
    )


# What a delivery outcome makes of the ledger row, from the states it may still change.
_SETTLE_FROM = {
    "sent": ("queued", "gone", "failed"),
    "failed": ("queued",),
    "gone": ("queued",),
}


async def settle_push(
    *, session: AsyncSession, ledger_id: int, status: str, now: datetime
) -> PushLedger | None:
    """Moves the push to what its messages became; returns the row when this moved it."""
    result = await session.exec(
        update(PushLedger)
        .where(
            col(PushLedger.id) == ledger_id,
            col(PushLedger.status).in_(_SETTLE_FROM.get(status, ())),
        )
        .values(status=status, sent_at=now)
    )
    if result.rowcount != 1:
        return None
    return await session.get(PushLedger, ledger_id)
