"""Fresh benchmark databases: an SQLite file, and a PostgreSQL database of its own."""

from __future__ import annotations

import os
from pathlib import Path

import asyncpg

from bot.config import async_database_url

WORK = Path("data/bench")
PG_URL = os.environ.get(
    "STAFFROOM_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/staffroom_bench"
)


def sqlite_url(name: str) -> str:
    WORK.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{WORK / name}.db{suffix}").unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{WORK / name}.db"


def sqlite_size_mb(url: str) -> float:
    path = Path(url.split(":///", 1)[1])
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20


async def postgres_url(name: str) -> str:
    """Drops and creates database `name` on the benchmark server; returns its async URL."""
    base = PG_URL.rsplit("/", 1)[0]
    admin = await asyncpg.connect(f"{base}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return async_database_url(f"{base}/{name}")


async def postgres_size_mb(name: str) -> float:
    base = PG_URL.rsplit("/", 1)[0]
    conn = await asyncpg.connect(f"{base}/{name}")
    try:
        size = await conn.fetchval("SELECT pg_database_size(current_database())")
    finally:
        await conn.close()
    return float(size) / 2**20


async def postgres_available() -> bool:
    base = PG_URL.rsplit("/", 1)[0]
    try:
        conn = await asyncpg.connect(f"{base}/postgres", timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True
