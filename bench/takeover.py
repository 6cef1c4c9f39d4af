"""`python -m bench.takeover [--lease-seconds S] [--postgres URL]`: two bots on one database,
kill -9 the active one at 06:59:50, and time the other's takeover and the 07:00 announcement.

Both run as `staffroom run` does (bench/soakbot.py: the same start, a shifted clock) against
the simulator in a process of its own, on the demo school's Wednesday from 06:59:20, so that
06:59:50 comes once both are up: the first active, the second standing by. Right after the kill
teachers ask for leave, while nobody polls; the other bot takes over at its next look (both run
on this machine, so it sees the killed process is gone; on another machine it would wait for the
lease to expire), and the run ends when the duty announcement is in the group and every request
is answered. The simulator answers a second poller on one token with 409 Conflict, as Telegram
does, so its count says whether two bots ever polled at once. The tests
(tests/e2e/test_takeover_e2e.py) run it with a short lease; run alone, it takes the default one
(LEASE_SECONDS).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.botproc import BotProcess, bot_environment
from bench.demo_school import GROUP_ID, SYSADMIN_ID, open_school
from bench.simproc import simulator_process
from bench.soak import postgres_schema
from bench.soakbot import CLOCK_VARIABLE, clock_setting
from bench.tally import Tally, read_outbox, tally, unfinished
from bot.config import Settings

# Wednesday 25 November 2026, a school day of the autumn term.
DAY_START = datetime(2026, 11, 25, 6, 59, 20, tzinfo=ZoneInfo("Asia/Shanghai"))
KILL_AT = DAY_START.replace(second=50)
# They ask for leave while the first bot is dead and the second not yet in charge.
ASKING = ("吴晓梅", "周雅琴", "许志强", "曹明")
LEAVE = "/leave 病假 2026-11-26 发烧"
ANNOUNCEMENT = "今日值班"
ACTIVE = "lease: active"
STANDING_BY = "lease: standing by"


@dataclass
class Takeover:
    lease_seconds: float
    killed_at: datetime  # school time
    killed_seq: int  # the simulator's seq at the kill
    active_after: float  # seconds from the kill until the second bot said it is active
    stood_by_before: bool  # the second bot said it stands by before the kill
    ready_at: datetime  # school time when both were up
    announced_after: float  # seconds from the kill until the announcement was in the group
    announcements: list[dict[str, Any]]  # every duty announcement sent to the group
    answered: dict[int, float] = field(default_factory=dict)  # teacher → seconds after the kill
    conflicts: int = 0  # 409 answers to getUpdates: two pollers at once
    tally: Tally = field(default_factory=Tally)
    stopped_cleanly: bool = False
    logs: tuple[Path, Path] | None = None

    @property
    def announced_at(self) -> datetime:
        return self.killed_at + timedelta(seconds=self.announced_after)


def logged(bot: BotProcess, line: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return bot.log_path.exists() and line in bot.log_path.read_text(errors="replace")

    return check


async def until(what: str, check: Callable[[], Awaitable[bool]], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def run(database_url: str, workdir: Path, *, lease_seconds: float) -> Takeover:
    """The scenario on an empty database; the bots' logs stay in `workdir`."""
    # Any step: the takeover, a retry after Telegram's 429 (the two bots' messages count in one
    # group's 20 a minute, and one asks for up to a minute), and a loaded machine's slowness.
    wait = lease_seconds * 2 + 120
    async with simulator_process() as sim:
        school = await open_school(sim, database_url, DAY_START)
        real_start = time.time()

        def school_time() -> datetime:
            return DAY_START + timedelta(seconds=time.time() - real_start)

        env = bot_environment(
            sim,
            database_url,
            lease_seconds=lease_seconds,
            admins=(SYSADMIN_ID,),
            extra={
                CLOCK_VARIABLE: clock_setting(DAY_START, real_start),
                "DELIVERY_LEASE_SECONDS": "2",
            },
        )
        args = ("-m", "bench.soakbot")
        first = BotProcess(env, workdir / "first" / "bot.log", args=args)
        second = BotProcess(env, workdir / "second" / "bot.log", args=args)
        for bot in (first, second):
            bot.log_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            await first.start(sim)
            await second.start(sim, ready=logged(second, STANDING_BY))
            stood_by = not await logged(second, ACTIVE)()
            ready_at = school_time()
            if school_time() >= KILL_AT:
                raise RuntimeError("the bots took too long to start: 06:59:50 has passed")
            await asyncio.sleep((KILL_AT - school_time()).total_seconds())

            await first.kill()
            killed = time.monotonic()
            killed_at = school_time()
            killed_seq = (await sim.stats())["seq"]
            asked: dict[int, int] = {}
            for name in ASKING:
                teacher = school.id_of(name)
                asked[teacher] = (await sim.stats())["seq"]
                await sim.send(teacher, teacher, LEAVE)

            await until("the standby to take over", logged(second, ACTIVE), wait)
            active_after = time.monotonic() - killed

            async def announced() -> bool:
                return bool(await _announcements(sim.actions))

            await until("the duty announcement", announced, wait)
            announced_after = time.monotonic() - killed

            answered: dict[int, float] = {}

            async def everyone_answered() -> bool:
                for teacher, since in asked.items():
                    if teacher not in answered and await sim.messages(teacher, since=since):
                        answered[teacher] = time.monotonic() - killed
                return len(answered) == len(asked)

            await until("an answer to every leave request", everyone_answered, wait)

            async def delivered() -> bool:
                return (await unfinished(database_url)).none

            await until("every message to be delivered", delivered, wait)
            stopped = await second.stop() == 0
        finally:
            await first.kill()
            await second.kill()
        stats = await sim.stats()
        return Takeover(
            lease_seconds=lease_seconds,
            killed_at=killed_at,
            killed_seq=killed_seq,
            active_after=active_after,
            stood_by_before=stood_by,
            ready_at=ready_at,
            announced_after=announced_after,
            announcements=await _announcements(sim.actions),
            answered=answered,
            conflicts=int(stats["errors"].get("409", 0)),
            tally=tally(await read_outbox(database_url), await sim.actions()),
            stopped_cleanly=stopped,
            logs=(first.log_path, second.log_path),
        )


