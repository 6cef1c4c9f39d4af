"""`staffroom run` while another process is active: it says it stands by and who is active,
never polls Telegram, and Ctrl-C or SIGTERM ends the wait cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from simulator import Simulator
from storage.db import create_engine, session_factory
from storage.leases import holding, take
from storage.migrate import upgrade_async

TOKEN = "123456:SIM"
ACTIVE = "other-host:4242:abcdef"


async def test_a_second_process_stands_by_without_polling_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    await upgrade_async(url)
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with session_factory(engine)() as session, session.begin():
            # Another process is active and renews its lease for the next hour.
            assert await take(
                session=session, name="bot", holder=ACTIVE, now=now, until=now + timedelta(hours=1)
            )
        async with Simulator(token=TOKEN) as sim:
            assert sim.base_url is not None
            env = {
                "PATH": os.environ.get("PATH", ""),
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": sim.base_url,
                "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db",
                "DEFAULT_LANGUAGE": "en",
                "LEASE_SECONDS": "2",
                "PTB_TIMEDELTA": "true",
            }
            process = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "bot", "run"),
                env=env,
                cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            assert process.stderr is not None
            lines: list[str] = []
            async with asyncio.timeout(60):
                while not lines or "stands by" not in lines[-1]:
                    line = (await process.stderr.readline()).decode()
                    assert line, f"ended without standing by: {''.join(lines)[-2000:]}"
                    lines.append(line)
            process.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(process.communicate(), 30)
            polled = sim.stats.calls.get("getUpdates", 0)
        async with session_factory(engine)() as session:
            still = await holding(session=session, name="bot")
    finally:
        await engine.dispose()
    assert process.returncode == 0
    said = lines[-1]
    assert said.startswith(f"The process {ACTIVE} is active (its claim runs until ")
    assert "takes over within 2.5 s once that one stops" in said
    assert "is now the active one" not in "".join(lines) + (out + err).decode()
    assert polled == 0
    assert still is not None and still.holder == ACTIVE  # a standby leaves the lease alone
