"""/healthz in webhook mode: 503 when the database does not answer or the bot is not running."""

from __future__ import annotations

import aiohttp

from bot.app import build_application
from bot.config import Settings
from bot.health import STALE_OUTBOX, Health, HealthServer, check
from bot.webhook import free_port_pair

# Nothing listens on port 1: the connection is refused at once.
NO_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:1/none"


def test_judged_on_the_database_the_scheduler_and_waiting_messages() -> None:
    well = Health(True, True, last_update_seconds=None, oldest_undelivered_seconds=None)
    assert well.healthy and well.to_json()["healthy"] is True
    late = STALE_OUTBOX.total_seconds() + 1
    assert not Health(True, True, 5.0, late).healthy
    assert Health(True, True, 5.0, late - 2).healthy
    assert not Health(False, True, None, None).healthy
    assert not Health(True, False, None, None).healthy
    # Hours without an update are a quiet night, not a fault.
    assert Health(True, True, 12 * 3600.0, None).healthy


async def test_an_unreachable_database_answers_503() -> None:
    app = build_application(Settings(database_url=NO_DATABASE), freeze_heap=False)
    found = await check(app)
    assert found.database is False and found.scheduler is False
    assert found.oldest_undelivered_seconds is None
    port = free_port_pair()
    server = HealthServer(app, "127.0.0.1", port)
    await server.start()
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/healthz") as answer,
        ):
            assert answer.status == 503
            body = await answer.json()
    finally:
        await server.stop()
        await app.bot_data["services"].engine.dispose()
    assert body == {
        "healthy": False,
        "database": False,
        "scheduler": False,
        "last_update_seconds": None,
        "oldest_undelivered_seconds": None,
    }
