"""Serialising check-then-insert actions that have no row of their own to lock.

On PostgreSQL (READ COMMITTED) two transactions that each look for an existing row and then
insert one can both see nothing and both insert. Where a row of the actor exists, a `FOR
UPDATE` on it serialises them (see `storage.staff.hold_staff`); a stranger asking to be linked
has no row yet, so their requests take a transaction-level advisory lock keyed on the account.
SQLite needs neither: every transaction begins with BEGIN IMMEDIATE, which serialises writers.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

_ADVISORY = text("SELECT pg_advisory_xact_lock(:key)")


def lock_key(topic: str, ident: int) -> int:
    """A signed 64-bit key for (topic, ident), so different topics never share a lock."""
    digest = hashlib.blake2b(f"{topic}:{ident}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def database_held(session: AsyncSession) -> bool:
    """Whether this transaction holds the whole database (SQLite's BEGIN IMMEDIATE): a row lock
    would only cost a statement there."""
    return session.get_bind().dialect.name == "sqlite"


async def hold(*, session: AsyncSession, topic: str, ident: int) -> None:
    """Waits until no other transaction holds (topic, ident); held until this one ends."""
    if database_held(session):
        return
    connection = await session.connection()
    await connection.execute(_ADVISORY, {"key": lock_key(topic, ident)})
