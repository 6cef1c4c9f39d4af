"""Brings a database to the newest schema (`staffroom migrate`, and on every `staffroom run`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Runs in a worker thread because Alembic's env.py starts its own event loop."""
    command.upgrade(alembic_config(database_url), revision)


def upgrade_on(connection: Connection, database_url: str = "") -> None:
    """Upgrades through a connection the caller holds (sync side of an async connection)."""
    config = alembic_config(database_url or str(connection.engine.url))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade_async(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url)
