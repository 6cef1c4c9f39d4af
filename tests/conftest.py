"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL.

Which tests run on both: everything under tests/storage, tests/jobs, tests/e2e and tests/bench,
where the dialect decides what happens (locks, claims, migrations, a real process), and any other
test marked `both_databases` (races between two presses or two processes). The handlers' and the
bot's own tests run on SQLite only: they check what people see, which does not depend on the
database, and running them twice cost about half of the suite's time.

PostgreSQL tests use a schema of their own per test in the database given by
STAFFROOM_TEST_PG (default postgresql://postgres@127.0.0.1:5432/test). They are skipped when
STAFFROOM_TEST_PG is "skip", and skipped with the reason when that server cannot be reached (one
connection is tried per test process), unless STAFFROOM_TEST_PG_REQUIRED=1 (as in CI, which
starts PostgreSQL itself and must not pass by skipping).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

import storage.models
from bot.config import async_database_url
from storage.db import create_engine, session_factory

SHANGHAI = ZoneInfo("Asia/Shanghai")
PG_URL = os.environ.get("STAFFROOM_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PG_REQUIRED = os.environ.get("STAFFROOM_TEST_PG_REQUIRED", "") not in ("", "0")
PG_CONNECT_SECONDS = 5


@functools.cache
def postgres_problem() -> str | None:
    """Why the PostgreSQL tests cannot run here (None when they can); asked once per process."""

    async def attempt() -> None:
        engine = create_engine(async_database_url(PG_URL))
        try:
            async with asyncio.timeout(PG_CONNECT_SECONDS), engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    try:
        # In a thread of its own: a fixture may be set up while the tests' event loop runs.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, attempt()).result()
    except Exception as exc:  # any failure to connect means the same thing here
        shown = make_url(async_database_url(PG_URL)).render_as_string(hide_password=True)
        return (
            f"PostgreSQL at {shown} is unreachable ({type(exc).__name__}: {exc}); start it, "
            "point STAFFROOM_TEST_PG at a running server, or set STAFFROOM_TEST_PG=skip"
        )
    return None


def pytest_configure(config: pytest.Config) -> None:
    # As bot/cli.py does for the real program: durations as timedelta, no deprecation warnings.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    config.addinivalue_line("markers", "sqlite_only: a test that is about SQLite itself")
    config.addinivalue_line(
        "markers", "both_databases: a test whose outcome depends on the database dialect"
    )


# Folders whose tests run on PostgreSQL too (see the module's docstring).
BOTH_DATABASES = ("storage", "jobs", "e2e", "bench")
TESTS = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("backend") == "postgresql"
        # The folder right under tests/ (tests/handlers/cover/… is handlers).
        folder = item.path.relative_to(TESTS).parts[0]
        if (
            on_postgres
            and folder not in BOTH_DATABASES
            and item.get_closest_marker("both_databases") is None
        ):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        if PG_URL == "skip":
            pytest.skip("PostgreSQL disabled with STAFFROOM_TEST_PG=skip")
        problem = postgres_problem()
        if problem is not None:
            if PG_REQUIRED:
                pytest.fail(problem, pytrace=False)
            pytest.skip(problem)
    return request.param


@pytest.fixture
async def db_url(backend: str, tmp_path: object) -> AsyncIterator[str]:
    """A URL to an empty database (SQLite file, or a fresh PostgreSQL schema)."""
    async with empty_database(backend, tmp_path, "test", "t_") as url:
        yield url


@contextlib.asynccontextmanager
async def empty_database(
    backend: str, folder: object, file: str, schema_prefix: str
) -> AsyncIterator[str]:
    """An empty SQLite file `file`.db in `folder`, or on PostgreSQL a schema of its own, dropped
    afterwards (a database takes seconds to create)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{folder}/{file}.db"
        return
    schema = f"{schema_prefix}{uuid.uuid4().hex[:12]}"
    admin = create_engine(async_database_url(PG_URL))
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield async_database_url(PG_URL) + f"?options=-csearch_path%3D{schema}"
    finally:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


def engine_for(url: str) -> AsyncEngine:
    return create_engine(url)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh database with every table created."""
    eng = engine_for(db_url)
    async with eng.begin() as conn:
        await conn.run_sync(storage.models.metadata.create_all)
    try:
        yield eng
    finally:
        await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessions() as s:
        yield s


@pytest.fixture
def now() -> datetime:
    """A fixed, timezone-aware 'now': Wednesday 25 November 2026, 09:00 in Shanghai."""
    return datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)
