"""Alembic environment: runs migrations on the async engine of the configured database."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

import storage.models
from storage.db import create_engine, is_sqlite

config = context.config
target_metadata = storage.models.metadata


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=is_sqlite(config.get_main_option("sqlalchemy.url") or ""),
        compare_type=True,
    )


def _run_sync(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Two processes starting on a fresh database would both create the first tables, and
        # the second would die on a duplicate. The lock lasts until the migration commits; the
        # waiting one then reads the new version and has nothing left to do. On SQLite a lock
        # file does the same (storage/migrate.py).
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('staffroom.migrate.' || current_schema()))")
        )
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    _configure(url=config.get_main_option("sqlalchemy.url"))
    with context.begin_transaction():
        context.run_migrations()
elif config.attributes.get("connection") is not None:
    # A caller that already holds a connection (tests, in a schema of their own).
    _run_sync(config.attributes["connection"])
else:
    asyncio.run(_run_online())
