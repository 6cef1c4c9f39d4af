"""Reads remembered for the rest of one session (one user action), until it writes their tables.

A cover board asks for the school's staff once per lesson on it; inside one transaction the
answer cannot change unless this session changes the staff table itself, which drops the memo.
The tables a session wrote are kept too (`wrote`), for caches that outlive the session.
Rows read by primary key can be held (`held_row`) until the transaction ends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import CursorResult, Executable, Row, Table, event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import WRITES

T = TypeVar("T")
KEY = "session_memo"
WRITTEN = "session_written_tables"
HELD = "session_held_rows"
M = TypeVar("M", bound=SQLModel)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model, for statements that need no ORM object."""
    # SQLAlchemy gives every table model its `__table__`; SQLModel does not declare it.
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def tables_of(*models: type[SQLModel]) -> frozenset[str]:
    """The table names of these models, as `remembered` and `wrote` take them."""
    return frozenset(table_of(model).name for model in models)


def _entries(session: Session) -> dict[Hashable, tuple[frozenset[str], Any]]:
    return session.info.setdefault(KEY, {})


def _written(session: Session, tables: set[str]) -> None:
    tables.discard("")
    if not tables:
        return
    session.info.setdefault(WRITTEN, set()).update(tables)
    entries = session.info.get(KEY)
    if entries:
        for key in [key for key, (reads, _) in entries.items() if reads & tables]:
            del entries[key]


async def execute_text(
    session: AsyncSession, statement: Executable, params: dict[str, Any], table: Table
) -> CursorResult[Any]:
    """A statement the ORM does not see as a write (a text INSERT), run in the session's
    transaction and counted as a write to `table`, as an ORM statement would be."""
    connection = await session.connection()
    result = await connection.execute(statement, params)
    session.sync_session.info[WRITES] = True
    _written(session.sync_session, {table.name})
    return result


@event.listens_for(Session, "before_flush")
def _on_flush(session: Session, _context: Any, _instances: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    _written(session, {getattr(obj, "__tablename__", "") for obj in changed})


@event.listens_for(Session, "do_orm_execute")
def _on_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        _written(state.session, {getattr(table, "name", "")})


@event.listens_for(Session, "after_transaction_end")
def _on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # Held rows are for one transaction: the next one reads them again.
    if transaction.parent is None:
        session.info.pop(HELD, None)


async def held_row(session: AsyncSession, model: type[M], key: int) -> M | None:
    """`session.get` that keeps the row until the transaction ends.

    The session's identity map holds its rows weakly: a row nobody keeps (the school row that
    several reads of one action look up for its time zone and version) is dropped and read
    again by the next `get`, one more round trip each time. Held, the next `get` of it in this
    transaction is answered from the map; the transaction's own changes to it still show.
    """
    held = session.sync_session.info.setdefault(HELD, {})
    found = held.get((model, key))
    if (
        found is not None
        and found in session.sync_session
        and not instance_state(found).expired_attributes
    ):
        # Asked for again (a dozen times in some actions): no trip through `get`'s greenlet.
        # An expired row (a savepoint rolled back) is read again by `get`, as before.
        return found
    row = await session.get(model, key)
    if row is not None:
        held[(model, key)] = row
    return row


def loaded_row(session: AsyncSession, model: type[M], key: int) -> M | None:
    """The row if this session holds it already with every column loaded, else None; never a
    round trip (a caller that needs it then reads it its own way)."""
    found = session.sync_session.identity_map.get(identity_key(model, key))
    if found is None or instance_state(found).unloaded:
        return None
    return found


def as_stored(row: SQLModel, values: dict[str, Any]) -> None:
    """The session's copy of a row takes a change its own UPDATE made, as stored, without
    reading it back (the UPDATE ran without the ORM's search of the session)."""
    for key, value in values.items():
        set_committed_value(row, key, value)


async def flush_pending(session: AsyncSession) -> None:
    """What a query would do first (autoflush); a remembered answer stands in for a query, so
    it must too, which also records the tables the pending changes write."""
    sync = session.sync_session
    if sync.autoflush and (sync.new or sync.dirty or sync.deleted):
        await session.flush()


async def read_columns(
    session: AsyncSession, statement: Executable, params: dict[str, Any]
) -> Sequence[Row[Any]]:
    """The rows of a select of plain columns, in the session's transaction, past the ORM: it
    makes no object of them, and its bookkeeping cost about as much as the statement itself.
    Pending changes are flushed first, as a query would."""
    await flush_pending(session)
    connection = await session.connection()
    return (await connection.execute(statement, params)).all()


Entries = dict[Hashable, tuple[frozenset[str], Any]]


async def take_remembered(session: AsyncSession, chosen: Callable[[Hashable], bool]) -> Entries:
    """Takes the remembered reads whose keys are `chosen` out of the memo, pending changes
    flushed first: a write that works out its own effect on them (`remember_again`) keeps them
    past it, where any other write would drop them."""
    await flush_pending(session)
    entries = _entries(session.sync_session)
    taken = {key: found for key, found in entries.items() if chosen(key)}
    for key in taken:
        del entries[key]
    return taken


async def remember(
    session: AsyncSession, key: Hashable, tables: frozenset[str], value: Any
) -> None:
    """Keeps `value` as what `remembered` would load for `key`: a read that answered more
    than its own question (the day's lessons read with the pressed one) answers that too."""
    await flush_pending(session)
    _entries(session.sync_session)[key] = (tables, value)


def remember_again(session: AsyncSession, entries: Entries) -> None:
    """Puts back reads taken out by `take_remembered`, as the write left them."""
    _entries(session.sync_session).update(entries)


def wrote(session: AsyncSession, tables: frozenset[str]) -> bool:
    """Whether this session has written (flushed or executed) any of these tables so far."""
    return bool(session.sync_session.info.get(WRITTEN, set()) & tables)


async def memo_of(session: AsyncSession, key: Hashable) -> Any | None:
    """What `remembered` keeps for `key` in this session, if it read it; None otherwise."""
    await flush_pending(session)
    found = _entries(session.sync_session).get(key)
    return None if found is None else found[1]


async def remembered(
    session: AsyncSession,
    key: Hashable,
    tables: frozenset[str],
    load: Callable[[], Awaitable[T]],
) -> T:
    """`load()` once per session for `key`; again after the session wrote one of `tables`."""
    await flush_pending(session)
    entries = _entries(session.sync_session)
    found = entries.get(key)
    if found is not None:
        return found[1]
    value = await load()
    entries[key] = (tables, value)
    return value
