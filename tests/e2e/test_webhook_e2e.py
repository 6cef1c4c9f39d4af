"""Webhook mode: the simulator posts updates to the bot's webhook server with the secret, the
bot answers; a post without the right secret is refused and never handled; /healthz reports."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bench.botproc import RUN_BOT, BotProcess, bot_environment
from bench.demo_school import open_school
from bench.simproc import simulator_process
from bot.clock import ManualClock, SystemClock
from bot.config import Settings
from bot.logs import setup_logging
from bot.webhook import free_port_pair
from demo.stage import ADMIN_NAME, Stage, open_stage
from simulator.webhook import SECRET_HEADER
from storage import outbox
from storage.db import create_engine, session_factory
from tests.conftest import SHANGHAI
from tests.e2e.conftest import E2E_START

pytestmark = pytest.mark.e2e

TEACHER = "吴晓梅"
EARLY = "周雅琴"


@pytest.fixture
async def hooked(db_url: str) -> AsyncIterator[Stage]:
    async with open_stage(Settings(database_url=db_url), ManualClock(E2E_START), webhook=True) as s:
        await s.settle()
        yield s


def health_url(stage: Stage) -> str:
    return f"http://127.0.0.1:{stage.settings.health_port}/healthz"


async def get_health(stage: Stage) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(health_url(stage)) as answer:
        return answer.status, await answer.json()


def forged_help(stage: Stage, user_id: int, update_id: int) -> dict[str, Any]:
    """An update as Telegram would post it: /help from `user_id` in private."""
    user = {"id": user_id, "is_bot": False, "first_name": TEACHER}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 9_000 + update_id,
            "date": int(stage.clock.now().timestamp()),
            "chat": {"id": user_id, "type": "private", "first_name": TEACHER},
            "from": user,
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


async def test_a_command_goes_by_webhook_and_is_answered(hooked: Stage) -> None:
    sim = hooked.sim
    assert sim.webhook is not None
    assert sim.webhook["url"] == hooked.settings.webhook_url
    assert sim.webhook["secret_token"] == hooked.settings.webhook_secret
    answer = await hooked.ask(TEACHER, "/help")
    assert "/leave" in answer.plain
    await hooked.settle()
    # Nothing was polled: the update came by webhook, and the bot's reply went out.
    assert sim.stats.calls["getUpdates"] == 0
    assert sim.stats.updates_delivered >= 1 and sim.pending_updates == 0


async def test_a_post_without_the_right_secret_is_refused_and_not_handled(
    hooked: Stage,
) -> None:
    teacher = hooked.id_of(TEACHER)
    url = hooked.settings.webhook_url
    assert url is not None
    wrong = {"Content-Type": "application/json", SECRET_HEADER: "not-the-secret-at-all"}
    missing = {"Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http:
        for number, headers in enumerate((wrong, missing), start=1):
            body = json.dumps(forged_help(hooked, teacher, 900_000 + number))
            async with http.post(url, data=body, headers=headers) as answer:
                assert answer.status == 403
    since = hooked.sim.seq
    # A genuine update after the forged ones: once it is answered, the forged ones would have
    # been too, had they been taken.
    answer = await hooked.ask(TEACHER, "/help")
    assert "/leave" in answer.plain
    await hooked.settle()
    replies = [m for m in hooked.sim.bot_messages(teacher, since=since) if not m.deleted]
    assert len(replies) == 1


async def test_healthz_answers_200_with_the_figures(hooked: Stage) -> None:
    status, before = await get_health(hooked)
    assert status == 200
    assert before["healthy"] is True and before["database"] is True
    assert before["scheduler"] is True
    assert before["oldest_undelivered_seconds"] is None
    # The bot joining the staff group was the last update so far.
    hooked.clock.advance(timedelta(seconds=30))
    status, quiet = await get_health(hooked)
    assert status == 200  # a quiet school is a healthy one
    assert quiet["last_update_seconds"] == pytest.approx(30.0, abs=1.0)
    await hooked.ask(ADMIN_NAME, "/help")
    await hooked.settle()
    status, after = await get_health(hooked)
    assert status == 200 and after["last_update_seconds"] == pytest.approx(0.0, abs=1.0)


async def test_healthz_answers_503_when_a_message_waits_too_long(
    hooked: Stage, db_url: str
) -> None:
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            # Held by a process that stopped answering: nobody may take it over for a day.
            await outbox.queue_messages(
                session=session,
                messages=[outbox.NewMessage(chat_id=hooked.id_of(TEACHER), text="早上好")],
                owner="elsewhere",
                now=hooked.clock.now(),
                lease=timedelta(days=1),
            )
            await session.commit()
    finally:
        await engine.dispose()
    status, fresh = await get_health(hooked)
    assert status == 200 and fresh["oldest_undelivered_seconds"] == pytest.approx(0, abs=1)
    hooked.clock.advance(timedelta(minutes=11))
    status, stale = await get_health(hooked)
    assert status == 503
    assert stale["healthy"] is False and stale["database"] is True
    assert stale["oldest_undelivered_seconds"] == pytest.approx(660, abs=1)


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    stream = io.StringIO()
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved_handlers:
        root.addHandler(handler)
    root.setLevel(saved_level)


async def test_the_webhook_secret_never_reaches_the_debug_log(
    db_url: str, debug_log: io.StringIO
) -> None:
    secret = "a-webhook-secret-of-the-school_42"
    settings = Settings(database_url=db_url, webhook_secret=secret)
    # As `staffroom run` sets the log up: the settings' secrets are redacted.
    setup_logging("DEBUG", settings.secrets, stream=debug_log)
    async with open_stage(settings, ManualClock(E2E_START), webhook=True) as stage:
        await stage.ask(TEACHER, "/help")
        await stage.settle()
    log = debug_log.getvalue()
    assert "setWebhook" in log
    assert secret not in log


async def test_staffroom_run_in_webhook_mode_answers_and_refuses_a_forged_post(
    db_url: str, tmp_path: Path
) -> None:
    """The bot as deployed (`python -m bot run --webhook`, settings in the environment) against
    the simulator in its own process."""
    async with simulator_process() as sim:
        school = await open_school(sim, db_url, SystemClock(SHANGHAI).now())
        teacher = school.id_of(TEACHER)
        port = free_port_pair()
        url = f"http://127.0.0.1:{port}/telegram"
        secret = "the-school-webhook-secret_1"
        env = bot_environment(
            sim,
            db_url,
            lease_seconds=5,
            extra={"WEBHOOK_URL": url, "WEBHOOK_SECRET": secret, "WEBHOOK_PORT": str(port)},
        )
        bot = BotProcess(env, tmp_path / "bot.log", args=(*RUN_BOT, "--webhook"))
        # Written while the bot was down: Telegram keeps it, and the bot answers it once up.
        early = school.id_of(EARLY)
        await sim.send(early, early, "/help")
        health = f"http://127.0.0.1:{port + 1}/healthz"

        async def taking_updates() -> bool:
            info = await sim.bot_send("getWebhookInfo")
            if info["url"] != url:
                return False
            try:
                async with aiohttp.ClientSession() as http, http.get(health) as answer:
                    return answer.status == 200
            except aiohttp.ClientError:
                return False

        await bot.start(sim, ready=taking_updates)
        try:
            seq = 0
            for _ in range(20):  # each round waits for the bot's next message, if any
                if await sim.messages(early):
                    break
                waited = await sim.call(
                    "GET", "wait", params={"since_seq": seq, "count": 1, "timeout": 10}
                )
                seq = waited["seq"]
            (kept,) = await sim.messages(early)
            assert "/leave" in kept["text"]
            async with aiohttp.ClientSession() as http:
                forged = json.dumps(
                    {
                        "update_id": 777_001,
                        "message": {
                            "message_id": 1,
                            "date": 0,
                            "chat": {"id": teacher, "type": "private"},
                            "from": {"id": teacher, "is_bot": False, "first_name": TEACHER},
                            "text": "/help",
                            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                        },
                    }
                )
                headers = {"Content-Type": "application/json", SECRET_HEADER: "guessed-secret-1"}
                async with http.post(url, data=forged, headers=headers) as answer:
                    assert answer.status == 403
            before = (await sim.stats())["seq"]
            await sim.send(teacher, teacher, "/help")
            waited = await sim.call(
                "GET", "wait", params={"since_seq": before, "count": 1, "timeout": 30}
            )
            assert not waited["timed_out"]
            assert await sim.wait_consumed(timeout=10)
            replies = await sim.messages(teacher, since=before)
            assert len(replies) == 1 and "/leave" in replies[0]["text"]
            stats = await sim.stats()
            assert stats["calls"].get("getUpdates", 0) == 0
            async with aiohttp.ClientSession() as http, http.get(health) as answer:
                assert answer.status == 200
                report = await answer.json()
            assert report["database"] and report["scheduler"]
            assert report["last_update_seconds"] is not None
            assert await bot.stop() == 0
        finally:
            await bot.kill()
    assert secret not in (tmp_path / "bot.log").read_text(encoding="utf-8")
