"""Brings a database to the newest schema (`staffroom migrate`, and on every `staffroom run`)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, make_url

from storage.db import is_sqlite

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Runs in a worker thread because Alembic's env.py starts its own event loop."""
    with _one_at_a_time(database_url):
        command.upgrade(alembic_config(database_url), revision)


@contextlib.contextmanager
def _one_at_a_time(database_url: str) -> Iterator[None]:
    """On SQLite, one process migrates a database file at a time. Alembic commits after each
    revision there, so a second process (two bots started together, or a bot and `staffroom
    migrate`) could read the version between two of the first's revisions and apply the next
    one twice ("duplicate column"). PostgreSQL holds an advisory lock instead (env.py)."""
    database = make_url(database_url).database if is_sqlite(database_url) else None
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(f"{database}.migrating")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def upgrade_on(connection: Connection, database_url: str = "") -> None:
    """Upgrades through a connection the caller holds (sync side of an async connection)."""
    config = alembic_config(database_url or str(connection.engine.url))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade_async(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url)
