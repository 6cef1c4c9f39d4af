"""How long each report takes to build for a whole term of the largest school, and how late the
event loop runs meanwhile (what every other person's command waits on while a report is built).

The queries run on the loop; the workbook and the chart are drawn in the worker process, as the
bot does (bot/offload.py). A ticker on the loop, due every `TICK` seconds, records how late
each tick is. `alongside` then times other people's commands (/today, the /leave wizard's first
step, a /hw posting) handled by the real application while the term's cover statement is built
over and over, against the same commands with nothing being built.

`python -m bench.reports [--quick]` runs this part alone on a fresh SQLite data set.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bench.dataset import Dataset, SchoolInfo
from bot.offload import off_loop
from rules.report_requests import KINDS, Period, Scope
from storage.db import create_engine, session_factory
from storage.models import Staff
from storage.reports import load_report
from views.charts import report_chart
from views.reports import render

TERM = Period(date(2026, 9, 1), date(2027, 1, 22))
TICK = 0.005


@dataclass
class Built:
    kind: str
    seconds: float  # loading, summing, the workbook and the chart
    size_kb: float
    lag_p99_ms: float  # how late the loop ran while it was built


async def _ticker(lags: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        due = time.perf_counter() + TICK
        await asyncio.sleep(TICK)
        lags.append(max(0.0, time.perf_counter() - due) * 1000)


async def _largest(dataset: Dataset, sessions: async_sessionmaker[AsyncSession]) -> SchoolInfo:
    async with sessions() as session:
        rows = (
            await session.exec(select(Staff.school_id, func.count()).group_by(Staff.school_id))
        ).all()
    school_id = max(rows, key=lambda row: row[1])[0]
    return next(s for s in dataset.schools if s.id == school_id)


async def run(dataset: Dataset) -> tuple[str, list[Built]]:
    engine = create_engine(dataset.database_url)
    sessions = session_factory(engine)
    built: list[Built] = []
    try:
        largest = await _largest(dataset, sessions)
        school_id, name = largest.id, largest.name
        for kind in KINDS:
            lags: list[float] = []
            stop = asyncio.Event()
            ticker = asyncio.create_task(_ticker(lags, stop))
            started = time.perf_counter()
            async with sessions() as session:
                report = await load_report(
                    session=session,
                    school_id=school_id,
                    kind=kind,
                    period=TERM,
                    scope=Scope(KINDS),
                    today=dataset.now.date(),
                )
            made = await off_loop(render, "zh", report)
            await off_loop(report_chart, "zh", report)
            seconds = time.perf_counter() - started
            stop.set()
            await ticker
            p99 = statistics.quantiles(lags, n=100)[98] if len(lags) >= 2 else 0.0
            built.append(Built(kind, seconds, len(made.data) / 1024, p99))
    finally:
        await engine.dispose()
    return name, built


@dataclass
class Alongside:
    """One command's p99 with nothing being built, and while a term's statement is built."""

    name: str
    samples: int
    quiet_p99_ms: float
    busy_p99_ms: float
    answered_while_built: int  # of the busy samples, those the person got an answer to


@dataclass
class Contention:
    school: str
    commands: list[Alongside]
    statements: int  # term cover statements built while the busy commands were handled
    statement_seconds: float  # the first of them, alone
    lag_p99_ms: float  # how late the loop ran meanwhile


def _p99(samples: list[float]) -> float:
    if len(samples) < 2:
        return samples[0] * 1000 if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[98] * 1000


async def _statement(sessions: async_sessionmaker[AsyncSession], school_id: int) -> None:
    """A term's cover statement as the office gets it: summed, written, drawn."""
    async with sessions() as session:
        report = await load_report(
            session=session,
            school_id=school_id,
            kind="cover",
            period=TERM,
            scope=Scope(KINDS),
            today=TERM.end,
        )
    await off_loop(render, "zh", report)
    await off_loop(report_chart, "zh", report)


