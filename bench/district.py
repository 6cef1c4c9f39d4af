"""`python -m bench.district [--quick] [--sqlite] [--schools N] [--planning-only]
[--restart-late SECONDS]`: a district's morning on PostgreSQL.

500 schools, each with a school year of its own (staff, timetables, leave with cover, homework,
duty), in one database. Then the morning: the 07:00 duty announcements of every school with the
simulator enforcing Telegram's limits (30 messages a second per bot, 20 a minute per group), a
burst of leave requests and homework postings from staff across the schools through the
simulator over HTTP, and each command's latency in process on the same database. `--quick` runs
a small district, to check that the run completes and prints its figures. `--planning-only`
builds the district and times the bot's start-up planning alone, as the morning does.
`--restart-late 120` starts the bot at 07:02 instead, as after a crash, and times the catch-up
that sends the announcements.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import time
from dataclasses import dataclass
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from bench import databases, fanout, latency
from bench.clone import clone
from bench.dataset import Dataset, Size, build
from bench.machine import describe
from bench.mix import Action, Staffroom, future_school_days, load
from bench.report import Row, print_table
from bench.simproc import SimClient, simulator_process
from bench.throughput import Run, _start, _stop, measure
from bot.app import SIMULATOR_TOKEN, build_application
from bot.clock import OffsetClock
from bot.config import Settings
from bot.services import services_of

RESULTS = Path(__file__).parent / "results_district.json"
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=fanout.TZ)  # when the year's data ends
HOMEWORK = 0.5  # of the burst; the rest are one-line leave requests
P99_MS = 20.0


@dataclass(frozen=True)
class DistrictSize:
    schools: int
    school: Size  # one school's year, copied to every school
    burst: int  # updates in the morning burst
    samples: int  # latency samples per command
    latency_schools: int  # whose people the latency run acts as (the data is all schools')


# One school's share of the five-school data set (bench.dataset.FULL), 500 times.
FULL = DistrictSize(500, Size(1, 600, 8000, 2000, 400), 5000, 200, 5)
# Small enough for a test that the run completes and prints its figures.
QUICK = DistrictSize(4, Size(1, 20, 100, 40, 10), 20, 2, 2)


async def build_district(database_url: str, size: DistrictSize) -> Dataset:
    template = await build(database_url, size=size.school, now=NOW)
    schools = await clone(database_url, template.schools[0], size.schools - 1)
    counts = {key: value * size.schools for key, value in template.counts.items()}
    return Dataset(database_url, NOW, schools, counts)


async def _gather(calls: list[Any], width: int = 50) -> None:
    for start in range(0, len(calls), width):
        await asyncio.gather(*calls[start : start + width])


async def populate(sim: SimClient, district: Dataset) -> None:
    """Every member of staff (who talked to the bot before) and every school's group."""
    await _gather(
        [
            sim.user(telegram_id, f"教师{telegram_id % 100_000}", started=True)
            for school in district.schools
            for telegram_id in school.staff
        ]
    )
    await _gather(
        [
            sim.group(
                school.group_id,
                f"{school.name}教师群",
                list(school.staff),
                add_bot_by=next(iter(school.staff)),
            )
            for school in district.schools
        ],
        width=10,
    )


def burst_workload(staffroom: Staffroom, day: Any, total: int, seed: int = 5) -> list[Action]:
    """Homework postings and one-line leave requests from people across all the schools, each
    person asking for leave once (on one of the next school days), in a random order."""
    rng = random.Random(seed)
    homework_n = int(total * HOMEWORK)
    actions = []
    for index in range(homework_n):
        telegram_id, klass, subject = rng.choice(staffroom.postings)
        minutes = rng.choice([5, 10, 15])
        actions.append(
            Action("hw", telegram_id, telegram_id, f"/hw {klass} {subject} {minutes} 第{index}题")
        )
    people = sorted({telegram_id for telegram_id, _ in staffroom.members})
    days = future_school_days(day, 5)
    for person in rng.sample(people, min(len(people), total - homework_n)):
        when = rng.choice(days)
        part = rng.choice(["上午", "下午", "全天"])
        actions.append(Action("leave", person, person, f"/leave 事假 {when:%Y-%m-%d} {part} 有事"))
    rng.shuffle(actions)
    return actions


