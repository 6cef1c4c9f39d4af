"""The scheduler core: each slot once, catch-up within the grace window, jobs at the right time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import admin_cli
from bot.clock import ManualClock
from bot.config import Settings
from jobs import registry, scheduler
from jobs.delivery import send_to_staff_groups
from jobs.registry import PushContext, PushKind
from storage.db import session_factory
from storage.migrate import alembic_config
from storage.schools import bind_group
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools import factories

GROUP = -1002000000001
ADMIN_ID = 7_300_000_001
SCHOOL_DAY = date(2026, 11, 25)  # a Wednesday in the autumn term


async def send_morning(ctx: PushContext) -> bool:
    text = f"早上好 {ctx.day.isoformat()}"
    return await send_to_staff_groups(ctx.bot, ctx.session, ctx.school.id, [text]) > 0


# A push at duty.announce_time on school days, like the duty announcement.
MORNING = PushKind(
    "duty_announce", registry.daily_slot("duty_announce", "duty.announce_time"), send_morning
)


async def seed(engine: AsyncEngine, now: datetime) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, now)
        await factories.term(s, school, date(2026, 9, 1), date(2027, 1, 22))
        await factories.staff(s, school, "张思月", roles="teacher,admin", telegram_id=ADMIN_ID)
        await bind_group(
            session=s, school_id=school.id, chat_id=GROUP, title="g", by=ADMIN_ID, now=now
        )


@pytest.fixture
async def started(request: pytest.FixtureRequest, engine: AsyncEngine) -> AsyncIterator[BotHarness]:
    hour, minute, second, micro = request.param
    start = datetime(2026, 11, 25, hour, minute, second, micro, tzinfo=SHANGHAI)
    await seed(engine, start - timedelta(days=1))
    clock = ManualClock(start)
    bot = BotHarness(Settings(), engine, clock)
    bot.services.push_kinds = [MORNING]
    async with bot:
        yield bot


def run_at(job: object) -> datetime:
    # The scheduler is not running in the fast tier, so the job's trigger holds its time.
    return job.job.trigger.run_date  # type: ignore[attr-defined]


def announcements(bot: BotHarness) -> list[str]:
    return [m.plain for m in bot.in_chat(GROUP) if m.plain.startswith("早上好")]


@pytest.mark.parametrize(
    "started", [(6, 59, 59, 0), (7, 0, 0, 500_000), (7, 45, 0, 0)], indirect=True
)
async def test_exactly_one_announcement_when_started_around_the_slot(started: BotHarness) -> None:
    """Started before the slot, just after it, or within the grace window: one message."""
    clock = started.clock
    start = clock.now()
    clock.set(datetime(2026, 11, 25, 7, 0, tzinfo=SHANGHAI) + timedelta(seconds=1))
    # The job firing (or the playground moving its clock) and a second process both try.
    await scheduler.fire_due(started.app, start - timedelta(hours=1), clock.now())
    await scheduler.fire_due(started.app, start - timedelta(hours=1), clock.now())
    await scheduler.start(started.app)
    assert announcements(started) == ["早上好 2026-11-25"]


@pytest.mark.parametrize("started", [(10, 0, 0, 0)], indirect=True)
async def test_too_late_is_listed_to_the_admins_not_sent(started: BotHarness) -> None:
    await scheduler.start(started.app)  # a second start lists nothing again
    assert announcements(started) == []
    notices = [m.plain for m in started.in_chat(ADMIN_ID)]
    assert len(notices) == 1 and "11月25日 周三 07:00 今日值班公告" in notices[0]


@pytest.mark.parametrize("started", [(6, 0, 0, 0)], indirect=True)
async def test_jobs_are_scheduled_at_the_local_time_and_rebuilt_on_change(
    started: BotHarness,
) -> None:
    jobs = {j.name: j for j in started.app.job_queue.jobs() if j.name.startswith("push:")}
    today = jobs["push:1:duty_announce:group:2026-11-25"]
    # The clock is simulated: the job runs one hour of real time from now, at "07:00".
    delay = run_at(today) - datetime.now(SHANGHAI)
    assert timedelta(minutes=59) < delay <= timedelta(hours=1)
    assert "push:1:duty_announce:group:2026-11-26" in jobs

    admin = started.user(ADMIN_ID)
    await started.send(admin, "/settings duty.announce_time 07:30")
    moved = {j.name: j for j in started.app.job_queue.jobs() if j.name.startswith("push:")}
    delay = run_at(moved["push:1:duty_announce:group:2026-11-25"]) - datetime.now(SHANGHAI)
    assert timedelta(minutes=89) < delay <= timedelta(minutes=90)


@pytest.mark.parametrize("started", [(6, 0, 0, 0)], indirect=True)
async def test_planning_again_keeps_the_jobs_of_unchanged_slots_and_drops_the_gone(
    started: BotHarness,
) -> None:
    def pushes() -> dict[str, object]:
        return {j.name: j for j in started.app.job_queue.jobs() if j.name.startswith("push:")}

    before = pushes()
    assert await scheduler.rebuild(started.app, 1) == len(before) == 2
    after = pushes()
    # Nothing moved: the very same jobs stay, none is added twice.
    assert after.keys() == before.keys()
    assert all(after[name] is before[name] for name in before)

    # Tomorrow becomes a holiday: its announcement is no longer planned, today's stays.
    admin = started.user(ADMIN_ID)
    await started.send(admin, "/calendar closed 2026-11-26 运动会")
    left = pushes()
    assert "push:1:duty_announce:group:2026-11-26" not in left
    assert (
        left["push:1:duty_announce:group:2026-11-25"]
        is before["push:1:duty_announce:group:2026-11-25"]
    )


@pytest.mark.parametrize("started", [(6, 0, 0, 0)], indirect=True)
async def test_a_setting_changed_from_the_command_line_reaches_the_running_bot(
    started: BotHarness, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # `staffroom settings set` is another process: the bot learns of it from the school's
    # schedule version, which it polls, and moves the jobs without a restart.
    await asyncio.to_thread(command.stamp, alembic_config(db_url), "head")  # made by create_all
    cli = Settings(database_url=db_url)
    assert await admin_cli.settings_set(cli, "孟河小学", "duty.announce_time", "07:40") == 0
    assert "07:40" in capsys.readouterr().out
    assert await scheduler.rebuild_changed(started.app) != []
    moved = {j.name: j for j in started.app.job_queue.jobs() if j.name.startswith("push:")}
    delay = run_at(moved["push:1:duty_announce:group:2026-11-25"]) - datetime.now(SHANGHAI)
    assert timedelta(minutes=99) < delay <= timedelta(minutes=100)
    # Nothing changed since: the next poll rebuilds nothing.
    assert await scheduler.rebuild_changed(started.app) == []


@pytest.mark.parametrize("started", [(6, 0, 0, 0)], indirect=True)
async def test_no_push_on_a_holiday(started: BotHarness) -> None:
    clock = started.clock
    start = clock.now()
    clock.set(datetime(2026, 11, 28, 8, 0, tzinfo=SHANGHAI))  # Saturday
    await scheduler.fire_due(started.app, start, clock.now())
    assert announcements(started) == ["早上好 2026-11-25", "早上好 2026-11-26", "早上好 2026-11-27"]


async def test_dropping_a_slot_job_that_fired_meanwhile_is_not_an_error() -> None:
    """The replanner lists the jobs, awaits the plan, then removes those no longer planned: one
    that fired in between is already gone from APScheduler (JobLookupError before)."""
    from telegram.ext import ApplicationBuilder

    from jobs.scheduler import _drop

    app = ApplicationBuilder().token("1:x").build()
    job = app.job_queue.run_once(lambda _: None, when=3600, name="push:1:duty_announce:g:x")
    job.job.remove()  # as APScheduler does once a run_once job has run
    _drop(job)  # raised JobLookupError, and the rebuild stopped halfway
    assert app.job_queue.jobs() == ()


async def test_a_slot_job_that_ran_is_no_longer_counted_among_the_schools_jobs() -> None:
    """Each school's jobs are kept by name; once one has run (APScheduler forgets a run_once
    job then), planning again must not take it for a job still to come."""
    from types import SimpleNamespace

    from telegram.ext import ApplicationBuilder

    from jobs.scheduler import _school_jobs

    app = ApplicationBuilder().token("1:x").build()
    queue = app.job_queue
    assert queue is not None
    ran = asyncio.Event()

    async def slot(_: object) -> None:
        ran.set()

    svc = SimpleNamespace(slot_jobs={})
    soon = queue.run_once(slot, when=0.05, name="push:1:duty_announce:group:2026-11-25")
    later = queue.run_once(slot, when=3600, name="push:1:duty_announce:group:2026-11-26")
    svc.slot_jobs[1] = {soon.name: soon, later.name: later}
    await queue.start()
    try:
        await asyncio.wait_for(ran.wait(), 5)
        await asyncio.sleep(0.05)  # APScheduler drops the job after its run
        assert list(_school_jobs(svc, queue, 1)) == [later.name]  # type: ignore[arg-type]
    finally:
        await queue.stop()
