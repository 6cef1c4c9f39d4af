"""`python -m bench.soak [--minutes N] [--seed S] [--postgres URL]`: a school day under faults,
then the tally.

The demo school lives a Wednesday morning from 06:59:30 (the 07:00 duty announcement falls due
early on, and the day's later pushes are moved to the minutes after it) through the simulator,
with the real bot in a process of its own (bench/soakbot.py). Its staff ask for leave, approve,
arrange cover, confirm it and post homework (bench/soak_staff.py), while the simulator fails
calls at random (5xx, timeouts, 429 with retry_after, now and then a blocked user) and the bot
is killed with SIGKILL and started again. Telegram's flood limits are on. At the end the faults
stop, the bot is stopped and started once more cleanly, and once it has nothing left to do the
outbox is compared with what the simulator received (bench/tally.py): every committed message
delivered once, or given up with a reason.

Exit code 0 when nothing was lost; 1 when a message is missing, still pending or given up
without a reason (with --strict, also when one was delivered twice: a kill between Telegram's
answer and the record of it, or a timeout after Telegram took the message, sends it again).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bench.botproc import BotProcess, bot_environment
from bench.demo_school import GROUP_ID, SCHOOL_NAME, SYSADMIN_ID, open_school
from bench.simproc import SimClient, simulator_process
from bench.soak_staff import Staffroom, staffroom
from bench.soakbot import CLOCK_VARIABLE, clock_setting
from bench.tally import (
    Requests,
    Tally,
    every_request_decided_or_escalated,
    pushes,
    read_outbox,
    tally,
    unfinished,
)
from bot.config import async_database_url
from storage.db import create_engine, session_factory
from storage.policies import set_policy
from storage.schools import school_by_name

# Wednesday 25 November 2026, half a minute before the 07:00 duty announcement.
DAY_START = datetime(2026, 11, 25, 6, 59, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
LEASE_SECONDS = 2.0
SETTLE_SECONDS = 240.0
# The afternoon's and evening's pushes moved to the first minutes, so that a soak of a few
# minutes sees several kinds fall due (the duty announcement keeps its 07:00).
PUSH_TIMES = {
    "cover.slip_today": "07:01",
    "homework.board_time": "07:02",
    "patrol.reminder_time": "07:03",
    "cover.slip_tomorrow": "07:04",
    "events.reminder_time": "07:05",
}
# Faults by how often they are chosen; a blocked user is rare, as in life.
FAULTS = {"500": 40, "timeout": 15, "429": 35, "blocked": 2}
METHODS = {"sendMessage": 85, "editMessageText": 15}


@dataclass
class SoakConfig:
    minutes: float = 5.0
    seed: int = 1
    database_url: str | None = None  # empty; default: an SQLite file in the work folder
    actions_per_second: float = 2.0
    fault_every: float = 2.0  # seconds between faults, on average
    kill_every: float = 40.0  # seconds between kills, on average
    workdir: Path | None = None


@dataclass
class Figures:
    tally: Tally
    requests: Requests
    faults: Counter[str]  # injected by kind, as the simulator counted them
    kills: int
    starts: int
    actions: Counter[str]
    rate_limited: int  # 429s from the simulator's flood limits (the bot went too fast)
    seconds: float
    settle_seconds: float
    log: Path
    pushes: Counter[str] = field(default_factory=Counter)  # "kind: state" in the ledger
    kill_seqs: list[int] = field(default_factory=list)  # the simulator's seq at each kill

    @property
    def across_kills(self) -> int:
        """Duplicates whose copies a kill separates: sent, then the bot died before it had
        recorded so, and the next start sent it again. The others met a timeout after
        Telegram had taken the message (which the bot cannot tell from one it had not)."""
        return sum(
            1
            for seqs in self.tally.copies
            if any(seqs[0] <= kill < seqs[-1] for kill in self.kill_seqs)
        )


async def run(config: SoakConfig) -> Figures:
    workdir = config.workdir or Path(tempfile.mkdtemp(prefix="staffroom-soak-"))
    database_url = config.database_url or f"sqlite+aiosqlite:///{workdir}/soak.db"
    rng = random.Random(config.seed)
    started = time.monotonic()
    async with simulator_process(rate_limits=True) as sim:
        school = await open_school(sim, database_url, DAY_START)
        await _early_pushes(database_url)
        people = await staffroom(sim, school, database_url, DAY_START.date(), rng)
        env = bot_environment(
            sim,
            database_url,
            lease_seconds=LEASE_SECONDS,
            admins=(SYSADMIN_ID,),
            extra={CLOCK_VARIABLE: clock_setting(DAY_START, time.time())},
        )
        bot = BotProcess(env, workdir / "bot.log", args=("-m", "bench.soakbot"))
        await bot.start(sim)
        try:
            deadline = time.monotonic() + config.minutes * 60
            kill_seqs: list[int] = []
            await asyncio.gather(
                _staff(people, config, deadline),
                _faults(sim, people, config, rng, deadline),
                _kills(sim, bot, config, rng, deadline, kill_seqs),
            )
            await sim.clear_faults()
            # Once more, cleanly: a stop as `docker stop` does it, and a start.
            await bot.stop()
            await bot.start(sim)
            settling = time.monotonic()
            await _settle(sim, database_url)
            settle_seconds = time.monotonic() - settling
            await bot.stop()
        finally:
            await bot.kill()
        stats = await sim.stats()
        result = tally(await read_outbox(database_url), await sim.actions())
    return Figures(
        tally=result,
        requests=await every_request_decided_or_escalated(database_url),
        faults=Counter(stats["injected"]),
        kills=bot.kills,
        starts=bot.starts,
        actions=people.done,
        rate_limited=int(stats["rate_limited_429"]),
        seconds=time.monotonic() - started,
        settle_seconds=settle_seconds,
        log=bot.log_path,
        pushes=await pushes(database_url),
        kill_seqs=kill_seqs,
    )


async def _early_pushes(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            school = await school_by_name(session=session, name=SCHOOL_NAME)
            assert school is not None
            for key, value in PUSH_TIMES.items():
                await set_policy(
                    session=session,
                    school_id=school.id or 0,
                    key=key,
                    raw_value=value,
                    by=None,
                    now=DAY_START,
                )
    finally:
        await engine.dispose()


async def _staff(people: Staffroom, config: SoakConfig, deadline: float) -> None:
    looked = 0.0
    while time.monotonic() < deadline:
        if time.monotonic() - looked > 1.0:
            await people.look()
            looked = time.monotonic()
        await people.act()
        await asyncio.sleep(people.rng.expovariate(config.actions_per_second))


async def _faults(
    sim: SimClient, people: Staffroom, config: SoakConfig, rng: random.Random, deadline: float
) -> None:
    chats = [*people.people, GROUP_ID]
    while time.monotonic() < deadline:
        await asyncio.sleep(rng.expovariate(1 / config.fault_every))
        kind = rng.choices(list(FAULTS), weights=list(FAULTS.values()))[0]
        method = rng.choices(list(METHODS), weights=list(METHODS.values()))[0]
        # Mostly whichever chat comes next, sometimes one chat in particular.
        chat = rng.choice(chats) if kind == "blocked" or rng.random() < 0.3 else None
        await sim.fault(
            method,
            kind,
            count=rng.randint(1, 3) if kind == "500" else 1,
            chat_id=chat,
            retry_after=rng.randint(1, 6),
        )


async def _kills(
    sim: SimClient,
    bot: BotProcess,
    config: SoakConfig,
    rng: random.Random,
    deadline: float,
    seqs: list[int],
) -> None:
    while True:
        wait = rng.uniform(0.5, 1.5) * config.kill_every
        if time.monotonic() + wait >= deadline:
            return
        await asyncio.sleep(wait)
        await bot.kill()
        seqs.append((await sim.stats())["seq"])
        await asyncio.sleep(rng.uniform(0.2, 2.0))  # a supervisor starting it again
        await bot.start(sim)


async def _settle(sim: SimClient, database_url: str) -> None:
    """Waits until the bot has taken every update and has nothing left to send or do (twice in
    a row, half a second apart: a delivery may queue more)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    calm = 0
    while calm < 2:
        if time.monotonic() > deadline:
            raise RuntimeError("the bot did not settle; see its log")
        await asyncio.sleep(0.5)
        consumed = await sim.wait_consumed(timeout=1.0)
        calm = calm + 1 if consumed and (await unfinished(database_url)).none else 0