async def burst(sim: SimClient, district: Dataset, actions: list[Action], day: Any) -> Run:
    """The bot at 07:30 of `day`, its start-up planning done, taking the burst from the
    simulator as fast as it can (Telegram's limits off: the fan-out measures those)."""
    settings = dataclasses.replace(
        Settings(),
        telegram_bot_token=SIMULATOR_TOKEN,
        telegram_api_base_url=sim.base_url,
        database_url=district.database_url,
        log_level="WARNING",
    )
    clock = OffsetClock(fanout.TZ, start=datetime.combine(day, clock_time(7, 30), fanout.TZ))
    app = build_application(settings, clock=clock, rate_limiter=False, set_commands=False)
    await _start(app)
    try:
        starting = services_of(app).starting
        if starting is not None:
            await starting
        assert app.updater is not None
        # The groups' join updates are old news by now.
        await app.updater.start_polling(poll_interval=0, timeout=10, drop_pending_updates=True)
        await app.updater.stop()
        return await measure(app, sim, actions)
    finally:
        await _stop(app)


async def _morning_alone(
    size: DistrictSize, postgres: bool, name: str, **morning: Any
) -> tuple[fanout.FanOut, str]:
    """Builds the district in database `name` and runs the bot's morning on it alone
    (`fanout.morning` with these arguments); returns it and the load average before."""
    url = await databases.postgres_url(name) if postgres else databases.sqlite_url(name)
    district = await build_district(url, size)
    day = fanout.school_morning(NOW.date())
    async with simulator_process(rate_limits=True) as sim:
        await populate(sim, district)
        before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        fan = await fanout.morning(
            sim,
            url,
            len(district.schools),
            day,
            groups={school.group_id for school in district.schools},
            **morning,
        )
    return fan, before


async def planning_only(size: DistrictSize, postgres: bool) -> None:
    """Builds the district and prints how long the bot's start-up planning took, a school."""
    fan, before = await _morning_alone(
        size, postgres, "staffroom_district_planning", lead_per_school=0.6, until_planned=True
    )
    seconds = fan.planning_seconds
    print(
        f"start-up planning of {fan.schools} schools ({_backend(postgres)}): {seconds:.1f} s = "
        f"{seconds / fan.schools * 1000:.0f} ms a school; load average {before} before"
    )


async def restart_late(size: DistrictSize, postgres: bool, late: float) -> None:
    """Builds the district and starts the bot `late` seconds after 07:00, as after a crash:
    prints when the last group had its announcement, sent by the start-up's catch-up."""
    fan, before = await _morning_alone(
        size,
        postgres,
        "staffroom_district_restart",
        patience=120 + 2.5 * size.schools,
        late=late,
    )
    print(
        f"started {late:g} s after 07:00 ({_backend(postgres)}, {fan.schools} schools): the last "
        f"group's announcement {fan.seconds:.1f} s after the start, {fan.messages} messages by "
        f"then, {fan.retry_after_answers} × 429; start-up planning {fan.planning_seconds:.1f} s; "
        f"load average {before} before"
    )


def _backend(postgres: bool) -> str:
    return "postgresql" if postgres else "sqlite"


