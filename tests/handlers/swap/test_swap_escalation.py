"""A swap nobody decides moves up to someone who may approve it, and one still open when its
first lesson begins expires with everyone concerned told: no swap waits, or ends, in silence."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from jobs.swaps import watch_swaps
from storage.db import session_factory
from storage.models import AuditLog, LessonSwap, School
from storage.policies import set_policy
from tests.conftest import SHANGHAI
from tests.harness import BotHarness, Sent
from tests.schools import factories
from tests.schools.leave import (
    HEAD,
    LEADER,
    OFFICE_A,
    OFFICE_B,
    TEACHER,
    XU,
    in_own_chat,
    seed,
)

VICE = 7_100_000_099  # 邹立新, vice principal: decides nothing until a swap reaches the principal


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


async def watch_at(harness: BotHarness, when: datetime) -> tuple[int, int]:
    harness.clock.set(when)
    found = await watch_swaps(harness.app)
    await harness.services.settle()
    return found


async def the_swap(engine: AsyncEngine) -> LessonSwap:
    async with session_factory(engine)() as s:
        return (await s.exec(select(LessonSwap))).one()


async def propose(harness: BotHarness) -> Sent:
    """周雅琴's Thursday period 3 (10:00) for 许志强's Friday period 2; returns her message."""
    sent = await harness.send(harness.user(TEACHER), "/swap 周四第3节 许志强 周五第2节")
    assert "已把调课请求发给 许志强 确认" in sent[-1].plain
    return sent[-1]


async def agree(harness: BotHarness) -> Sent:
    ask = harness.last(XU)
    await harness.press(harness.user(XU), ask, ask.data_of("同意"))
    return ask


async def with_vice_principal(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = (await s.exec(select(School))).one()
        await factories.staff(s, school, "邹立新", roles="teacher,principal", telegram_id=VICE)


async def test_a_swap_the_colleague_never_answered_expires_at_its_first_lesson(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    proposed = await propose(harness)
    ask = harness.last(XU)

    assert await watch_at(harness, at(26, 9, 59)) == (0, 0)
    assert await watch_at(harness, at(26, 10, 0)) == (0, 1)

    told = harness.last(TEACHER).plain
    assert "第一节课开始时调课请求仍在等待同事确认，已过期，课表不变" in told
    assert "11月26日 周四 第3节" in told
    assert "已过期" in harness.last(XU).plain
    # Neither keeps buttons for a swap that is over: her 撤销, his 同意 / 拒绝.
    mine = harness.request.find(TEACHER, proposed.message_id)
    assert mine.edited and "调课请求已过期" in mine.plain and mine.buttons == []
    his = harness.request.find(XU, ask.message_id)
    assert "调课请求已过期" in his.plain and his.buttons == []
    assert harness.in_chat(OFFICE_A) == []  # nobody else was ever asked
    assert (await the_swap(engine)).status == "expired"
    assert await watch_at(harness, at(26, 10, 1)) == (0, 0)  # told once


async def test_an_agreed_swap_expires_with_the_arrangers_told_too(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await propose(harness)
    await agree(harness)
    request = harness.last(OFFICE_A)
    # The office never decides (and the watch did not come round before the lesson).
    assert await watch_at(harness, at(26, 10, 0)) == (0, 1)
    for office in (OFFICE_A, OFFICE_B):
        assert "这个调课在第一节课开始前无人批准，已过期" in harness.last(office).plain
    assert "仍在等待批准，已过期" in harness.last(TEACHER).plain
    assert "仍在等待批准，已过期" in harness.last(XU).plain
    redrawn = harness.request.find(OFFICE_A, request.message_id)
    assert "调课请求已过期" in redrawn.plain and redrawn.buttons == []
    # A press on a copy that was not redrawn (forwarded, say) changes nothing.
    _, late = await harness.press(harness.user(OFFICE_B), in_own_chat(OFFICE_B), "v1:sw:ok:1")
    assert "已过期" in late["text"]
    assert (await the_swap(engine)).status == "expired"


async def test_a_press_after_the_lesson_began_expires_it_and_tells_the_proposer(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await propose(harness)
    harness.clock.set(at(26, 10, 5))  # before the watch came round
    _, answer = await harness.press(harness.user(XU), harness.last(XU), "v1:sw:yes:1")
    assert "已过期" in answer["text"]
    assert "仍在等待同事确认，已过期" in harness.last(TEACHER).plain
    assert await watch_at(harness, at(26, 10, 6)) == (0, 0)


async def test_an_agreed_swap_nobody_approves_moves_up_to_the_principal(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await with_vice_principal(engine)
    await propose(harness)
    await agree(harness)  # Wednesday 09:00; the lesson is Thursday 10:00, more than a day on

    assert await watch_at(harness, at(25, 10, 59)) == (0, 0)
    assert harness.in_chat(VICE) == []
    assert await watch_at(harness, at(25, 11, 1)) == (1, 0)

    request = harness.last(VICE)
    assert "⏫ 这个调课等待王晴晴、雷琴华批准已超过 121 分钟，现在转给你审批" in request.plain
    assert "双方已同意" in request.plain
    assert "⏫" in harness.last(HEAD).plain
    told = harness.last(TEACHER).plain
    assert "你的调课请求等待王晴晴、雷琴华批准已超过 121 分钟，已转给 陆建国、邹立新 批准" in told
    pending = await harness.send(harness.user(VICE), "/pending")
    assert "双方已同意" in pending[0].plain

    await harness.press(harness.user(VICE), request, request.data_of("批准"))
    assert "调课已批准（邹立新）" in harness.last(TEACHER).plain
    swap = await the_swap(engine)
    assert (swap.status, swap.level) == ("approved", 1)
    async with session_factory(engine)() as s:
        moved = (await s.exec(select(AuditLog).where(AuditLog.action == "swap_escalated"))).one()
    assert json.loads(moved.detail)["why"] == "late"


async def test_a_swap_for_tomorrow_waits_only_the_urgent_delay(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await propose(harness)
    harness.clock.set(at(25, 16, 0))  # the lesson is now within a day
    await agree(harness)
    assert await watch_at(harness, at(25, 16, 14)) == (0, 0)
    assert await watch_at(harness, at(25, 16, 16)) == (1, 0)
    # Nobody at the principal's level either: the admins are next, but 陆建国 is both.
    assert await watch_at(harness, at(25, 16, 32)) == (0, 0)


async def test_the_delay_is_the_schools_policy(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    async with session_factory(engine)() as s, s.begin():
        await set_policy(
            session=s,
            school_id=school.school.id,
            key="leave.escalate_minutes",
            raw_value="30",
            by=None,
            now=clock.now(),
        )
    await propose(harness)
    await agree(harness)
    assert await watch_at(harness, at(25, 9, 29)) == (0, 0)
    assert await watch_at(harness, at(25, 9, 31)) == (1, 0)


async def test_arrangers_who_cannot_be_reached_are_passed_over_at_once(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    harness.request.forbidden |= {OFFICE_A, OFFICE_B}
    await propose(harness)
    await agree(harness)

    assert await watch_at(harness, at(25, 9, 1)) == (1, 0)
    request = harness.last(HEAD)
    assert "的安排人王晴晴、雷琴华收不到机器人的消息" in request.plain
    told = harness.last(TEACHER).plain
    assert "收不到机器人的消息" in told and "已转给 陆建国 批准" in told
    await harness.press(harness.user(HEAD), request, request.data_of("批准"))
    assert (await the_swap(engine)).status == "approved"


async def test_when_nobody_can_approve_the_proposer_is_told(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    harness.request.forbidden |= {OFFICE_A, OFFICE_B, HEAD}
    await propose(harness)
    await agree(harness)
    assert await watch_at(harness, at(25, 9, 1)) == (1, 0)  # to the principal, who blocked it
    assert await watch_at(harness, at(25, 9, 2)) == (1, 0)
    assert "机器人联系不上任何能批准的人" in harness.last(TEACHER).plain
    assert (await the_swap(engine)).level == 2  # at the top: the admins
    assert await watch_at(harness, at(25, 9, 3)) == (0, 0)  # told once


async def test_with_grade_leaders_arranging_it_moves_up_to_the_office(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    async with session_factory(engine)() as s, s.begin():
        await set_policy(
            session=s,
            school_id=school.school.id,
            key="cover.arranger",
            raw_value="grade_leader",
            by=None,
            now=clock.now(),
        )
    await propose(harness)
    await agree(harness)
    assert "双方已同意" in harness.last(LEADER).plain
    assert harness.in_chat(OFFICE_A) == []
    assert await watch_at(harness, at(25, 11, 1)) == (1, 0)
    assert "等待郭春燕批准已超过" in harness.last(OFFICE_A).plain


async def test_nobody_is_messaged_at_night(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await propose(harness)
    await agree(harness)
    assert await watch_at(harness, at(25, 23, 0)) == (0, 0)
    assert await watch_at(harness, at(26, 6, 31)) == (1, 0)


async def test_a_proposer_whose_colleague_cannot_get_the_request_is_told_once(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    harness.request.forbidden.add(XU)
    await propose(harness)
    assert await watch_at(harness, at(25, 9, 1)) == (0, 0)
    told = harness.last(TEACHER).plain
    assert "许志强 收不到机器人的消息" in told and "请当面告诉 TA 启动机器人后发送 /pending" in told
    await watch_at(harness, at(25, 9, 2))
    assert harness.last(TEACHER).plain == told  # once

    # He starts the bot, agrees from /pending; the arrangers' wait starts then, not before.
    harness.request.forbidden.discard(XU)
    harness.clock.set(at(25, 9, 30))
    pending = await harness.send(harness.user(XU), "/pending")
    await harness.press(harness.user(XU), pending[0], pending[0].data_of("同意"))
    assert await watch_at(harness, at(25, 11, 15)) == (0, 0)
    assert await watch_at(harness, at(25, 11, 31)) == (1, 0)
