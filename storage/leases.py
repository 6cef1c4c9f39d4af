"""Leases: one process in charge among several that share the database.

A lease is a row with a holder and an expiry. Taking it and renewing it are the same
conditional update (`WHERE holder = me OR expires_at <= now`), and a missing row is inserted
against the primary key, so two processes can never both hold it: on PostgreSQL the second
update waits for the first's row lock and then no longer matches, on SQLite every transaction
takes the write lock at BEGIN. The expiry is written by the holder from its own clock and read
by the others from theirs, so the machines sharing a database keep their clocks in time (NTP),
as the school's pushes need anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, literal, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Lease
from storage.types import UTCDateTime


@dataclass(frozen=True)
class Holding:
    """Who holds a lease, and until when unless they renew it."""

    holder: str
    taken_at: datetime
    expires_at: datetime


async def take(
    *, session: AsyncSession, name: str, holder: str, now: datetime, until: datetime
) -> bool:
    """Takes the lease, or renews it for its holder, until `until`; False while another
    process holds it (it has not expired at `now`)."""
    at = literal(now, UTCDateTime())
    result = await session.exec(
        update(Lease)
        .where(
            col(Lease.name) == name,
            or_(col(Lease.holder) == holder, col(Lease.expires_at) <= now),
        )
        .values(
            holder=holder,
            expires_at=until,
            # Kept while the same holder renews, so it says since when this one is in charge.
            taken_at=case((col(Lease.holder) == holder, col(Lease.taken_at)), else_=at),
        )
    )
    if result.rowcount == 1:
        return True
    try:
        async with session.begin_nested():
            session.add(Lease(name=name, holder=holder, taken_at=now, expires_at=until))
            await session.flush()
    except IntegrityError:  # the row is there: someone holds it
        return False
    return True


async def take_from(
    *,
    session: AsyncSession,
    name: str,
    holder: str,
    gone: str,
    now: datetime,
    until: datetime,
) -> bool:
    """Takes the lease from `gone`, a holder known to be dead, before it expires; False when
    someone else holds it by now (another standby was quicker, or it was released)."""
    result = await session.exec(
        update(Lease)
        .where(col(Lease.name) == name, col(Lease.holder) == gone)
        .values(holder=holder, expires_at=until, taken_at=now)
    )
    return result.rowcount == 1


async def release(*, session: AsyncSession, name: str, holder: str) -> bool:
    """Gives the lease up, so a process standing by takes it at its next look instead of
    waiting for it to expire; False when this holder did not hold it any more."""
    result = await session.exec(
        delete(Lease).where(col(Lease.name) == name, col(Lease.holder) == holder)
    )
    return result.rowcount == 1


async def holding(*, session: AsyncSession, name: str) -> Holding | None:
    """Who holds the lease (perhaps expired); None when nobody took it or it was released."""
    row = (await session.exec(select(Lease).where(col(Lease.name) == name))).first()
    if row is None:
        return None
    return Holding(row.holder, row.taken_at, row.expires_at)
