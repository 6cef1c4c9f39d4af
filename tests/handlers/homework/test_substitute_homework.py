"""A substitute sets homework for the lesson they cover, in the class's name, through the same
checks and caps as its own teacher; only on that day and for that lesson's subject."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage.db import session_factory
from storage.models import HomeworkPost
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools.leave import LEADER, OFFICE_A, TEACHER, XU, seed


async def posts(engine: AsyncEngine) -> list[HomeworkPost]:
    async with session_factory(engine)() as s:
        return list((await s.exec(select(HomeworkPost))).all())


async def test_the_substitute_posts_homework_for_the_class_they_cover_today(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    """许志强 covers 周雅琴's 语文 in 三(2)班 on Thursday, period 3."""
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 发烧")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    board = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    xu = harness.user(XU)

    # Wednesday: he does not cover it yet.
    await harness.send(xu, "/hw 三(2) 语文 20 抄写生字两遍")
    assert "你没有在三(2)班任教语文" in harness.last(XU).plain

    clock.set(datetime(2026, 11, 26, 10, 45, tzinfo=SHANGHAI))
    # Not 三(1)班's 语文, which he covers for nobody.
    await harness.send(xu, "/hw 三(1) 语文 20 抄写生字两遍")
    assert "你没有在三(1)班任教语文" in harness.last(XU).plain
    assert await posts(engine) == []

    await harness.send(xu, "/hw 三(2) 语文 20 抄写生字两遍")
    (post,) = await posts(engine)
    assert (post.class_id, post.minutes, post.content) == (2, 20, "抄写生字两遍")
    assert post.status == "published"
    assert "你没有" not in harness.last(XU).plain
    # The cap holds for him as for anyone: grade 3 has 45 written minutes a day.
    await harness.send(xu, "/hw 三(2) 语文 30 作文")
    assert harness.last(XU).plain.startswith("❌ 这条作业没有发布")
    assert [p.status for p in await posts(engine)][1] == "over_cap"

    # Step by step, 三(2)班 offers him the 语文 he covers beside the 数学 he teaches there.
    await harness.send(xu, "/hw")
    asked = harness.last(XU)
    await harness.press(xu, asked, asked.data_of("三(2)班"))
    subjects = [label for label, _ in harness.last(XU).buttons]
    assert "语文" in subjects and "数学" in subjects
