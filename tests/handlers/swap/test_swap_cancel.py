"""Undoing an approved swap: by an arranger, while both lessons are ahead, without cover on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from storage.models import CoverNeed
from tests.conftest import SHANGHAI
from tests.handlers.conftest import SYSADMIN_ID
from tests.handlers.swap.test_swap import swaps
from tests.harness import BotHarness, Sent
from tests.schools.leave import (
    CAO,
    LEADER,
    OFFICE_A,
    OFFICE_B,
    TEACHER,
    XU,
    in_own_chat,
    seed,
)


async def approved_swap(harness: BotHarness) -> Sent:
    """周雅琴's Thursday period 3 ⇄ 许志强's Friday period 2, approved by 王晴晴; her message."""
    await harness.send(harness.user(TEACHER), "/swap 周四第3节 许志强 周五第2节")
    ask = harness.last(XU)
    await harness.press(harness.user(XU), ask, ask.data_of("同意"))
    request = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), request, request.data_of("批准"))
    return harness.request.find(OFFICE_A, request.message_id)


async def test_the_arranger_undoes_it_and_the_timetable_is_back(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    approved = await approved_swap(harness)
    assert "你已批准调课" in approved.plain
    assert [label for label, _ in approved.buttons] == ["撤销调课"]
    undo = approved.data_of("撤销调课")

    await harness.press(harness.user(OFFICE_A), approved, undo)

    assert "已撤销调课，恢复原课表" in harness.request.find(OFFICE_A, approved.message_id).plain
    assert harness.request.find(OFFICE_A, approved.message_id).buttons == []
    assert [s.status for s in await swaps(engine)] == ["cancelled"]
    for teacher in (TEACHER, XU):
        assert "王晴晴 撤销了已批准的调课" in harness.last(teacher).plain
    # 周雅琴 teaches her own Thursday period 3 again: leave that morning needs cover for it.
    await harness.send(harness.user(TEACHER), "/leave 事假 周四 上午 办事")
    await harness.press(
        harness.user(LEADER), harness.last(LEADER), harness.last(LEADER).data_of("批准")
    )
    async with session_factory(engine)() as s:
        need = (await s.exec(select(CoverNeed))).one()
    assert (need.day.isoformat(), need.period) == ("2026-11-26", 3)
    async with session_factory(engine)() as s:
        logged = [e.action for e in await audit.entries(session=s) if e.action.startswith("swap")]
    assert logged[-1] == "swap_cancelled"

    # Pressed again: it says so, and changes nothing.
    _, again = await harness.press(harness.user(OFFICE_A), approved, undo)
    assert "已撤销" in again["text"]


async def test_only_an_arranger_outside_the_swap_may_undo_it(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    approved = await approved_swap(harness)
    data = approved.data_of("撤销调课")
    for who in (TEACHER, XU):
        _, answer = await harness.press(harness.user(who), in_own_chat(who), data)
        assert answer["text"] == "你没有权限执行这个操作。"
    assert [s.status for s in await swaps(engine)] == ["approved"]


async def test_too_late_once_a_lesson_has_begun(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    approved = await approved_swap(harness)
    clock.set(datetime(2026, 11, 26, 10, 5, tzinfo=SHANGHAI))  # Thursday period 3 has begun

    _, answer = await harness.press(harness.user(OFFICE_A), approved, approved.data_of("撤销调课"))

    assert "已经开始" in answer["text"]
    assert [s.status for s in await swaps(engine)] == ["approved"]


async def test_not_while_a_swapped_lesson_has_cover_to_arrange(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    approved = await approved_swap(harness)
    # 许志强 now teaches Thursday period 3 and is away for it.
    await harness.send(harness.user(XU), "/leave 事假 周四 第3节 家事")
    await harness.press(
        harness.user(LEADER), harness.last(LEADER), harness.last(LEADER).data_of("批准")
    )

    _, answer = await harness.press(harness.user(OFFICE_A), approved, approved.data_of("撤销调课"))

    assert "不能撤销" in answer["text"]
    assert [s.status for s in await swaps(engine)] == ["approved"]


async def test_swaps_lists_what_is_ahead_and_offers_the_undo_to_arrangers_only(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await approved_swap(harness)

    office = await harness.send(harness.user(OFFICE_B), "/swaps")
    assert "即将进行的已批准调课（1 条）" in office[0].plain
    assert "11月26日 周四 第3节" in office[1].plain
    assert [label for label, _ in office[1].buttons] == ["撤销调课"]
    teacher = await harness.send(harness.user(TEACHER), "/swaps")
    assert "11月26日 周四 第3节" in teacher[1].plain and teacher[1].buttons == []
    nobody = await harness.send(harness.user(CAO), "/swaps")
    assert nobody[-1].plain == "没有即将进行的已批准调课。"

    # Undone from the list by another arranger than the one who approved it.
    await harness.press(harness.user(OFFICE_B), office[1], office[1].data_of("撤销调课"))
    assert [s.status for s in await swaps(engine)] == ["cancelled"]
    assert "雷琴华 撤销了已批准的调课" in harness.last(TEACHER).plain
    assert (await harness.send(harness.user(OFFICE_B), "/swaps"))[-1].plain == (
        "没有即将进行的已批准调课。"
    )


async def test_a_system_admin_without_a_staff_record_is_told_to_link_first(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    admin = harness.user(SYSADMIN_ID)
    for command in ("/swaps", "/swap", "/swap 周四第3节 许志强 周五第2节"):
        replies = await harness.send(admin, command)
        assert "还没有关联到教职工名册" in replies[-1].plain
        assert not any("出错" in m.plain or "出了问题" in m.plain for m in replies)
