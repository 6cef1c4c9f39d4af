"""`python -m bench.planning [--schools N] [--sqlite] [--statements] [--profile FILE]`: start-up
planning alone, in process.

N schools, each with a year of data (the district's school: 59 staff, 12 classes, a timetable,
600 leave requests, 8,000 homework postings, 2,000 duty days), in a fresh database. The bot
starts at 06:58 of the district's morning and plans every school (yesterday, today, tomorrow,
the catch-up and the jobs), twice: the first start claims the slots missed since the data ends,
the restart finds them claimed. Prints the seconds and the SQL statements per school (and, on
PostgreSQL, the round trips), with the load average next to them: compare runs of one sitting.
`--statements` lists each statement's count and time a school; `python -m bench.district
--planning-only` times the same through the simulator, as the morning does.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import time
from collections import Counter
from datetime import datetime
from datetime import time as clock_time
from typing import Any

from sqlalchemy import event

from bench import databases, fanout
from bench.dataset import Size
from bench.district import FULL, NOW, DistrictSize, build_district
from bench.postgres import _counting
from bot.clock import ManualClock
from bot.config import Settings
from jobs import scheduler
from storage.db import create_engine
from tests.harness import BotHarness

START = clock_time(6, 58)


def _load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


async def plan_all(
    url: str, clock: ManualClock, profile: cProfile.Profile | None
) -> tuple[float, Counter[str], Counter[str], int]:
    """One start of a new process (its own engine: nothing cached): the scheduler's planning of
    every school; (seconds, statements by text, their seconds, round trips)."""
    engine = create_engine(url)
    statements: Counter[str] = Counter()
    spent: Counter[str] = Counter()
    began: list[float] = []

    def count(*_: Any) -> None:
        began.append(time.perf_counter())

    def took(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        text = " ".join(sql.split())[:110]
        statements[text] += 1
        if began:
            spent[text] += time.perf_counter() - began.pop()

    bot = BotHarness(Settings(database_url=url), engine, clock)
    await bot.app.initialize()  # not post_init: that would start the planning on its own
    trips: Counter[str] = Counter()
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    event.listen(engine.sync_engine, "after_cursor_execute", took)
    undo = _counting(trips)
    try:
        if profile is not None:
            profile.enable()
        started = time.perf_counter()
        await scheduler.start(bot.app)
        seconds = time.perf_counter() - started
        if profile is not None:
            profile.disable()
    finally:
        undo()
        event.remove(engine.sync_engine, "before_cursor_execute", count)
        event.remove(engine.sync_engine, "after_cursor_execute", took)
        await bot.services.settle()
        await bot.__aexit__(None, None, None)
        await engine.dispose()
    return seconds, statements, spent, sum(trips.values())


async def main(
    schools: int,
    postgres: bool,
    listing: bool = False,
    profile_to: str | None = None,
    school: Size = FULL.school,
    name: str = "staffroom_planning",
) -> None:
    """The run; `school`: one school's year (the district's by default), `name`: the database
    (PostgreSQL) or file (SQLite) built afresh."""
    backend = "postgresql" if postgres else "sqlite"
    url = await databases.postgres_url(name) if postgres else databases.sqlite_url(name)
    started = time.perf_counter()
    size = DistrictSize(schools, school, 0, 0, 0)
    await build_district(url, size)
    print(f"{schools} schools' year on {backend}: {time.perf_counter() - started:.0f} s to build")
    day = fanout.school_morning(NOW.date())
    profile = cProfile.Profile() if profile_to else None
    for label in ("first start", "restart"):
        clock = ManualClock(datetime.combine(day, START, tzinfo=fanout.TZ))
        before = _load()
        seconds, statements, spent, trips = await plan_all(
            url, clock, profile if label == "restart" else None
        )
        per = f", {trips / schools:.0f} round trips" if postgres else ""
        print(
            f"  {label}: {seconds:.2f} s for {schools} schools = "
            f"{seconds / schools * 1000:.0f} ms a school ({statements.total() / schools:.0f} "
            f"statements{per} a school); {before} before",
            flush=True,
        )
        if listing:
            for sql, n in statements.most_common():
                print(f"    {n / schools:5.1f} × {spent[sql] / n * 1000:5.2f} ms  {sql}")
    if profile is not None and profile_to is not None:
        profile.dump_stats(profile_to)
        print(f"profile of the restart: {profile_to}")


def run() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.planning", description=__doc__)
    parser.add_argument("--schools", type=int, default=40, help="how many schools (default 40)")
    parser.add_argument("--sqlite", action="store_true", help="on SQLite instead of PostgreSQL")
    parser.add_argument("--statements", action="store_true", help="list the statements of a school")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the restart into FILE")
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    asyncio.run(main(args.schools, not args.sqlite, args.statements, args.profile))


if __name__ == "__main__":
    run()