def report(figures: Figures, command: str) -> str:
    t, r = figures.tally, figures.requests
    faults = ", ".join(f"{kind} {n}" for kind, n in sorted(figures.faults.items())) or "none"
    given_up = "; ".join(f"{why} ×{n}" for why, n in t.given_up.most_common()) or "none"
    requests = ", ".join(f"{status} {n}" for status, n in sorted(r.by_status.items())) or "none"
    actions = ", ".join(f"{kind} {n}" for kind, n in sorted(figures.actions.items()))
    pushed = ", ".join(f"{what} {n}" for what, n in sorted(figures.pushes.items())) or "none"
    lines = [
        f"Fault soak: {command}",
        f"  ran {figures.seconds:.0f} s; "
        f"settled {figures.settle_seconds:.1f} s after the last start",
        f"  staff actions:        {sum(figures.actions.values())} ({actions})",
        f"  messages committed:   {t.committed} ({t.sends} sends, {t.edits} edits)",
        f"  faults injected:      {sum(figures.faults.values())} ({faults}); "
        f"kill -9 {figures.kills}; flood-limit 429 {figures.rate_limited}",
        f"  restarts:             {figures.starts - 1} ({figures.kills} after kill -9, "
        "1 after a clean stop)",
        f"  delivered:            {t.delivered}",
        f"  duplicates:           {t.duplicates}"
        + (
            f" ({figures.across_kills} across a kill -9; rows {t.duplicated_rows})"
            if t.duplicates
            else ""
        ),
        f"  given up:             {sum(t.given_up.values())} ({given_up})",
        f"  missing:              {len(t.missing)}" + (f" (rows {t.missing})" if t.missing else ""),
        f"  still pending:        {len(t.pending)}",
        f"  given up, no reason:  {len(t.unexplained)}",
        f"  sent without a row:   {t.outside} (read-only answers, error notices)",
        f"  pushes (ledger):      {pushed}",
        f"  leave requests:       {requests}; undecided {r.undecided}; "
        f"follow-ups given up {r.failed_work}",
        f"  bot log:              {figures.log}",
        _verdict(t),
    ]
    return "\n".join(lines)


