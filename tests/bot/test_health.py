"""`staffroom health`: exit code 0 with a short report when the bot here is alive and keeping
up, 1 naming what is wrong when it is not."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from bot.health_cli import health
from bot.heartbeat import Beat, install, read_beat, write_beat
from simulator import Simulator
from storage.db import create_engine, session_factory
from storage.migrate import upgrade_on
from storage.models import OutboxMessage
from tests.conftest import SHANGHAI
from tests.harness import BotHarness

NOW = datetime(2026, 12, 7, 7, 0, tzinfo=SHANGHAI)


@pytest.fixture
async def migrated(tmp_path: Path) -> AsyncIterator[tuple[Settings, AsyncEngine]]:
    url = f"sqlite+aiosqlite:///{tmp_path}/school.db"
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_on)
    settings = Settings(
        database_url=url, default_language="en", heartbeat_file=tmp_path / "heartbeat.json"
    )
    yield settings, engine
    await engine.dispose()


def beating(settings: Settings, *, ago: timedelta, polling: bool = True) -> None:
    write_beat(
        settings.heartbeat_file,
        Beat(
            pid=4242,
            started_at=(NOW - timedelta(hours=3)).isoformat(),
            beat_at=(NOW - ago).isoformat(),
            polling=polling,
            last_update_at=(NOW - timedelta(minutes=4)).isoformat(),
        ),
    )


async def pending_message(engine: AsyncEngine, committed: datetime) -> None:
    async with session_factory(engine)() as s, s.begin():
        s.add(OutboxMessage(chat_id=-1001, text="值日安排", created_at=committed))


async def test_a_bot_that_beats_and_keeps_up_is_healthy(
    migrated: tuple[Settings, AsyncEngine], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, engine = migrated
    beating(settings, ago=timedelta(seconds=6))
    await pending_message(engine, NOW - timedelta(seconds=30))
    assert await health(settings, now=NOW) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "ok   the database is reachable",
        out[1],
        "ok   the bot is running (process 4242), its scheduler ran 6 s ago, "
        "last update handled 4 min ago",
        "ok   the oldest message waiting to be sent has waited 30 s (limit 10 minutes)",
        "Healthy.",
    ]
    assert out[1].startswith("ok   the database schema is up to date (")


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        ("no bot", "FAIL no heartbeat file"),
        ("stuck", "FAIL the bot's last heartbeat (process 4242) was 2 min ago: it stopped"),
        ("not polling", "FAIL the bot (process 4242) runs but is not receiving updates"),
        ("outbox", "FAIL the oldest message waiting to be sent has waited 25 min, over 10"),
    ],
)
async def test_what_is_wrong_is_named_and_the_exit_code_is_1(
    migrated: tuple[Settings, AsyncEngine],
    capsys: pytest.CaptureFixture[str],
    problem: str,
    expected: str,
) -> None:
    settings, engine = migrated
    if problem != "no bot":
        ago = timedelta(minutes=2) if problem == "stuck" else timedelta(seconds=5)
        beating(settings, ago=ago, polling=problem != "not polling")
    if problem == "outbox":
        await pending_message(engine, NOW - timedelta(minutes=25))
    assert await health(settings, now=NOW) == 1
    out = capsys.readouterr().out
    assert expected in out and out.endswith("Unhealthy.\n")
    assert sum(line.startswith("FAIL") for line in out.splitlines()) == 1


async def test_a_database_not_migrated_yet_is_unhealthy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/new.db",
        default_language="en",
        heartbeat_file=tmp_path / "heartbeat.json",
    )
    beating(settings, ago=timedelta(seconds=1))
    assert await health(settings, now=NOW) == 1
    assert "FAIL the database is at schema version -, this Staffroom needs" in (
        capsys.readouterr().out
    )


async def test_the_running_bot_writes_when_it_last_handled_an_update(
    migrated: tuple[Settings, AsyncEngine], tmp_path: Path
) -> None:
    settings, engine = migrated
    clock = ManualClock(NOW)
    async with BotHarness(replace(settings, default_language="zh"), engine, clock) as bot:
        heartbeat = install(bot.app, settings.heartbeat_file, clock)
        running: Any = SimpleNamespace(application=SimpleNamespace(updater=None))
        await heartbeat.beat(running)
        first = read_beat(settings.heartbeat_file)
        assert first is not None and first.last_update is None and first.beat == NOW
        clock.set(NOW + timedelta(minutes=1))
        await bot.send(bot.user(5_000_001), "/help")
        clock.set(NOW + timedelta(minutes=2))
        polling = SimpleNamespace(
            application=SimpleNamespace(updater=SimpleNamespace(running=True))
        )
        await heartbeat.beat(polling)  # type: ignore[arg-type]
    beat = read_beat(settings.heartbeat_file)
    assert beat is not None and beat.polling
    assert beat.last_update == NOW + timedelta(minutes=1)
    assert beat.beat == NOW + timedelta(minutes=2)


async def test_staffroom_run_beats_and_staffroom_health_says_so(tmp_path: Path) -> None:
    """The real process, polling the local simulator, logging JSON lines."""
    token = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    async with Simulator(token=token) as sim:
        assert sim.base_url is not None
        env = {
            "PATH": os.environ.get("PATH", ""),
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": sim.base_url,
            "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db",
            "DEFAULT_LANGUAGE": "en",
            "LOG_FORMAT": "json",
            "PTB_TIMEDELTA": "true",
        }
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert bot.stderr is not None
        lines: list[str] = []
        try:
            async with asyncio.timeout(60):
                while not lines or "heartbeat:" not in lines[-1]:
                    line = (await bot.stderr.readline()).decode()
                    assert line, f"the bot ended: {''.join(lines)[-2000:]}"
                    lines.append(line)
            check = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "health", env=env, cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, _ = await asyncio.wait_for(check.communicate(), 60)
        finally:
            bot.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(bot.communicate(), 30)
    assert check.returncode == 0, out.decode()
    assert out.decode().splitlines()[-1] == "Healthy."
    logged = [json.loads(line) for line in "".join(lines).splitlines() + err.decode().splitlines()]
    assert all(entry["level"] and entry["logger"] for entry in logged)
    assert token.split(":")[1] not in "".join(lines) + err.decode()
