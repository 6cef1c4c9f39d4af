"""代请假: a grade leader or the academic office records leave for a colleague who phoned in."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage.db import session_factory
from storage.models import CoverNeed, LeaveApproval
from tests.handlers.leave.test_leave import actions, leaves
from tests.harness import BotHarness
from tests.schools.leave import (
    GROUP,
    HEAD,
    LEADER,
    LIN,
    OFFICE_A,
    OFFICE_B,
    TEACHER,
    XU,
    seed,
)


async def test_the_grade_leader_records_a_morning_off_and_it_is_approved_at_once(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    await harness.send(harness.user(LEADER), "/leavefor 周雅琴 病假 明天 上午 发烧")

    done = harness.in_chat(LEADER)[0].plain
    assert "已替 周雅琴 登记请假" in done and "11月26日 周四 上午" in done
    assert "登记即批准" in done and "第3节（10:00–10:40）三(2)班 语文" in done
    (leave,) = await leaves(engine)
    assert leave.staff_id == school.staff["周雅琴"].id and leave.status == "approved"
    assert (leave.reason, leave.created_by) == ("发烧", LEADER)
    told = [m.plain for m in harness.in_chat(TEACHER)]
    assert "郭春燕 替你登记了请假" in told[0] and "发烧" in told[0] and "/myleave" in told[0]
    assert "你的请假（11月26日 周四 上午）已批准（郭春燕" in told[1]
    mine = await harness.send(harness.user(TEACHER), "/myleave")
    assert "（郭春燕 代登记）" in mine[-1].plain
    # The lesson to cover went to the arrangers, without the type or the reason.
    for office in (OFFICE_A, OFFICE_B):
        board = harness.last(office)
        assert "代课安排 · 11月26日 周四" in board.plain
        assert "病假" not in board.plain and "发烧" not in board.plain
    async with session_factory(engine)() as s:
        need = (await s.exec(select(CoverNeed))).one()
    assert (need.period, need.status) == (3, "open")
    assert harness.in_chat(GROUP) == []
    assert await actions(engine) == ["leave_recorded", "leave_approved"]


async def test_recording_a_colleagues_leave_twice_names_the_colleague(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(LEADER), "/leavefor 周雅琴 病假 明天 上午 发烧")

    again = await harness.send(harness.user(LEADER), "/leavefor 周雅琴 病假 明天 上午 发烧")

    assert again[-1].plain.startswith("周雅琴 在 11月26日 周四 上午 已有请假")
    assert "/myleave" not in again[-1].plain
    assert len(await leaves(engine)) == 1


async def test_the_office_records_it_and_the_grade_leader_still_decides(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(OFFICE_A), "/leavefor 周雅琴 事假 明天 下午 家中有事")

    assert "等待 郭春燕 审批" in harness.last(OFFICE_A).plain
    (leave,) = await leaves(engine)
    assert leave.status == "pending"
    request = harness.last(LEADER)
    assert "家中有事" in request.plain and "周雅琴" in request.plain
    await harness.press(harness.user(LEADER), request, request.data_of("批准"))
    assert (await leaves(engine))[0].status == "approved"
    assert "王晴晴 替你登记了请假" in harness.in_chat(TEACHER)[0].plain
    assert "已批准" in harness.last(TEACHER).plain


async def test_a_longer_leave_is_approved_for_the_recorders_step_and_asks_the_next(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    # Two school days: the grade leader, then the academic office.
    await harness.send(harness.user(LEADER), "/leavefor 周雅琴 病假 明天~后天 发烧")

    assert "下一步已送审批" in harness.in_chat(LEADER)[0].plain
    async with session_factory(engine)() as s:
        steps = list((await s.exec(select(LeaveApproval).order_by(LeaveApproval.step))).all())
    assert [(a.role, a.status) for a in steps] == [
        ("grade_leader", "approved"),
        ("office", "waiting"),
    ]
    assert "请假审批（第 2/2 步" in harness.last(OFFICE_A).plain
    assert (await leaves(engine))[0].status == "pending"


async def test_who_may_record_for_whom(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    # A plain teacher may not record leave at all.
    refused = await harness.send(harness.user(XU), "/leavefor 周雅琴 病假 明天 发烧")
    assert "没有权限" in refused[-1].plain
    # A grade leader records only for their own grade (林秀英 has none).
    refused = await harness.send(harness.user(LEADER), "/leavefor 林秀英 病假 明天 发烧")
    assert "年级组长只能替本年级的老师登记" in refused[-1].plain
    # The principal records anyone's.
    await harness.send(harness.user(HEAD), "/leavefor 林秀英 病假 明天 发烧")
    assert [leave.status for leave in await leaves(engine)] == ["pending"]
    assert "陆建国 替你登记了请假" in harness.last(LIN).plain
    assert "denied" in await actions(engine, "denied")


async def test_mistakes_are_explained_and_nothing_is_stored(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    leader = harness.user(LEADER)
    usage = await harness.send(leader, "/leavefor")
    assert "/leavefor 姓名 类型 日期" in usage[-1].plain
    unknown = await harness.send(leader, "/leavefor 周雅 病假 明天 发烧")
    assert "名册里没有“周雅”" in unknown[-1].plain and "周雅琴" in unknown[-1].plain
    own = await harness.send(leader, "/leavefor 郭春燕 病假 明天 发烧")
    assert "请用 /leave" in own[-1].plain
    bad_day = await harness.send(leader, "/leavefor 周雅琴 病假 2026-02-30 发烧")
    assert "/leavefor 王晴晴 病假 今天 全天 发烧" in bad_day[-1].plain
    named = await harness.send(leader, "/leavefor 周雅琴 病假 明天 代课:许志强 发烧")
    assert "不能指定代课老师" in named[-1].plain
    # In the group the reason would be seen by everyone: private chat only.
    in_group = await harness.send(leader, "/leavefor 周雅琴 病假 明天 发烧", GROUP)
    assert "发烧" not in in_group[-1].plain
    typed = harness.last_message
    assert typed is not None and harness.request.deleted == [(GROUP, typed.message_id)]
    assert await leaves(engine) == []
    assert harness.in_chat(TEACHER) == []


async def test_the_colleague_is_told_in_their_own_language(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER, language_code="en")
    await harness.send(teacher, "/lang")
    choice = harness.last(TEACHER)
    await harness.press(teacher, choice, choice.data_of("English"))
    await harness.send(harness.user(LEADER), "/leavefor 周雅琴 病假 明天 上午 发烧")
    told = [m.plain for m in harness.in_chat(TEACHER)]
    assert any("郭春燕 recorded leave for you" in text for text in told)
