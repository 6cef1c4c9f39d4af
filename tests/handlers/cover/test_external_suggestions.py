"""External teachers (外聘/代课) among the suggested substitutes only where the school allows it
(cover.suggest_external, off by default); the school switches it on with /settings."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage.db import session_factory
from storage.models import Staff
from tests.handlers.cover.test_cover import approved_day_off
from tests.harness import BotHarness
from tests.schools.leave import HEAD, OFFICE_A, seed


async def test_an_external_teacher_is_suggested_once_the_school_allows_it(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    async with session_factory(engine)() as s, s.begin():
        xu = (await s.exec(select(Staff).where(Staff.name == "许志强"))).one()
        xu.external = True
        s.add(xu)
    board = await approved_day_off(harness)
    suggested = [label for label, _ in board.buttons if label.startswith("1→")]
    assert "1→许志强" not in suggested
    assert suggested[:2] == ["1→郭春燕", "1→林秀英"]

    changed = await harness.send(harness.user(HEAD), "/settings 代课建议含外聘教师 开")
    assert "代课建议含外聘教师" in changed[-1].plain
    await harness.send(harness.user(OFFICE_A), "/arrange")
    board = harness.last(OFFICE_A)
    # He teaches 三(2)班: first again, as the ranking puts him.
    assert next(label for label, _ in board.buttons if label.startswith("1→")) == "1→许志强"