async def main(
    quick: bool, postgres: bool, name: str = "staffroom_district", size: DistrictSize | None = None
) -> dict[str, Any]:
    """The run; `name` is the database (PostgreSQL) or file (SQLite) it builds afresh."""
    size = size or (QUICK if quick else FULL)
    figures: dict[str, Any] = {}
    rows: list[Row] = []
    backend = "postgresql" if postgres else "sqlite"
    url = await databases.postgres_url(name) if postgres else databases.sqlite_url(name)
    started = time.perf_counter()
    district = await build_district(url, size)
    seconds = time.perf_counter() - started
    size_mb = await databases.postgres_size_mb(name) if postgres else databases.sqlite_size_mb(url)
    figures["data_set"] = {
        "seconds": round(seconds, 1),
        "mb": round(size_mb, 1),
        "schools": len(district.schools),
        **district.counts,
    }
    rows.append(
        Row(
            f"data set: {len(district.schools)} schools' year ({backend})",
            f"{seconds:.1f} s, {size_mb:.0f} MB, {district.counts['staff']} staff, "
            f"{district.counts['homework_posts']} homework, "
            f"{district.counts['leave_requests']} leave",
            "—",
            None,
        )
    )
    day = fanout.school_morning(NOW.date())
    groups = {school.group_id for school in district.schools}

    async with simulator_process(rate_limits=True) as sim:
        await populate(sim, district)
        # Planning a school with its year's data takes longer than fanout's tiny schools.
        # Every member of staff gets their own morning message at 07:00 too: about 32 messages
        # a school share the bot's 30 a second.
        fan = await fanout.morning(
            sim,
            url,
            len(district.schools),
            day,
            lead_per_school=0.6,
            groups=groups,
            patience=120 + 2.5 * len(district.schools),
        )
    figures["fanout"] = {
        "schools": fan.schools,
        "seconds": round(fan.seconds, 2),
        "best_seconds": round(fan.best_seconds, 2),
        "ratio": round(fan.ratio, 3),
        "retry_after_answers": fan.retry_after_answers,
        "planning_seconds": round(fan.planning_seconds, 1),
        "messages": fan.messages,
        "messages_per_s": round(fan.messages / fan.seconds, 1),
    }
    rows.append(
        Row(
            f"07:00 announcements of {fan.schools} schools (30/s per bot, 20/min per group)",
            f"{fan.seconds:.1f} s with {fan.messages} messages in all "
            f"({fan.messages / fan.seconds:.1f}/s; best {fan.best_seconds:.1f} s) = "
            f"{fan.ratio:.2f}×, {fan.retry_after_answers} × 429; "
            f"planning {fan.planning_seconds:.0f} s",
            "≤ 1.2×, no 429",
            fan.ratio <= 1.2 and fan.retry_after_answers == 0,
        )
    )

    staffroom = await load(district)
    actions = burst_workload(staffroom, day, size.burst)
    async with simulator_process() as sim:
        await populate(sim, district)
        run = await burst(sim, district, actions, day)
    figures["burst"] = {
        "updates": run.updates,
        "per_s": round(run.rate, 1),
        "calls_per_update": round(run.calls_per_update, 2),
    }
    rows.append(
        Row(
            f"morning burst: {run.updates} leave requests and homework postings",
            f"{run.rate:.0f} updates/s, {run.calls_per_update:.2f} Telegram calls per update",
            "—",
            None,
        )
    )

    few = dataclasses.replace(
        district, schools=district.schools[:: max(1, len(district.schools) // size.latency_schools)]
    )
    timings = await latency.run(few, size.samples)
    figures["latency_ms"] = {
        t.name: {"n": len(t.samples), "p50": round(t.p50, 1), "p99": round(t.p99, 1)}
        for t in timings
    }
    for t in timings:
        rows.append(
            Row(
                f"latency {t.name} (n={len(t.samples)})",
                f"p50 {t.p50:.1f} / p99 {t.p99:.1f} ms",
                "p99 ≤ 20 ms" if t.answered else "— (others, after the answer)",
                t.p99 <= P99_MS if t.answered else None,
            )
        )
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    rows.append(
        Row("load average after the run", " ".join(map(str, figures["load_average"])), "—", None)
    )
    machine = describe()
    print_table(rows, machine, quick)
    return {"machine": machine, "quick": quick, "backend": backend, "figures": figures}


def run() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.district", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small district, to check the run")
    parser.add_argument("--sqlite", action="store_true", help="on SQLite instead of PostgreSQL")
    parser.add_argument("--schools", type=int, help="how many schools (default 500, quick 4)")
    parser.add_argument(
        "--planning-only", action="store_true", help="time the start-up planning alone"
    )
    parser.add_argument(
        "--restart-late",
        type=float,
        metavar="SECONDS",
        help="start the bot this long after 07:00 (a restart after a crash) and time the "
        "catch-up of the announcements alone",
    )
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    size = QUICK if args.quick else FULL
    if args.schools is not None:
        size = dataclasses.replace(size, schools=args.schools)
    if args.planning_only:
        asyncio.run(planning_only(size, not args.sqlite))
        return
    if args.restart_late is not None:
        asyncio.run(restart_late(size, not args.sqlite, args.restart_late))
        return
    results = asyncio.run(main(args.quick, not args.sqlite, size=size))
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {RESULTS}")


if __name__ == "__main__":
    run()
