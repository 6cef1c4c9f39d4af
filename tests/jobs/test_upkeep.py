"""A short delivery lease (DELIVERY_LEASE_SECONDS) with two processes on one database: what one
of them still holds, a message waiting out a 429 or work waiting its turn, the other leaves
alone, so nothing goes out twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from jobs.upkeep import sweep
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools import duty as duty_school
from tests.schools import leave as leave_school

SHORT = Settings(delivery_lease_seconds=3.0)
WAIT = 10.0  # seconds the first process waits before it sends what it holds
TOO_MANY = (429, "Too Many Requests: retry after 10", {"retry_after": 10})


def boards(bot: BotHarness, chat_id: int) -> list[str]:
    return [m.plain for m in bot.in_chat(chat_id) if "代课安排" in m.plain]


def sweep_every(bot: BotHarness) -> float:
    (job,) = bot.app.job_queue.get_jobs_by_name("outbox:sweep")
    return float(job.job.trigger.interval.total_seconds())


@asynccontextmanager
async def second_process(engine: AsyncEngine, first: BotHarness) -> AsyncIterator[BotHarness]:
    """Another bot on the same database, started a moment later; both sweep as their jobs
    would (the second every second, as if its lease were shorter still) for `WAIT` seconds."""
    clock = ManualClock(first.clock.now())
    async with BotHarness(SHORT, engine, clock) as second:
        every, last = sweep_every(first), 0.0
        for second_passed in range(1, int(WAIT)):
            first.clock.advance(timedelta(seconds=1))
            clock.advance(timedelta(seconds=1))
            while last + every <= second_passed:
                last += every
                await sweep(first.app)
            await sweep(second.app)
            await second.services.settle()
        yield second


async def test_a_message_waiting_out_a_429_is_not_sent_by_another_process(
    engine: AsyncEngine,
) -> None:
    await duty_school.seed(engine)
    clock = ManualClock(datetime(2026, 11, 25, 6, 30, tzinfo=SHANGHAI))
    async with BotHarness(SHORT, engine, clock) as first:
        first.request.chat_faults[("sendMessage", duty_school.GROUP)] = [TOO_MANY]
        await first.send(first.user(duty_school.ADMIN_ID), "/help", chat_id=duty_school.GROUP)
        assert first.services.dispatcher.waiting() == {duty_school.GROUP: 10.0}
        async with second_process(engine, first) as second:
            assert second.in_chat(duty_school.GROUP) == []
        first.services.dispatcher.retry_now()
        await first.services.settle()
        assert len(first.in_chat(duty_school.GROUP)) == 1


async def test_work_waiting_its_turn_is_not_run_by_another_process(engine: AsyncEngine) -> None:
    school = leave_school
    clock = ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))
    await school.seed(engine, clock.now())
    async with BotHarness(SHORT, engine, clock) as first:
        await first.send(first.user(school.TEACHER), "/leave 病假 明天 发烧")
        first.settle_after_update = False  # the arrangers' boards wait behind the answer
        request = first.last(school.LEADER)
        await first.press(first.user(school.LEADER), request, request.data_of("批准"))
        async with second_process(engine, first) as second:
            assert second.request.sent == []
        # Nor did the first run it a second time beside its queue, ahead of its turn.
        assert boards(first, school.OFFICE_A) == []
        await first.services.settle()
        assert len(boards(first, school.OFFICE_A)) == 1


def test_a_slot_planned_too_late_by_a_change_is_not_sent_but_one_missed_at_start_is() -> None:
    from datetime import UTC, date, datetime, timedelta

    from jobs.push_watch import PushWatch
    from jobs.registry import Slot

    now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    day = date(2026, 11, 25)
    past = Slot("cover_ack_reminder", "need1v2", now - timedelta(minutes=5), "x")
    later = Slot("cover_ack_reminder", "need2v1", now + timedelta(minutes=5), "y")
    plan = {day: [past, later]}
    settings = {"created_at": now - timedelta(days=9), "grace": timedelta(hours=2), "kinds": None}

    running = PushWatch()
    running.learn(1, planned=plan, now=now, **settings)
    assert running.due(now + timedelta(minutes=10)) == {1: [later]}

    starting = PushWatch()
    starting.learn(1, planned=plan, now=now, past_done=False, **settings)
    assert starting.due(now) == {1: [past]}
