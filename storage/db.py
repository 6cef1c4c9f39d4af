"""Engines and sessions: SQLite (WAL, busy timeout) embedded, PostgreSQL through asyncpg."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import sqlite_calls

SQLITE_BUSY_TIMEOUT_MS = 5000


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Creates the engine; for SQLite it makes the folder and sets WAL and a busy timeout."""
    if is_sqlite(url):
        sqlite_calls.install()
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # One connection: our own transactions queue for it on the event loop, while a
            # second connection's BEGIN IMMEDIATE would wait for the first's write lock inside
            # SQLite, whose busy handler sleeps 1, 2, 5, 10 ms and more between tries. Under a
            # burst those sleeps averaged 5 ms per transaction.
            kwargs.setdefault("pool_size", 1)
            kwargs.setdefault("max_overflow", 0)
        connect_args: dict[str, Any] = {
            "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
            "check_same_thread": False,
        }
        engine = create_async_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        return engine
    parsed = make_url(url)
    options = parsed.query.get("options")
    if isinstance(options, str) and options.startswith("-csearch_path="):
        # libpq's `options=-csearch_path=x` (a schema of one's own) means nothing to asyncpg:
        # it takes server settings instead.
        url = parsed.difference_update_query(["options"]).render_as_string(hide_password=False)
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("server_settings", {})["search_path"] = options.split("=", 1)[1]
        kwargs["connect_args"] = connect_args
    connect_args = dict(kwargs.pop("connect_args", {}))
    # Each connection keeps its statements prepared; the bot's few hundred distinct statements
    # would churn through asyncpg's default of 100, preparing again (a round trip) on a miss.
    connect_args.setdefault("prepared_statement_cache_size", PREPARED_STATEMENTS)
    # The connection used last is taken first: its statements are prepared already, and it was
    # used less than IDLE_PING_SECONDS ago, so no ping. Taken in turn (the pool's default), a
    # school's few updates a minute would each meet a connection idle for longer than that,
    # and each pooled connection would prepare every statement once more.
    kwargs.setdefault("pool_use_lifo", True)
    engine = create_async_engine(url, connect_args=connect_args, **kwargs)
    event.listen(engine.sync_engine, "checkout", _ping_if_idle)
    event.listen(engine.sync_engine, "checkin", _note_used)
    return engine


PREPARED_STATEMENTS = 500
# A connection used this recently is taken as alive. Checking it on every use (SQLAlchemy's
# pre-ping) cost three round trips per transaction on asyncpg (BEGIN, the ping, ROLLBACK): a
# third of a short command's time. One that sat idle longer (the server may have restarted or a
# firewall dropped it) is still checked before use.
IDLE_PING_SECONDS = 10.0
_USED_AT = "staffroom_used_at"


def _note_used(_dbapi_connection: Any, record: Any) -> None:
    record.info[_USED_AT] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    used_at = record.info.get(_USED_AT)
    if used_at is not None and time.monotonic() - used_at < IDLE_PING_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        # The pool throws this connection away and takes (or opens) another.
        raise DisconnectionError from error


WRITES = "wrote"


def _note_statement(state: ORMExecuteState) -> None:
    # Whether the action changed anything: one that only read (/help, /duty) has committed
    # nothing its answer must be kept with (handlers/core/turn.py).
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WRITES] = True


def _note_flush(session: Session, *_: Any) -> None:
    if session.new or session.dirty or session.deleted:
        session.info[WRITES] = True


def wrote(session: AsyncSession) -> bool:
    """Whether the session changed anything (a statement or a flush that writes)."""
    return bool(session.sync_session.info.get(WRITES))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN would start a read transaction that later fails to
    # upgrade under contention; we issue BEGIN ourselves (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL keeps the database consistent through a crash and skips an fsync per
    # commit; only the last commits before a power cut can be lost.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    if not event.contains(Session, "do_orm_execute", _note_statement):
        event.listen(Session, "do_orm_execute", _note_statement)
        event.listen(Session, "before_flush", _note_flush)
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def _sqlite_begin_immediate(connection: Any) -> None:
    # One user action is one transaction: taking the write lock at BEGIN serialises writers, so
    # two handlers that read a total and then insert cannot both pass a cap on SQLite.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


async def without_transaction(session: AsyncSession) -> None:
    """For a session that needs no transaction of its own: one that only reads and needs no
    single snapshot across its statements (a school's plan of pushes, which a later version
    bump plans again), or one that runs a single statement, atomic by itself (a batch of
    delivered messages recorded). On PostgreSQL each statement then runs on its own, sparing
    the BEGIN and the COMMIT or ROLLBACK: two round trips of three or four. Call it before the
    session's first statement. SQLite keeps its transaction: there BEGIN and COMMIT cost no
    round trip, and its BEGIN IMMEDIATE is what serialises writers."""
    if session.get_bind().dialect.name != "sqlite":
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
