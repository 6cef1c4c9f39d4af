"""Reads remembered for the rest of one session (one user action), until it writes their tables.

A cover board asks for the school's staff once per lesson on it; inside one transaction the
answer cannot change unless this session changes the staff table itself, which drops the memo.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T")
KEY = "session_memo"


def _entries(session: Session) -> dict[Hashable, tuple[frozenset[str], Any]]:
    return session.info.setdefault(KEY, {})


def _forget(session: Session, tables: set[str]) -> None:
    entries = session.info.get(KEY)
    if not entries or not tables:
        return
    for key in [key for key, (reads, _) in entries.items() if reads & tables]:
        del entries[key]


@event.listens_for(Session, "before_flush")
def _on_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(KEY):
        changed = (*session.new, *session.dirty, *session.deleted)
        _forget(session, {getattr(obj, "__tablename__", "") for obj in changed})


@event.listens_for(Session, "do_orm_execute")
def _on_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        _forget(state.session, {getattr(table, "name", "")})


async def remembered(
    session: AsyncSession,
    key: Hashable,
    tables: frozenset[str],
    load: Callable[[], Awaitable[T]],
) -> T:
    """`load()` once per session for `key`; again after the session wrote one of `tables`."""
    sync = session.sync_session
    if sync.autoflush and (sync.new or sync.dirty or sync.deleted):
        # The query this memo stands in for would have flushed first; so do we, which also
        # drops the entries the pending changes make stale.
        await session.flush()
    entries = _entries(sync)
    found = entries.get(key)
    if found is not None:
        return found[1]  # type: ignore[no-any-return]
    value = await load()
    entries[key] = (tables, value)
    return value