def _verdict(t: Tally) -> str:
    if t.holds:
        return "  HOLDS: every committed message delivered exactly once or given up with a reason"
    if t.lost_nothing:
        return "  NOTHING LOST: every committed message delivered or given up; some twice"
    return "  LOST: see missing, pending and given up without a reason above"


@asynccontextmanager
async def postgres_schema(url: str) -> AsyncIterator[str]:
    """A fresh schema of its own in the PostgreSQL database at `url`, dropped afterwards."""
    schema = f"soak_{secrets.token_hex(4)}"
    admin = create_engine(async_database_url(url))
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield async_database_url(url) + f"?options=-csearch_path%3D{schema}"
        finally:
            async with admin.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        await admin.dispose()


async def _run_on(config: SoakConfig, postgres: str | None) -> Figures:
    if postgres is None:
        return await run(config)
    async with postgres_schema(postgres) as database_url:
        config.database_url = database_url
        return await run(config)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=SoakConfig.minutes)
    parser.add_argument("--seed", type=int, default=SoakConfig.seed)
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--database-url", default=None, help="an empty database (default: SQLite in a temp folder)"
    )
    where.add_argument(
        "--postgres",
        metavar="URL",
        default=None,
        help="a PostgreSQL database; the soak runs in a schema of its own, dropped afterwards",
    )
    parser.add_argument("--kill-every", type=float, default=SoakConfig.kill_every)
    parser.add_argument("--fault-every", type=float, default=SoakConfig.fault_every)
    parser.add_argument(
        "--strict", action="store_true", help="a message delivered twice fails the run too"
    )
    args = parser.parse_args(argv)
    config = SoakConfig(
        minutes=args.minutes,
        seed=args.seed,
        database_url=args.database_url,
        kill_every=args.kill_every,
        fault_every=args.fault_every,
    )
    figures = asyncio.run(_run_on(config, args.postgres))
    print(report(figures, " ".join(["python -m bench.soak", *(argv or sys.argv[1:])])))
    passed = figures.tally.holds if args.strict else figures.tally.lost_nothing
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
