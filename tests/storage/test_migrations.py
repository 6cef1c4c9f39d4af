"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

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
