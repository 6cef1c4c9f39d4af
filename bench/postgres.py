"""`python -m bench.postgres [--updates N] [--samples N] [--repeat N]`: where PostgreSQL's time
goes.

On a fresh five-school data set for each: the throughput run of `python -m bench` on SQLite and
PostgreSQL (the bot against the bare bot making one call and as many calls per update), then
PostgreSQL's round trips per update counted at asyncpg's calls, and each command's latency in
process on PostgreSQL. Prints the load average next to each figure: compare runs of one sitting.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from statistics import median
from typing import Any

from asyncpg import connection as pg_connection
from asyncpg import prepared_stmt, transaction

from bench import databases, latency, throughput
from bench.dataset import FULL, Dataset, Size, build
from bench.district import NOW
from bench.mix import future_school_days, load
from bench.simproc import simulator_process
from bot.clock import ManualClock
from bot.config import Settings
from storage.db import create_engine
from tests.harness import BotHarness

# What each counted asyncpg call costs: one round trip to the server.
TRIPS = {
    (pg_connection.Connection, "prepare"): "prepare",
    (pg_connection.Connection, "fetchrow"): "ping",
    (prepared_stmt.PreparedStatement, "fetch"): "statement",
    (transaction.Transaction, "start"): "begin",
    (transaction.Transaction, "commit"): "commit",
    (transaction.Transaction, "rollback"): "rollback",
}


def _load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


async def throughput_on(backend: str, updates: int, repeat: int = 1) -> None:
    """`repeat` runs, each on a fresh data set, each the bot and the bare bots back to back; with
    more than one, the median of the ratios too (on a shared machine a bare bot's rate has
    swung by a third between runs of one sitting)."""
    ratios: list[tuple[float, float]] = []
    for _ in range(repeat):
        url = (
            databases.sqlite_url("postgres_tp")
            if backend == "sqlite"
            else await databases.postgres_url("staffroom_postgres_tp")
        )
        dataset = await build(url, size=FULL, now=NOW)
        started = _load()
        async with simulator_process() as sim:
            runs = await throughput.run(sim, dataset, updates)
        ours, one, same = runs["ours"], runs["ceiling"], runs["same_calls"]
        ratios.append((ours.rate / one.rate, ours.rate / same.rate))
        print(
            f"{backend}: {ours.rate:.0f} updates/s ({ours.calls_per_update:.2f} calls per update); "
            f"bare bot {one.rate:.0f}/s (1 call), {same.rate:.0f}/s ({same.calls_per_update:.2f} "
            f"calls): {ours.rate / one.rate:.2f}× / {ours.rate / same.rate:.2f}×; "
            f"CPU per update {ours.cpu_ms_per_update:.1f} ms (bare bot "
            f"{same.cpu_ms_per_update:.1f} ms); {started} at the start",
            flush=True,
        )
    if repeat > 1:
        print(
            f"{backend}, median of {repeat}: {median(r[0] for r in ratios):.2f}× / "
            f"{median(r[1] for r in ratios):.2f}×",
            flush=True,
        )


def _counting(counts: Counter[str]) -> Callable[[], None]:
    originals = []
    for (owner, name), key in TRIPS.items():
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def counted(
            *args: Any,
            _original: Callable[..., Awaitable[Any]] = original,
            _key: str = key,
            **kwargs: Any,
        ) -> Awaitable[Any]:
            counts[_key] += 1
            return _original(*args, **kwargs)

        setattr(owner, name, counted)

    def undo() -> None:
        for owner, name, original in originals:
            setattr(owner, name, original)

    return undo


async def round_trips(repeats: int = 20) -> None:
    """Round trips per update of each kind, after as many updates of the kind to warm up."""
    url = await databases.postgres_url("staffroom_postgres_trips")
    dataset: Dataset = await build(url, size=Size(2, 100, 1000, 100, 20), now=NOW)
    staffroom = await load(dataset)
    engine = create_engine(url)
    clock = ManualClock(dataset.now + timedelta(hours=2))
    bot = BotHarness(Settings(database_url=url), engine, clock)
    people = sorted({t for t, _ in staffroom.members})
    groups = dict(staffroom.members)
    days = future_school_days(clock.now().date(), 20)
    rng = random.Random(1)
    counts: Counter[str] = Counter()
    undo = _counting(counts)
    try:
        async with bot:
            for person in people:
                await bot.send(bot.user(person), "/start")
            await bot.services.settle()

            def one(kind: str, index: int) -> tuple[int, str, int]:
                person = people[index % len(people)]
                if kind == "/help":
                    return person, "/help", person
                if kind == "/duty (group)":
                    return person, "/duty", groups[person]
                if kind == "/hw post":
                    teacher, klass, subject = rng.choice(staffroom.postings)
                    return teacher, f"/hw {klass} {subject} 5 第{index}页", teacher
                day = days[index % len(days)]
                return person, f"/leave 事假 {day:%Y-%m-%d} 上午 家中有事", person

            for kind in ("/help", "/duty (group)", "/hw post", "/leave (one line)"):
                for warm in (True, False):
                    counts.clear()
                    for index in range(repeats):
                        person, text, chat = one(kind, index + (0 if warm else repeats * 2))
                        await bot.send(bot.user(person), text, chat)
                        await bot.services.settle()
                _print_trips(kind, counts, repeats)
            presses = [
                (message, data)
                for message in bot.request.sent
                for _, data in message.buttons
                if data.startswith("v1:lv:ok:")
            ][:repeats]
            counts.clear()
            for message, data in presses:
                await bot.press(bot.user(message.chat_id), message, data)
                await bot.services.settle()
            _print_trips("button: approve leave", counts, max(1, len(presses)))
            # The approvals put lessons on the arrangers' boards: each first substitute offered.
            offers: dict[str, tuple[Any, str]] = {}
            for message in bot.request.sent:
                for _, data in message.buttons:
                    if data.startswith("v1:cov:as:"):
                        offers.setdefault(data.split(":")[3], (message, data))
            counts.clear()
            for message, data in list(offers.values())[:repeats]:
                await bot.press(bot.user(message.chat_id), message, data)
                await bot.services.settle()
            _print_trips("button: assign cover", counts, max(1, min(len(offers), repeats)))
    finally:
        undo()
        await engine.dispose()


def _print_trips(kind: str, counts: Counter[str], n: int) -> None:
    total = sum(counts.values()) / n
    parts = ", ".join(f"{key} {value / n:.1f}" for key, value in sorted(counts.items()))
    print(f"  {kind}: {total:.1f} round trips per update ({parts})", flush=True)


async def latency_on_postgres(samples: int) -> None:
    url = await databases.postgres_url("staffroom_postgres_latency")
    dataset = await build(url, size=FULL, now=NOW)
    print(f"latency in process on PostgreSQL ({_load()} at the start):", flush=True)
    for t in await latency.run(dataset, samples):
        after = "" if t.answered else " (others, after the answer)"
        print(f"  {t.name} (n={len(t.samples)}): p50 {t.p50:.1f} / p99 {t.p99:.1f} ms{after}")
    print(f"  ({_load()} at the end)", flush=True)


async def main(updates: int, samples: int, trips_only: bool, repeat: int = 1) -> None:
    if not await databases.postgres_available():
        raise SystemExit(f"no PostgreSQL at {databases.PG_URL}")
    if not trips_only:
        for backend in ("sqlite", "postgresql"):
            await throughput_on(backend, updates, repeat)
    print("round trips on PostgreSQL:", flush=True)
    await round_trips()
    if not trips_only:
        await latency_on_postgres(samples)


def run() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.postgres", description=__doc__)
    parser.add_argument("--updates", type=int, default=2000, help="throughput updates")
    parser.add_argument("--samples", type=int, default=100, help="latency samples per command")
    parser.add_argument("--trips", action="store_true", help="only the round trips")
    parser.add_argument(
        "--repeat", type=int, default=1, help="throughput runs per database (prints the median)"
    )
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    asyncio.run(main(args.updates, args.samples, args.trips, max(1, args.repeat)))


if __name__ == "__main__":
    run()
