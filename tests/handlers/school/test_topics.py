"""Forum topics: an admin routes homework posts to a topic; a deleted topic falls back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from jobs import homework as homework_jobs
from jobs import scheduler
from storage.db import session_factory
from storage.policies import load_policies
from tests.conftest import SHANGHAI
from tests.harness import BotHarness, Sent
from tests.schools.homework import ADMIN_ID, GROUP, MATHS_ID, HomeworkSchool, seed_school

HOMEWORK_TOPIC = 77


async def board_at_1631(bot: BotHarness) -> list[Sent]:
    bot.services.push_kinds = homework_jobs.push_kinds()
    start = bot.clock.now()
    end = datetime(start.year, start.month, start.day, 16, 31, tzinfo=SHANGHAI)
    bot.clock.set(end)
    await scheduler.fire_due(bot.app, start, end)
    return [m for m in bot.in_chat(GROUP) if m.plain.startswith("📋 作业公示")]


async def school(engine: AsyncEngine, clock: ManualClock, **policies: str) -> HomeworkSchool:
    return await seed_school(engine, clock.now(), dict(policies))


async def test_topic_sent_in_a_topic_routes_the_homework_board_there(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    seeded = await school(engine, clock)
    harness.request.topics[GROUP] = {HOMEWORK_TOPIC}
    (answer,) = await harness.send(
        harness.user(ADMIN_ID), "/topic 作业", GROUP, thread_id=HOMEWORK_TOPIC
    )
    assert "以后作业公示和作业补充发到这个话题" in answer.plain
    assert answer.thread_id == HOMEWORK_TOPIC  # the answer stays in the topic
    async with session_factory(engine)() as s:
        policies = await load_policies(session=s, school_id=seeded.school_id)
    assert policies.topic("homework") == HOMEWORK_TOPIC

    await harness.send(harness.user(MATHS_ID), "/hw 三(2) 数学 20 练习册")
    boards = await board_at_1631(harness)
    (board,) = boards
    assert board.thread_id == HOMEWORK_TOPIC


async def test_without_the_policy_the_board_goes_to_the_general_topic(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await school(engine, clock)
    (board,) = await board_at_1631(harness)
    assert board.thread_id is None


async def test_a_deleted_topic_falls_back_to_the_general_topic(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await school(engine, clock, **{"group.topic.homework": str(HOMEWORK_TOPIC)})
    harness.request.topics[GROUP] = set()  # the topic was deleted since
    (board,) = await board_at_1631(harness)
    assert board.thread_id is None and board.plain.startswith("📋 作业公示")
    refused = [
        params
        for method, params in harness.request.calls
        if method == "sendMessage" and params.get("message_thread_id") == HOMEWORK_TOPIC
    ]
    assert len(refused) == 1  # tried once in the topic, then delivered to general


async def test_topic_is_for_admins_and_lists_the_routing(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await school(engine, clock, **{"group.topic.duty": "12"})
    # A group without topics has nothing to route.
    (plain,) = await harness.send(harness.user(ADMIN_ID), "/topic 作业", GROUP)
    assert "本群没有开启话题" in plain.plain
    harness.request.topics[GROUP] = {5, 12}
    (refused,) = await harness.send(harness.user(MATHS_ID), "/topic 作业", GROUP, thread_id=5)
    assert "你没有权限" in refused.plain
    (listing,) = await harness.send(harness.user(ADMIN_ID), "/topic", GROUP)
    assert "值日和巡课 → 话题 #12" in listing.plain
    assert "作业公示和作业补充 → 综合话题" in listing.plain
    # Sent in the general topic, it routes back there.
    (answer,) = await harness.send(harness.user(ADMIN_ID), "/topic 值日", GROUP)
    assert "以后值日和巡课发到综合话题" in answer.plain
