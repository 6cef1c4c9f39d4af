"""Fan-out: the 07:00 duty announcements of many schools, with Telegram's limits enforced.

The simulator answers 429 past about 30 messages a second overall and 20 a minute per group;
the bot runs as in production (JobQueue, push ledger, its rate limiter). The best possible time
is schools / 30 seconds; the figure is the time from 07:00 until the last announcement arrived.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlmodel import select

from bench.simproc import SimClient
from bot.app import SIMULATOR_TOKEN, build_application
from bot.clock import OffsetClock
from bot.config import Settings
from storage.db import create_engine, session_factory
from storage.migrate import upgrade_async
from storage.models import CalendarEntry, GroupChat, School, Staff
from storage.models.duty import DutyAssignment, DutyPost

TZ = ZoneInfo("Asia/Shanghai")
PRINCIPAL_BASE = 700_000_000
# The bot starts this long before 07:00, so that its start-up planning is done by then, as it is
# in a deployment that has run all night.
# Planning (yesterday, today and tomorrow, in one session a school) took about 0.088 s a school
# on a 2-core machine; the lead leaves room beyond that.
LEAD_BASE_SECONDS = 1.0
LEAD_PER_SCHOOL_SECONDS = 0.1
OVERALL_PER_SECOND = 30


@dataclass
class FanOut:
    schools: int
    seconds: float
    best_seconds: float
    retry_after_answers: int
    delivered: int
    planning_seconds: float  # the start-up planning of every school, before 07:00
    # Every message sent from 07:00 until the last announcement (the people's own morning
    # messages share the bot's 30 a second with the announcements).
    messages: int = 0

    @property
    def ratio(self) -> float:
        return self.seconds / self.best_seconds


def group_of(index: int) -> int:
    return -1_007_000_000_000 - index


async def build_schools(database_url: str, count: int, day: date) -> None:
    """`count` small schools, each with a bound group and a weekday duty roster."""
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    # Created well before the morning measured, or its 07:00 would predate the school.
    stamp = datetime.combine(day - timedelta(days=30), clock_time(8, 0), tzinfo=TZ).astimezone(UTC)
    try:
        async with session_factory(engine)() as session, session.begin():
            await session.exec(
                insert(School),
                params=[
                    {
                        "name": f"第{i + 1}小学",
                        "timezone": "Asia/Shanghai",
                        "created_at": stamp,
                        "schedule_version": 0,
                    }
                    for i in range(count)
                ],
            )
            ids = (await session.exec(select(School.id).order_by(School.id))).all()
            await session.exec(
                insert(GroupChat),
                params=[
                    {
                        "school_id": sid,
                        "chat_id": group_of(i),
                        "title": "教师群",
                        "active": True,
                        "bound_at": stamp,
                    }
                    for i, sid in enumerate(ids)
                ],
            )
            await session.exec(
                insert(CalendarEntry),
                params=[
                    {
                        "school_id": sid,
                        "kind": "term",
                        "start_date": date(day.year, 1, 1),
                        "end_date": date(day.year, 12, 31),
                        "note": "",
                    }
                    for sid in ids
                ],
            )
            await session.exec(
                insert(Staff),
                params=[
                    {
                        "school_id": sid,
                        "name": f"老师{n}",
                        "roles": "teacher",
                        "subjects": "",
                        "active": True,
                        "telegram_id": PRINCIPAL_BASE + i * 10 + n,
                    }
                    for i, sid in enumerate(ids)
                    for n in range(1, 6)
                ],
            )
            staff = (await session.exec(select(Staff.id, Staff.school_id).order_by(Staff.id))).all()
            await session.exec(
                insert(DutyPost),
                params=[
                    {
                        "school_id": sid,
                        "name": "护学岗",
                        "starts_at": clock_time(7, 20),
                        "ends_at": clock_time(7, 50),
                        "mode": "weekday",
                        "position": 0,
                    }
                    for sid in ids
                ],
            )
            posts = dict((await session.exec(select(DutyPost.school_id, DutyPost.id))).all())
            by_school: dict[int, list[int]] = {}
            for staff_id, school_id in staff:
                by_school.setdefault(school_id, []).append(staff_id)
            await session.exec(
                insert(DutyAssignment),
                params=[
                    {
                        "school_id": sid,
                        "post_id": posts[sid],
                        "weekday": weekday,
                        "staff_id": by_school[sid][weekday - 1],
                    }
                    for sid in ids
                    for weekday in range(1, 6)
                ],
            )
    finally:
        await engine.dispose()


def school_morning(after: date) -> date:
    """A Monday to Friday working day in term (the fan-out happens on school days only)."""
    import chinese_calendar

    day = after
    while True:
        day += timedelta(days=1)
        try:
            if chinese_calendar.is_workday(day) and day.isoweekday() <= 5:
                return day
        except NotImplementedError:
            if day.isoweekday() <= 5:
                return day


async def run(sim: SimClient, database_url: str, count: int) -> FanOut:
    day = school_morning(date(2026, 11, 24))
    await build_schools(database_url, count, day)
    for index in range(count):
        principal = PRINCIPAL_BASE + index * 10 + 1
        await sim.user(principal, f"校长{index}")
        await sim.group(
            group_of(index), f"第{index + 1}小学教师群", [principal], add_bot_by=principal
        )
    return await morning(sim, database_url, count, day)


async def morning(
    sim: SimClient,
    database_url: str,
    count: int,
    day: date,
    lead_per_school: float = LEAD_PER_SCHOOL_SECONDS,
    groups: set[int] | None = None,
    patience: float = 600.0,
    until_planned: bool = False,
    late: float = 0.0,
) -> FanOut:
    """Starts the bot before 07:00 of `day` and times it until `count` announcements have
    arrived (the groups are in the simulator already). With `groups`, an announcement is a
    message in one of them (the people's own morning messages are not counted).
    `until_planned`: stops once the start-up planning is done (only `planning_seconds` counts).
    `late`: starts the bot this many seconds after 07:00 instead (a restart after a crash), so
    that its start-up catch-up sends the announcements; timed from its start."""
    await sim.call("POST", "reset_stats")
    seq = int((await sim.stats())["seq"])
    announced: set[int] = set()
    settings = dataclasses.replace(
        Settings(),
        telegram_bot_token=SIMULATOR_TOKEN,
        telegram_api_base_url=sim.base_url,
        database_url=database_url,
        log_level="WARNING",
    )
    seven = datetime.combine(day, clock_time(7, 0), tzinfo=TZ)
    lead = LEAD_BASE_SECONDS + lead_per_school * count if not late else -late
    clock = OffsetClock(TZ, start=seven - timedelta(seconds=lead))
    app = build_application(settings, clock=clock, set_commands=False)
    started = time.perf_counter()
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    due = started if late else time.perf_counter() + (seven - clock.now()).total_seconds()
    services = app.bot_data["services"]
    messages = delivered = 0
    stats: dict[str, Any] = {}

    async def arrivals() -> float:
        """Looks at what the simulator received until every announcement is there, beside the
        start-up (after a late start its catch-up sends them); returns when."""
        nonlocal seq, messages, delivered, stats
        while True:
            stats = await sim.stats()
            if groups is None:
                delivered = stats["calls"].get("sendMessage", 0) - stats["errors"].get("429", 0)
            else:
                for action in await sim.actions(seq):
                    seq = max(seq, int(action["seq"]))
                    messages += action["kind"] == "send"
                    if action["kind"] == "send" and action["chat_id"] in groups:
                        announced.add(int(action["chat_id"]))
                delivered = len(announced)
            if delivered >= count:
                return time.perf_counter()
            if time.perf_counter() - due > patience:
                raise RuntimeError(
                    f"only {delivered} of {count} announcements after {patience:.0f} s"
                )
            await asyncio.sleep(0.05)

    watching = asyncio.create_task(arrivals())
    try:
        if services.starting is not None:
            await services.starting
        planned = time.perf_counter()
        planning = planned - started
        if until_planned:
            return FanOut(count, 0.0, 0.0, 0, 0, planning)
        if planned > due and not late:
            raise RuntimeError(f"start-up planning took longer than the lead of {lead:.0f} s")
        seconds = await watching - due
    finally:
        watching.cancel()
        await asyncio.gather(watching, return_exceptions=True)
        await _stop(app)
    messages = max(messages, delivered)
    return FanOut(
        count,
        seconds,
        messages / OVERALL_PER_SECOND,
        int(stats["total_429"]),
        delivered,
        planning,
        messages,
    )


async def _stop(app: Any) -> None:
    await app.stop()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
