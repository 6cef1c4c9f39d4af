"""One trip to SQLite's thread per statement, instead of four.

aiosqlite runs every sqlite3 call on a thread of its own and hands each result back to the event
loop. SQLAlchemy's adapter makes four such trips for one statement: open a cursor, execute, fetch
the rows, close the cursor. Each trip wakes the thread and then the loop again, which cost more
than SQLite's own work on the small queries of an action (about 25 statements for approving a
leave request). This cursor does the four steps in one function on that thread and keeps what
SQLAlchemy reads afterwards (description, rowcount, lastrowid, the rows).

The statements, their order, the transaction and the thread are the same; only the hand-offs
change. `install()` makes SQLAlchemy's aiosqlite connections use it.
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


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, with each statement done in one trip to the thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")
    # There is no aiosqlite cursor to close: each trip closes its own sqlite3 cursor.
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: Any) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}
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
        async with self._adapt_connection._execute_mutex:
            found: Result = await self._connection._execute(
                _run, self._connection._conn, operation, parameters, many
            )
        self._description, self._rowcount, self._lastrowid, rows = found
        self._rows = collections.deque(rows or ())

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        await self._trip(operation, seq_of_parameters, many=True)


def install() -> None:
    AsyncAdapt_aiosqlite_connection._cursor_cls = OneTripCursor  # type: ignore[misc]
