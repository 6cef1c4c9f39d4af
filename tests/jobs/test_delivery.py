"""Delivering pushes: after the commit, with retries, failures told to the admins."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import ManualClock
from bot.config import Settings
from bot.texts import catalogue
from jobs import scheduler
from jobs.delivery import send_to_chat, send_to_staff_groups
from jobs.registry import DayContext, PushContext, PushKind, Slot, at_local, daily_slot
from storage import audit
from storage.db import create_engine, session_factory
from storage.models import PushLedger, School
from storage.outbox import undelivered
from storage.schools import bind_group, staff_groups
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools import factories

GROUP = -1002000000002
ADMIN_ID = 7_300_000_002
WEDNESDAY_0700 = datetime(2026, 11, 25, 7, 0, tzinfo=SHANGHAI)


async def send_morning(ctx: PushContext) -> bool:
    # Writing inside the push's own transaction, as the real pushes do (boards, slips).
    await audit.record(session=ctx.session, at=ctx.services.clock.now(), action="morning_composed")
    return (
        await send_to_staff_groups(ctx.bot, ctx.session, ctx.school.id, [f"早上好 {ctx.day}"]) > 0
    )


MORNING = PushKind("duty_announce", daily_slot("duty_announce", "duty.announce_time"), send_morning)


async def school_with_group(s: AsyncSession, name: str, group: int) -> School:
    """A school in term, its staff group bound."""
    school = await factories.school(s, WEDNESDAY_0700 - timedelta(days=30), name)
    await factories.term(s, school, date(2026, 9, 1), date(2027, 1, 22))
    await bind_group(
        session=s, school_id=school.id, chat_id=group, title=name, by=ADMIN_ID, now=WEDNESDAY_0700
    )
    return school


@pytest.fixture
async def bot(engine: AsyncEngine) -> AsyncIterator[BotHarness]:
    async with session_factory(engine)() as s, s.begin():
        school = await school_with_group(s, "孟河小学", GROUP)
        await factories.staff(s, school, "张思月", roles="teacher,admin", telegram_id=ADMIN_ID)
    harness = BotHarness(Settings(), engine, ManualClock(WEDNESDAY_0700 - timedelta(hours=1)))
    harness.services.push_kinds = [MORNING]
    async with harness:
        yield harness


async def fire_0700(bot: BotHarness) -> None:
    start = bot.clock.now()
    bot.clock.set(WEDNESDAY_0700 + timedelta(seconds=1))
    await scheduler.fire_due(bot.app, start, bot.clock.now())


async def ledger(engine: AsyncEngine) -> list[str]:
    """The ledger's word on Wednesday's announcement (Tuesday's was missed before the start)."""
    async with session_factory(engine)() as s:
        rows = await s.exec(select(PushLedger).where(PushLedger.slot == "2026-11-25"))
        return [row.status for row in rows.all()]


async def test_a_429_is_waited_out_and_the_push_delivered(
    bot: BotHarness, engine: AsyncEngine
) -> None:
    bot.request.faults["sendMessage"] = [
        (429, "Too Many Requests: retry after 7", {"retry_after": 7})
    ]
    await fire_0700(bot)
    dispatcher = bot.services.dispatcher
    assert bot.in_chat(GROUP) == [] and dispatcher.waiting() == {GROUP: 7.0}
    assert await ledger(engine) == ["queued"]

    dispatcher.retry_now()  # the 7 seconds have passed
    await bot.services.settle()
    assert [m.plain for m in bot.in_chat(GROUP)] == ["早上好 2026-11-25"]
    assert await ledger(engine) == ["sent"]


async def test_a_passing_5xx_is_retried(bot: BotHarness, engine: AsyncEngine) -> None:
    bot.request.faults["sendMessage"] = [(502, "Bad Gateway", {})]
    await fire_0700(bot)
    dispatcher = bot.services.dispatcher
    assert dispatcher.waiting() == {GROUP: dispatcher.backoff[0]}
    dispatcher.retry_now()
    await bot.services.settle()
    assert [m.plain for m in bot.in_chat(GROUP)] == ["早上好 2026-11-25"]
    assert await ledger(engine) == ["sent"]


async def test_a_push_that_keeps_failing_is_marked_and_the_admins_told(
    bot: BotHarness, engine: AsyncEngine
) -> None:
    # Telegram fails for longer than a push is worth sending.
    bot.request.faults["sendMessage"] = [(500, "Internal Server Error", {})] * 2
    await fire_0700(bot)
    dispatcher = bot.services.dispatcher
    bot.clock.advance(dispatcher.max_age + timedelta(minutes=1))
    dispatcher.retry_now()
    await bot.services.settle()
    assert bot.in_chat(GROUP) == []
    assert await ledger(engine) == ["failed"]
    notice = bot.last(ADMIN_ID)
    assert "没能发出" in notice.plain and "11月25日 周三 07:00 今日值班公告" in notice.plain
    async with session_factory(engine)() as s:
        (given_up,) = await undelivered(session=s)
    assert given_up.status == "failed" and given_up.chat_id == GROUP
    assert "too old" in given_up.error


async def test_a_group_that_removed_the_bot_is_recorded_not_retried(
    bot: BotHarness, engine: AsyncEngine
) -> None:
    bot.request.faults["sendMessage"] = [
        (403, "Forbidden: bot was kicked from the supergroup chat", {})
    ]
    await fire_0700(bot)
    assert bot.services.dispatcher.waiting() == {}
    assert await ledger(engine) == ["gone"]
    async with session_factory(engine)() as s:
        (given_up,) = await undelivered(session=s)
        school_id = (await s.exec(select(PushLedger.school_id))).first()
        groups = await staff_groups(session=s, school_id=school_id)
    assert given_up.status == "gone" and "kicked" in given_up.error
    assert groups == []  # the binding is retired: later pushes do not try it


async def test_a_push_follows_a_group_that_became_a_supergroup(
    bot: BotHarness, engine: AsyncEngine
) -> None:
    supergroup = -1002000000099
    bot.request.faults["sendMessage"] = [
        (
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": supergroup},
        )
    ]
    await fire_0700(bot)
    assert [m.plain for m in bot.in_chat(supergroup)] == ["早上好 2026-11-25"]
    assert await ledger(engine) == ["sent"]
    async with session_factory(engine)() as s:
        school_id = (await s.exec(select(PushLedger.school_id))).first()
        groups = await staff_groups(session=s, school_id=school_id)
    # The binding moved with the group: tomorrow's push goes straight to the supergroup.
    assert [g.chat_id for g in groups] == [supergroup]


async def test_nothing_waits_on_telegram_inside_a_transaction(
    bot: BotHarness, engine: AsyncEngine, db_url: str
) -> None:
    """While the bot sends, another writer gets the database at once (SQLite's single writer)."""
    # Were the push still inside its transaction, this writer would wait for SQLite's lock
    # until the busy timeout and fail.
    probe = create_engine(db_url)
    wrote: list[bool] = []

    async def write_meanwhile() -> None:
        async with session_factory(probe)() as s, s.begin():
            await audit.record(session=s, at=WEDNESDAY_0700, action="meanwhile")
        wrote.append(True)

    bot.request.during_send = write_meanwhile
    try:
        await fire_0700(bot)
    finally:
        await probe.dispose()
    assert wrote == [True]
    assert [m.plain for m in bot.in_chat(GROUP)] == ["早上好 2026-11-25"]


async def test_the_catch_up_does_not_wait_for_one_schools_push_before_the_next(
    bot: BotHarness, engine: AsyncEngine
) -> None:
    # After a restart at 07:02 the catch-up runs a district's schools: had each waited for its
    # messages to go, one slow group would hold back every school after it.
    other_group = GROUP - 1
    async with session_factory(engine)() as s, s.begin():
        other = await school_with_group(s, "湖塘小学", other_group)
    assert other.id is not None
    await scheduler.rebuild(bot.app, other.id)
    telegram_answers, next_school_sent = asyncio.Event(), asyncio.Event()
    calls = 0

    async def first_answer_slow() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:  # the first school's group
            await telegram_answers.wait()
        else:
            next_school_sent.set()

    bot.request.during_send = first_answer_slow
    bot.clock.set(WEDNESDAY_0700 + timedelta(minutes=2))
    catching_up = asyncio.create_task(scheduler.watch_once(bot.app, bot.clock.now()))
    async with asyncio.timeout(30):
        await next_school_sent.wait()
    assert bot.in_chat(GROUP) == []  # the first school's announcement is still on its way
    telegram_answers.set()
    assert await catching_up == (2, {})
    await bot.services.settle()
    assert [m.plain for m in bot.in_chat(GROUP)] == ["早上好 2026-11-25"]
    assert [m.plain for m in bot.in_chat(other_group)] == ["早上好 2026-11-25"]


async def send_own_day(ctx: PushContext) -> bool:
    return await send_to_chat(ctx.bot, ctx.session, ADMIN_ID, f"你的今天 {ctx.day}")


async def plan_own_day(ctx: DayContext) -> list[Slot]:
    return [Slot("my_day", "t0650", at_local(ctx.day, time(6, 50), ctx.tz), ctx.day.isoformat())]


async def test_after_a_restart_the_groups_pushes_go_before_peoples_own(
    bot: BotHarness, engine: AsyncEngine
) -> None:
    # A district restarted at 07:02: every school's announcement first, then the teachers' own
    # messages (due earlier, and much longer to compose), not school after school.
    bot.services.push_kinds = [PushKind("my_day", plan_own_day, send_own_day), MORNING]
    async with session_factory(engine)() as s:
        school_id = (await s.exec(select(School.id))).one()
    assert school_id is not None
    await scheduler.rebuild(bot.app, school_id)
    bot.clock.set(WEDNESDAY_0700 + timedelta(minutes=2))
    await scheduler.watch_once(bot.app, bot.clock.now())
    await bot.services.settle()
    sent = [m.plain for m in bot.request.sent if m.chat_id in (GROUP, ADMIN_ID)]
    assert sent[-2:] == ["早上好 2026-11-25", "你的今天 2026-11-25"]


async def test_pushes_missed_overnight_are_listed_in_words(engine: AsyncEngine) -> None:
    """Down from Tuesday afternoon to Wednesday 10:00: both mornings' 07:00 are listed."""
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, WEDNESDAY_0700 - timedelta(days=30))
        await factories.term(s, school, date(2026, 9, 1), date(2027, 1, 22))
        await factories.staff(s, school, "张思月", roles="teacher,admin", telegram_id=ADMIN_ID)
        await bind_group(
            session=s,
            school_id=school.id,
            chat_id=GROUP,
            title="g",
            by=ADMIN_ID,
            now=WEDNESDAY_0700,
        )
    harness = BotHarness(Settings(), engine, ManualClock(WEDNESDAY_0700 + timedelta(hours=3)))
    harness.services.push_kinds = [MORNING]
    async with harness:
        notices = [m.plain for m in harness.in_chat(ADMIN_ID)]
        assert harness.in_chat(GROUP) == []
    assert len(notices) == 1
    assert (
        "11月24日 周二 07:00 今日值班公告" in notices[0]
        and "11月25日 周三 07:00 今日值班公告" in notices[0]
    )


def test_every_push_kind_has_a_name_in_both_languages() -> None:
    from bot.app import JOB_MODULES

    names = [kind.name for module in JOB_MODULES for kind in module.push_kinds()]
    assert names and all(f"push.kind.{name}" in catalogue() for name in names)