async def _announcements(actions: Callable[[], Awaitable[list[dict[str, Any]]]]) -> list[Any]:
    return [
        a
        for a in await actions()
        if a["chat_id"] == GROUP_ID and a["kind"] == "send" and ANNOUNCEMENT in (a["text"] or "")
    ]


def report(result: Takeover, command: str) -> str:
    t = result.tally
    answered = sorted(result.answered.values())
    lines = [
        f"Takeover: {command}",
        f"  lease:                  {result.lease_seconds:g} s "
        f"(a standby looks every {result.lease_seconds / 4:g} s)",
        f"  both bots up:           at {result.ready_at:%H:%M:%S} (one active, one standing by)",
        f"  kill -9 of the active:  at {result.killed_at:%H:%M:%S}",
        f"  standby active:         {result.active_after:.1f} s after the kill",
        f"  07:00 announcement:     at {result.announced_at:%H:%M:%S}, "
        f"{result.announced_after:.1f} s after the kill, sent {len(result.announcements)}×",
        f"  leave requests asked:   {len(ASKING)} during the switch; answered "
        f"{len(answered)}, the last {answered[-1] if answered else 0:.1f} s after the kill",
        f"  409 Conflict (two pollers): {result.conflicts}",
        f"  messages committed:     {t.committed}; delivered {t.delivered}; duplicates "
        f"{t.duplicates}; missing {len(t.missing)}; pending {len(t.pending)}",
    ]
    return "\n".join(lines)


async def _run_on(postgres: str | None, lease_seconds: float) -> Takeover:
    workdir = Path(tempfile.mkdtemp(prefix="staffroom-takeover-"))
    if postgres is None:
        return await run(
            f"sqlite+aiosqlite:///{workdir}/takeover.db", workdir, lease_seconds=lease_seconds
        )
    async with postgres_schema(postgres) as url:
        return await run(url, workdir, lease_seconds=lease_seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.takeover", description=__doc__)
    parser.add_argument(
        "--lease-seconds", type=float, default=Settings().lease_seconds, metavar="S"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=None,
        help="a PostgreSQL database; the run uses a schema of its own, dropped afterwards",
    )
    args = parser.parse_args(argv)
    result = asyncio.run(_run_on(args.postgres, args.lease_seconds))
    print(report(result, " ".join(["python -m bench.takeover", *(argv or sys.argv[1:])])))
    once = len(result.announcements) == 1 and result.tally.holds and not result.conflicts
    return 0 if once and len(result.answered) == len(ASKING) else 1


if __name__ == "__main__":
    raise SystemExit(main())
