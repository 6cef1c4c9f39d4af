"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import storage.models
from storage.migrate import upgrade_on
from tests.conftest import engine_for


async def test_upgrade_matches_the_models(db_url: str) -> None:
    engine = engine_for(db_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(upgrade_on)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync), storage.models.metadata
                )
            )
            tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            version = (await conn.execute(text("select version_num from alembic_version"))).scalar()
    finally:
        await engine.dispose()
    assert diff == []
    assert {"schools", "staff", "lessons", "push_ledger"} <= tables
    assert version is not None


async def test_two_processes_migrating_a_fresh_database_at_once_both_succeed(
    db_url: str, tmp_path: Path
) -> None:
    """Two bots (or a bot and `staffroom migrate`) started together on an empty database."""
    env = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": db_url}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "migrate",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = await asyncio.wait_for(
        asyncio.gather(*(process.communicate() for process in processes)), 120
    )
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()[-2000:]
    engine = engine_for(db_url)
    try:
        async with engine.connect() as conn:
            versions = (await conn.execute(text("select version_num from alembic_version"))).all()
    finally:
        await engine.dispose()
    assert len(versions) == 1
