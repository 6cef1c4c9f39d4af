"""Each school's staff list, kept between actions under the school's `staff_version`.

Most actions read the whole list (the names on a board, the people ranked for a lesson, the
approvers of a request), and building sixty rows into objects cost about 0.7 ms each time, more
than the rest of a one-line request's reads. The database counts every change to a school's
staff up in `schools.staff_version` (a trigger, migration 0017: the bot, the import commands, a
restore and a DBA's SQL alike), and an action compares the number in its own transaction with
the one the kept list was read under, as storage/school_static.py does with `schedule_version`.

The kept rows are shared by every action, so they are read-only: setting an attribute of one
raises at once instead of changing what others read (an action that changes a person reads
them with `session.get` or a query of its own). A session that wrote the staff table reads its
own rows, in its own transaction, and keeps nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import bindparam
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import staff_version  # noqa: F401 - the trigger this cache relies on
from storage.kept import KeptByVersion, by_staff_version
from storage.models import Staff
from storage.session_memo import table_of, tables_of
from storage.shared_rows import guard, shared

STAFF_TABLE = tables_of(Staff)

_COLUMNS = table_of(Staff).c
_ROWS = select(*_COLUMNS).where(_COLUMNS.school_id == bindparam("school_id")).order_by(_COLUMNS.id)

_kept: KeptByVersion[tuple[Staff, ...]] = KeptByVersion()


guard(Staff)


async def school_staff_rows(
    session: AsyncSession, school_id: int, own: Callable[[], Awaitable[list[Staff]]]
) -> tuple[Staff, ...]:
    """Everyone on the school's staff list in id order: the kept rows when the school's
    `staff_version` in this transaction is the one they were read under, else read anew;
    `own()` when this session wrote the staff table."""

    async def kept() -> tuple[Staff, ...]:
        rows = (await session.exec(_ROWS, params={"school_id": school_id})).all()
        return tuple(shared(Staff, row._mapping) for row in rows)

    async def fresh() -> tuple[Staff, ...]:
        return tuple(await own())

    return await _kept.read(
        session, school_id, version=by_staff_version, written=STAFF_TABLE, load=kept, own=fresh
    )
