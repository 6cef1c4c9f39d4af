"""Backups taken while the bot writes, restored into a fresh database with every row there."""

from __future__ import annotations

import asyncio
import gzip
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.config import async_database_url
from storage import audit
from storage.backup import (
    BackupError,
    backup,
    check_restorable,
    count_rows,
    restore,
    sqlite_path,
)
from storage.db import create_engine, session_factory
from storage.migrate import upgrade_on
from storage.models import AuditLog, OutboxMessage, School
from tests.conftest import PG_URL, empty_database
from tests.schools import leave

SEEDED_PAIRS = 300


@pytest.fixture
async def fresh_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A second, empty database of the same kind: the one a backup is restored into."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/restored.db"
        return
    async for url in _pg_database():
        yield url


@pytest.fixture
async def fresh_schema_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The same, in a schema of its own on PostgreSQL: a database takes seconds to create."""
    async with empty_database(backend, tmp_path, "restored", "r_") as url:
        yield url


async def _pg_database() -> AsyncIterator[str]:
    """A database of its own on the test server, as a restore onto another machine would have."""
    name = f"restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(async_database_url(PG_URL)).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(async_database_url(PG_URL))
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()


async def migrated(url: str) -> AsyncEngine:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_on)
    return engine


async def write_pair(engine: AsyncEngine, now: datetime, tag: int) -> None:
    """One transaction of the bot: two rows that only make sense together."""
    async with session_factory(engine)() as session, session.begin():
        for half in ("a", "b"):
            await audit.record(session=session, at=now, action=f"pair.{half}", subject_id=tag)


async def school_with_history(engine: AsyncEngine, now: datetime) -> None:
    await leave.seed(engine, now)
    async with session_factory(engine)() as session, session.begin():
        session.add(
            OutboxMessage(
                chat_id=-100123,
                text="月报",
                created_at=now,
                file_kind="document",
                file_name="代课统计.xlsx",
                file_data=bytes(range(256)),
            )
        )
    for tag in range(SEEDED_PAIRS):
        await write_pair(engine, now, tag)


async def backup_while_writing(
    source: AsyncEngine, url: str, target: Path, now: datetime
) -> tuple[int, int]:
    """Backs up while a writer commits pairs; returns (pairs before the backup, during it)."""
    done = asyncio.Event()
    written = [SEEDED_PAIRS]

    async def writer() -> None:
        while not done.is_set():
            await write_pair(source, now, written[0])
            written[0] += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    await asyncio.sleep(0)
    before = written[0]
    await backup(source, url, target)
    done.set()
    await task
    return before, written[0] - before


async def pairs(engine: AsyncEngine) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    async with session_factory(engine)() as session:
        rows = await session.exec(select(AuditLog.subject_id, AuditLog.action))
        for subject_id, action in rows:
            if subject_id is not None and action.startswith("pair."):
                found.setdefault(subject_id, set()).add(action)
    return found


@pytest.mark.parametrize("name", ["staffroom.backup", "staffroom.jsonl.gz"])
async def test_a_backup_taken_while_the_bot_writes_restores_every_row(
    db_url: str, fresh_url: str, tmp_path: Path, now: datetime, name: str
) -> None:
    source = await migrated(db_url)
    restored = create_engine(fresh_url)
    try:
        await school_with_history(source, now)
        file = tmp_path / name
        if name.endswith(".gz") and sqlite_path(db_url) is not None:
            # An SQLite copy is a database file: a dump's name for it is refused, nothing written.
            with pytest.raises(BackupError) as refused:
                await backup(source, db_url, file)
            assert refused.value.key == "sqlite_name" and not file.exists()
            return
        before, during = await backup_while_writing(source, db_url, file, now)
        assert during > 0  # the bot did write while the copy was made

        await check_restorable(restored, file)
        async with restored.begin() as conn:
            await conn.run_sync(upgrade_on)
        summary = await restore(restored, file)

        async with source.connect() as conn:
            source_rows = await count_rows(conn)
        copied = await pairs(restored)
        # Every transaction committed before the backup is there, whole; one committed during
        # it is there whole or not at all; nothing the source never had.
        assert set(range(before)) <= set(copied)
        assert all(halves == {"pair.a", "pair.b"} for halves in copied.values())
        assert set(copied) <= set(await pairs(source))
        for table, count in summary.rows.items():
            if table != "audit_log":
                assert count == source_rows[table], table
        assert summary.rows["staff"] == 8 and summary.rows["lessons"] == 9
        async with session_factory(restored)() as session:
            message = (await session.exec(select(OutboxMessage))).one()
            school = (await session.exec(select(School))).one()
        # A new row after the restore gets an id of its own.
        await write_pair(restored, now + timedelta(days=1), -1)
        assert message.file_data == bytes(range(256)) and message.created_at == now
        assert school.name == "孟河小学"
    finally:
        await source.dispose()
        await restored.dispose()


async def test_a_database_with_rows_is_never_restored_into(
    db_url: str, fresh_schema_url: str, tmp_path: Path, now: datetime
) -> None:
    source = await migrated(db_url)
    target = await migrated(fresh_schema_url)
    try:
        await school_with_history(source, now)
        await write_pair(target, now, 1)
        file = tmp_path / "staffroom.backup"
        await backup(source, db_url, file)
        with pytest.raises(BackupError) as refused:
            await check_restorable(target, file)
        assert refused.value.key == "not_empty"
        async with target.connect() as conn:
            assert (await count_rows(conn))["audit_log"] == 2  # untouched
    finally:
        await source.dispose()
        await target.dispose()


async def test_a_dump_cut_short_restores_nothing(tmp_path: Path, now: datetime) -> None:
    source = await migrated(f"sqlite+aiosqlite:///{tmp_path}/source.db")
    target = await migrated(f"sqlite+aiosqlite:///{tmp_path}/target.db")
    try:
        await school_with_history(source, now)
        whole = tmp_path / "whole.jsonl"
        # The portable dump of an SQLite database, as PostgreSQL's is written.
        await backup(source, "postgresql://unused", whole)
        lines = whole.read_bytes().splitlines(keepends=True)
        cut = tmp_path / "cut.jsonl.gz"
        cut.write_bytes(gzip.compress(b"".join(lines[: len(lines) // 2])))
        with pytest.raises(BackupError) as refused:
            await restore(target, cut)
        assert refused.value.key == "damaged"
        async with target.connect() as conn:
            assert not any((await count_rows(conn)).values())
    finally:
        await source.dispose()
        await target.dispose()


async def test_a_school_on_sqlite_moves_to_postgresql(
    backend: str, tmp_path: Path, now: datetime, fresh_schema_url: str
) -> None:
    if backend != "postgresql":
        pytest.skip("the move is to PostgreSQL")
    sqlite_url = f"sqlite+aiosqlite:///{tmp_path}/school.db"
    source = await migrated(sqlite_url)
    target = create_engine(fresh_schema_url)
    try:
        await school_with_history(source, now)
        file = tmp_path / "school.backup"
        await backup(source, sqlite_url, file)
        async with target.begin() as conn:
            await conn.run_sync(upgrade_on)
        summary = await restore(target, file)
        async with source.connect() as conn:
            assert summary.rows == await count_rows(conn)
        assert len(await pairs(target)) == SEEDED_PAIRS
    finally:
        await source.dispose()
        await target.dispose()