async def alongside(dataset: Dataset, samples: int) -> Contention:
    """Other people's commands, timed from the update to its answer, first with the bot
    otherwise idle, then while the largest school's term cover statement is built again and
    again (so every busy sample overlaps a build)."""
    # Imported here: the harness pulls in the whole application, which `run` does not need.
    from bench.mix import load
    from bot.clock import ManualClock
    from bot.config import Settings
    from tests.harness import BotHarness

    warnings.filterwarnings("ignore", message="Ignoring `conversation_timeout`")
    staffroom = await load(dataset)
    engine = create_engine(dataset.database_url)
    sessions = session_factory(engine)
    largest = await _largest(dataset, sessions)
    rng = random.Random(11)
    people = sorted({telegram_id for telegram_id, _ in staffroom.members})
    posters = staffroom.postings
    bot = BotHarness(
        Settings(database_url=dataset.database_url),
        engine,
        ManualClock(dataset.now + timedelta(hours=2)),
    )
    bot.settle_after_update = False

    answered: Counter[str] = Counter()

    async def timed(name: str, person: int, text: str) -> float:
        started = time.perf_counter()
        sent = await bot.send(bot.user(person), text)
        elapsed = time.perf_counter() - started
        answered[name] += any(message.chat_id == person for message in sent)
        await bot.services.settle()
        return elapsed

    async def commands(count: int) -> dict[str, list[float]]:
        times: dict[str, list[float]] = {"/today": [], "/leave (wizard start)": [], "/hw post": []}
        for index in range(count):
            times["/today"].append(await timed("/today", rng.choice(people), "/today"))
            person = rng.choice(people)
            times["/leave (wizard start)"].append(
                await timed("/leave (wizard start)", person, "/leave")
            )
            await timed("/cancel", person, "/cancel")  # the wizard left as a person would
            poster, klass, subject = rng.choice(posters)
            text = f"/hw {klass} {subject} 5 练习册第{index}页"
            times["/hw post"].append(await timed("/hw post", poster, text))
        return times

    try:
        async with bot:
            for person in people:
                await bot.send(bot.user(person), "/start")
            await commands(max(3, samples // 10))  # caches and the first queries warmed
            started = time.perf_counter()
            await _statement(sessions, largest.id)  # the worker process started and warmed
            alone = time.perf_counter() - started
            quiet = await commands(samples)

            stop = asyncio.Event()
            built = 0

            async def build_again() -> None:
                nonlocal built
                while not stop.is_set():
                    await _statement(sessions, largest.id)
                    built += 1

            lags: list[float] = []
            answered.clear()
            ticker = asyncio.create_task(_ticker(lags, stop))
            builder = asyncio.create_task(build_again())
            await asyncio.sleep(0)  # the first build under way before the first command
            busy = await commands(samples)
            stop.set()
            await builder
            await ticker
    finally:
        await engine.dispose()
    return Contention(
        largest.name,
        [
            Alongside(name, len(busy[name]), _p99(quiet[name]), _p99(busy[name]), answered[name])
            for name in quiet
        ],
        built,
        alone,
        _p99([lag / 1000 for lag in lags]),
    )


def _print(school: str, built: list[Built], contention: Contention) -> None:
    for b in built:
        print(
            f"report {b.kind}, a term of {school}: {b.seconds:.2f} s, {b.size_kb:.0f} KB; "
            f"loop late p99 {b.lag_p99_ms:.1f} ms"
        )
    print(
        f"while the term's cover statement of {contention.school} is built "
        f"({contention.statement_seconds:.2f} s alone; {contention.statements} built meanwhile, "
        f"loop late p99 {contention.lag_p99_ms:.1f} ms):"
    )
    for c in contention.commands:
        print(
            f"  {c.name} (n={c.samples}): p99 {c.quiet_p99_ms:.1f} ms idle, "
            f"{c.busy_p99_ms:.1f} ms while built ({c.answered_while_built} answered)"
        )


async def _main(quick: bool) -> None:
    from bench import databases
    from bench.__main__ import NOW
    from bench.dataset import FULL, QUICK, build

    dataset = await build(databases.sqlite_url("reports"), size=QUICK if quick else FULL, now=NOW)
    school, built = await run(dataset)
    _print(school, built, await alongside(dataset, 20 if quick else 200))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the data set")
    asyncio.run(_main(parser.parse_args().quick))
