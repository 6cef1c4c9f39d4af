"""SQLite statements run where they are asked for, and only what may wait goes to a thread.

aiosqlite runs every sqlite3 call on a thread of its own and hands each result back to the event
loop, so that a statement waiting for a lock does not stop the bot. SQLAlchemy's adapter makes four
such trips for one statement (open a cursor, execute, fetch, close), and each trip wakes the thread
and then the loop again. On an action's small statements the trips cost several times SQLite's own
work: a transaction of one indexed SELECT took 1.08 ms, of which SQLite's part is microseconds.

Only two kinds of statement can wait for another connection here, and both stay off the loop:
- `BEGIN IMMEDIATE` waits for the write lock while another process (the `staffroom` CLI, a
  second bot) writes. It is first tried with a busy timeout of zero, which fails at once instead
  of waiting; only then is it sent to the thread, which waits as long as the busy timeout says.
- `PRAGMA`s, which run when a connection opens (`journal_mode=WAL` may wait for a lock).

Everything else runs on the loop's own thread: once `BEGIN IMMEDIATE` holds the write lock, WAL
mode lets no other connection make a statement of ours wait (readers never block a writer, and
the checkpoint after a commit skips what is busy). Within the process the engine hands out one
connection (`storage/db.py`), so two of our own transactions queue on the pool, on the loop, and
never on SQLite's lock. The sqlite3 connection is opened with `check_same_thread=False` for this;
SQLAlchemy never uses one connection from two tasks at once.

`install()` makes SQLAlchemy's aiosqlite connections work this way; `create_engine` calls it.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.util import EMPTY_DICT

Result = tuple[Any, int, int | None, list[Any] | None]


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Result:
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else None
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class InlineCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor: a statement runs here, or in one trip to the thread if it
    may wait for a lock."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")
    # There is no aiosqlite cursor to close: each trip closes its own sqlite3 cursor.
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: Any) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        # No aiosqlite cursor exists (each trip opens its own sqlite3 one); the base class's
        # attribute is typed as always holding one.
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        # sqlite3 gives None before any insert, as DB-API allows; SQLAlchemy's base says int.
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass  # rows are fetched all at once

    def close(self) -> None:
        self._rows.clear()

    async def _trip(self, operation: str, parameters: Any, many: bool) -> None:
        # A coroutine although it mostly does not wait: SQLAlchemy's AsyncConnection insists
        # that executing a statement awaits.
        connection = self._connection
        head = operation.lstrip()[:6].upper()
        if (
            head.startswith("BEGIN")
            and not parameters
            and _begin_at_once(connection._conn, operation)
        ):
            found: Result = (None, -1, None, None)
        elif not head.startswith(("BEGIN", "PRAGMA")):
            found = _run(connection._conn, operation, parameters, many)
        else:
            async with self._adapt_connection._execute_mutex:
                found = await connection._execute(
                    _run, connection._conn, operation, parameters, many
                )
        self._description, self._rowcount, self._lastrowid, rows = found
        self._rows = collections.deque(rows or ())

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        await self._trip(operation, seq_of_parameters, many=True)


def _begin_at_once(connection: sqlite3.Connection, operation: str) -> bool:
    """BEGIN without waiting: True if it took the lock, False if another process holds it."""
    (timeout,) = connection.execute("PRAGMA busy_timeout").fetchone()
    connection.execute("PRAGMA busy_timeout=0")
    try:
        connection.execute(operation)
        return True
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:
            return False
        raise
    finally:
        connection.execute(f"PRAGMA busy_timeout={int(timeout)}")


def _ends_here(method: str) -> Any:
    """The adapted connection's commit or rollback, on the loop's thread: in WAL mode, with the
    write lock held, neither waits for another connection."""

    def end(self: Any) -> None:
        connection = self._connection
        if connection._connection:
            try:
                getattr(connection._conn, method)()
            except Exception as error:
                self._handle_exception(error)

    return end


def install() -> None:
    AsyncAdapt_aiosqlite_connection._cursor_cls = InlineCursor
    # Patched on SQLAlchemy's own class on purpose (see `_ends_here`): mypy refuses any
    # assignment to a method.
    AsyncAdapt_aiosqlite_connection.commit = _ends_here("commit")  # type: ignore[method-assign]
    AsyncAdapt_aiosqlite_connection.rollback = _ends_here("rollback")  # type: ignore[method-assign]
