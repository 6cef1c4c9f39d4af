"""A connection the server dropped while it sat idle is replaced before an action uses it, and a
connection in steady use is not checked again before every transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection

from storage import db
from storage.db import create_engine, is_sqlite


async def _backend_pid(engine: object) -> int:
    async with engine.connect() as conn:  # type: ignore[attr-defined]
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar())


async def test_a_connection_dropped_while_idle_is_replaced(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
        if is_sqlite(db_url):
            return  # one embedded file: nothing can drop it
        dropped = await _backend_pid(engine)
        killer = create_engine(db_url)
        try:
            async with killer.connect() as conn:
                await conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": dropped})
        finally:
            await killer.dispose()
        # As if the connection had sat idle past the limit (a night with nothing to do).
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
        assert await _backend_pid(engine) != dropped
    finally:
        await engine.dispose()


async def test_a_connection_in_steady_use_is_not_pinged_before_each_transaction(
    db_url: str,
) -> None:
    engine = create_engine(db_url)
    pings = 0
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        if is_sqlite(db_url):
            return
        original = AsyncAdapt_asyncpg_connection.ping

        def counted(self: AsyncAdapt_asyncpg_connection) -> None:
            nonlocal pings
            pings += 1
            original(self)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(AsyncAdapt_asyncpg_connection, "ping", counted)
            for _ in range(5):
                async with engine.begin() as conn:
                    await conn.execute(text("SELECT 1"))
        assert pings == 0
    finally:
        await engine.dispose()
