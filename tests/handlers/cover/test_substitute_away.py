"""A substitute who goes on leave gives back the lessons they were to cover inside it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from tests.conftest import SHANGHAI
from tests.handlers.cover.test_cover import approved_day_off, needs
from tests.harness import BotHarness, Sent
from tests.schools.leave import LEADER, OFFICE_A, OFFICE_B, XU, seed

COVER_P3 = "11月26日 周四 第3节（10:00–10:40）三(2)班 语文"


async def _xu_covers_period_3(harness: BotHarness) -> None:
    """周雅琴 is away all Thursday; 许志强 is arranged to cover her period 3."""
    board = await approved_day_off(harness)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))


async def _xu_is_away(harness: BotHarness, when: str) -> None:
    await harness.send(harness.user(XU), f"/leave 病假 {when} 发烧")
    request = harness.last(LEADER)
    await harness.press(harness.user(LEADER), request, request.data_of("批准"))


async def lessons_paged_through(harness: BotHarness, chat: int, board: Sent) -> list[str]:
    """Each lesson of a board as it shows it, paging from the first to the last."""
    count = len([line for line in board.plain.splitlines() if "班 " in line and "）：" in line])
    shown = []
    for _ in range(count):
        shown.append(board.plain.split("\n\n", 1)[1])
        await harness.press(harness.user(chat), board, board.data_of("下一个"))
        board = harness.request.find(chat, board.message_id)
    return shown


async def test_the_lesson_goes_back_to_the_arrangers_when_the_substitute_is_away(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await _xu_covers_period_3(harness)

    await _xu_is_away(harness, "明天 上午")

    by_period = {(n.period, n.absent_id): n for n in await needs(engine)}
    teacher_p3 = next(n for (period, _), n in by_period.items() if period == 3)
    assert (teacher_p3.status, teacher_p3.substitute_id) == ("open", None)
    assert teacher_p3.acknowledged_at is None
    told = [m.plain for m in harness.in_chat(XU) if "不用再代" in m.plain]
    assert len(told) == 1 and COVER_P3 in told[0]
    for office in (OFFICE_A, OFFICE_B):
        texts = [m.plain for m in harness.in_chat(office)]
        assert any("许志强 请假了" in text and COVER_P3 in text for text in texts)
        board = harness.last(office)
        # One board for the whole day: his own morning lessons, the lesson he gave back and
        # 周雅琴's afternoon lesson.
        assert "代课安排 · 11月26日 周四" in board.plain
        assert "三(2)班 语文" in board.plain and "三(1)班 数学" in board.plain
        blocks = await lessons_paged_through(harness, office, board)
        morning = [b for b in blocks if "上午" in b or any(f"第{p}节" in b for p in (1, 2, 3, 4))]
        afternoon = [b for b in blocks if b not in morning]
        assert morning and afternoon
        assert all("许志强（" not in b for b in morning)  # he is away then: never suggested
        assert any("许志强（" in b for b in afternoon)  # back after lunch
    async with session_factory(engine)() as s:
        reopened = [e for e in await audit.entries(session=s) if e.action == "cover_reopened"]
    assert len(reopened) == 1


async def test_cover_outside_the_leave_stays_arranged(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await _xu_covers_period_3(harness)

    await _xu_is_away(harness, "明天 下午")

    p3 = next(n for n in await needs(engine) if n.period == 3 and n.leave_id == 1)
    assert (p3.status, p3.substitute_id is not None) == ("assigned", True)
    assert not any("不用再代" in m.plain for m in harness.in_chat(XU))


async def test_a_lesson_already_under_way_is_not_taken_back(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await _xu_covers_period_3(harness)
    clock.set(datetime(2026, 11, 26, 10, 5, tzinfo=SHANGHAI))  # period 3 began at 10:00

    await _xu_is_away(harness, "今天")

    p3 = next(n for n in await needs(engine) if n.period == 3 and n.leave_id == 1)
    assert p3.status == "assigned"
