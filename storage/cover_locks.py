"""Which months' cover is locked, and the guard that keeps a locked month's covers as they were.

The office locks a month once its cover was paid (`/report 锁定 2026-11`, storage/reports.py
keeps its statement). From then on no cover of that month changes: the functions in
storage/cover.py that change a lesson's cover leave a lesson of a locked month alone, and the
actions that could reach one refuse it in words (who locked the month, how to reopen it). A
month can only be locked once it is over, so most actions already refuse its lessons as past;
the guard holds even where one would not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CoverMonthLock
from storage.session_memo import remembered, tables_of

LOCK_TABLE = tables_of(CoverMonthLock)


@dataclass(frozen=True)
class MonthLock:
    """A locked month (its first day), when and by whom (a Telegram id; None: the server)."""

    month: date
    locked_at: datetime
    locked_by: int | None


async def month_locks_of(*, session: AsyncSession, school_id: int) -> dict[date, MonthLock]:
    """The school's locked months by their first day; read once per action (a school locks
    one month at a time, so the list stays short), without the kept records."""

    async def load() -> dict[date, MonthLock]:
        query = select(  # type: ignore[call-overload]
            CoverMonthLock.month, CoverMonthLock.locked_at, CoverMonthLock.locked_by
        ).where(CoverMonthLock.school_id == school_id)
        return {
            month: MonthLock(month, locked_at, locked_by)
            for month, locked_at, locked_by in (await session.exec(query)).all()
        }

    found: dict[date, MonthLock] = await remembered(
        session, ("month_locks", school_id), LOCK_TABLE, load
    )
    return found


async def lock_on(*, session: AsyncSession, school_id: int, day: date) -> MonthLock | None:
    """The lock of the month this day is in, or None when its cover may still change."""
    return (await month_locks_of(session=session, school_id=school_id)).get(day.replace(day=1))


async def locks_on(
    *, session: AsyncSession, school_id: int, days: Iterable[date]
) -> dict[date, MonthLock]:
    """The locks of the months these days fall in, by the month's first day."""
    locks = await month_locks_of(session=session, school_id=school_id)
    months = {day.replace(day=1) for day in days}
    return {month: lock for month, lock in locks.items() if month in months}


async def unlock_month(*, session: AsyncSession, school_id: int, month: date) -> bool:
    """Reopens a locked month: its statement follows the records again. False when it was not
    locked (or another action unlocked it first)."""
    result = await session.exec(
        delete(CoverMonthLock).where(
            col(CoverMonthLock.school_id) == school_id, col(CoverMonthLock.month) == month
        )
    )
    return result.rowcount == 1
