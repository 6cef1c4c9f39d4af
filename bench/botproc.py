"""The real bot in a process of its own, killed and started again as a crash would.

The restart tests and the fault-soak run the bot as it is deployed (`python -m bot run`, or the
soak's entry with a simulated clock, bench/soakbot.py) against the simulator in its own process,
with a short delivery lease, so that a new start takes over at once what a killed one held.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.simproc import SimClient
from bot.app import SIMULATOR_TOKEN

ROOT = Path(__file__).resolve().parent.parent
RUN_BOT = ("-m", "bot", "run")
START_SECONDS = 60.0
STOP_SECONDS = 30.0


def bot_environment(
    sim: SimClient,
    database_url: str,
    *,
    lease_seconds: float,
    admins: tuple[int, ...] = (),
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The settings of a bot that talks to the simulator; the rest of the environment stays."""
    env = dict(os.environ)
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": SIMULATOR_TOKEN,
            "TELEGRAM_API_BASE_URL": sim.base_url,
            "DATABASE_URL": database_url,
            "DELIVERY_LEASE_SECONDS": str(lease_seconds),
            # A start after a kill waits for the killed one's lease to expire: as short.
            "LEASE_SECONDS": str(lease_seconds),
            "BOOTSTRAP_ADMIN_IDS": ",".join(str(a) for a in admins),
            "LOG_LEVEL": "INFO",
            "PTB_TIMEDELTA": "true",
            # bench/ is not installed with the package; the soak's entry lives there.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        }
    )
    env.update(extra or {})
    return env


class BotProcess:
    """One bot at a time: `start`, then `kill` (SIGKILL, nothing runs after it) or `stop`."""

    def __init__(
        self, env: dict[str, str], log_path: Path, *, args: tuple[str, ...] = RUN_BOT
    ) -> None:
        self.env = env
        self.log_path = log_path
        self.args = args
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.kills = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(
        self,
        sim: SimClient,
        timeout: float = START_SECONDS,  # noqa: ASYNC109
        *,
        ready: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        """Starts the bot and waits until it polls the simulator for updates (or until `ready`
        says it takes them: in webhook mode, or a second bot standing by, which does not poll)."""
        if self.running:
            raise RuntimeError("the bot is running already")
        polls = await _polls(sim)

        async def started() -> bool:
            return await ready() if ready is not None else await _polls(sim) > polls

        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n--- start {self.starts} ---\n".encode())
            log.flush()
            # The working folder holds no .env: the settings are the environment given.
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                *self.args,
                env=self.env,
                cwd=self.log_path.parent,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + timeout
        while not await started():
            if not self.running:
                raise RuntimeError(f"the bot exited at start; see {self.log_path}:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the bot did not start polling; see {self.log_path}")
            await asyncio.sleep(0.05)

    async def kill(self) -> None:
        """As `kill -9`, an out-of-memory kill or a power cut: the bot runs nothing more."""
        if self.process is None or not self.running:
            return
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.kills += 1

    async def stop(self, timeout: float = STOP_SECONDS) -> int | None:  # noqa: ASYNC109
        """As `docker stop`: SIGTERM, then SIGKILL if it is not gone in time."""
        if self.process is None:
            return None
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(timeout):
                    await self.process.wait()
            except TimeoutError:
                await self.kill()
        return self.process.returncode

    def tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


async def _polls(sim: SimClient) -> int:
    stats = await sim.stats()
    return int(stats["calls"].get("getUpdates", 0))
