"""Footprint: time from process start to the first getUpdates, and resident memory at idle."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass

from bench.machine import rss_mb
from bench.simproc import SimClient
from bot.app import SIMULATOR_TOKEN


@dataclass
class Footprint:
    startup_s: float
    idle_rss_mb: float


async def measure_startup(
    sim: SimClient, database_url: str, *, idle_seconds: float = 2.0
) -> Footprint:
    """Starts `staffroom run` against the simulator and times it to its first getUpdates."""
    before = (await sim.stats())["calls"].get("getUpdates", 0)
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": SIMULATOR_TOKEN,
        "TELEGRAM_API_BASE_URL": sim.base_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        while (await sim.stats())["calls"].get("getUpdates", 0) <= before:
            if process.returncode is not None:
                error = await process.stderr.read() if process.stderr else b""
                raise RuntimeError(f"the bot exited: {error.decode()}")
            await asyncio.sleep(0.005)
        startup = time.perf_counter() - started
        # Idle: polling with nothing to do, after start-up work has settled.
        await asyncio.sleep(idle_seconds)
        idle = rss_mb(process.pid)
    finally:
        process.terminate()
        await process.wait()
    return Footprint(startup, idle)
