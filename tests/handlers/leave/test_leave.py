"""Asking for leave and deciding it: one-line form, wizard, approval chain, withdraw, /back."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from handlers.core.turn import Turn
from storage import audit
from storage.db import session_factory
from storage.models import CalendarEntry, CoverNeed, LeaveApproval, LeaveRequest
from tests.conftest import SHANGHAI
from tests.harness import BotHarness, Sent
from tests.schools.leave import (
    CAO,
    GROUP,
    HEAD,
    LEADER,
    LIN,
    OFFICE_A,
    OFFICE_B,
    TEACHER,
    XU,
    in_own_chat,
    seed,
)


def last_with(bot: BotHarness, chat_id: int, text: str) -> Sent:
    found = [m for m in bot.in_chat(chat_id) if text in m.plain]
    assert found, f"nothing with {text!r} in {chat_id}: {[m.plain for m in bot.in_chat(chat_id)]}"
    return found[-1]


async def leaves(engine: AsyncEngine) -> list[LeaveRequest]:
    async with session_factory(engine)() as s:
        return list((await s.exec(select(LeaveRequest).order_by(LeaveRequest.id))).all())


async def actions(engine: AsyncEngine, prefix: str = "leave_") -> list[str]:
    async with session_factory(engine)() as s:
        return [e.action for e in await audit.entries(session=s) if e.action.startswith(prefix)]


async def test_one_line_leave_reaches_the_grade_leader_and_approval_creates_cover(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    reply = await harness.send(harness.user(TEACHER), "/leave 病假 明天 上午 发烧")

    # The teacher is answered first; the request reaches the grade leader after it.
    assert [m.chat_id for m in reply] == [TEACHER, LEADER]
    submitted = reply[0].plain
    assert "请假申请已提交" in submitted and "11月26日 周四 上午" in submitted
    assert "第3节（10:00–10:40）三(2)班 语文" in submitted  # the morning lesson only
    assert "第5节" not in submitted and "郭春燕" in submitted
    request = harness.last(LEADER)
    assert "病假" in request.plain and "发烧" in request.plain
    assert [label for label, _ in request.buttons] == ["批准", "驳回"]
    # Nobody else was asked: one school day or less is the grade leader's.
    assert harness.in_chat(OFFICE_A) == [] and harness.in_chat(HEAD) == []

    await harness.press(harness.user(LEADER), request, request.data_of("批准"))

    assert "已批准" in harness.request.find(LEADER, request.message_id).plain
    assert "你的请假（11月26日 周四 上午）已批准" in harness.last(TEACHER).plain
    for office in (OFFICE_A, OFFICE_B):
        board = harness.last(office)
        assert "代课安排 · 11月26日 周四" in board.plain
        assert "许志强（同班任课、同年级组、课间相邻、本月代课 0 节）" in board.plain
        # The arranger is not an approver: neither the type nor the reason.
        assert "病假" not in board.plain and "发烧" not in board.plain
    async with session_factory(engine)() as s:
        need = (await s.exec(select(CoverNeed))).one()
    assert (need.period, need.status) == (3, "open")
    assert await actions(engine) == ["leave_requested", "leave_approved"]


async def test_longer_leave_goes_through_the_office_too(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/leave 事假 周四~周五 家中有事")
    request = harness.last(LEADER)
    assert "第 1/2 步" in request.plain and "共 2 天" in request.plain

    await harness.press(harness.user(LEADER), request, request.data_of("批准"))

    step = harness.last(TEACHER).plain
    assert "郭春燕（年级组长（三年级））已批准" in step and "教导处" in step
    for office in (OFFICE_A, OFFICE_B):
        assert "第 2/2 步 · 教导处" in harness.last(office).plain
    await harness.press(harness.user(OFFICE_B), harness.last(OFFICE_B), "v1:lv:ok:2")
    assert "已批准（雷琴华，教导处）" in harness.last(TEACHER).plain
    assert (await leaves(engine))[0].status == "approved"


async def test_rejecting_asks_for_a_reason_and_tells_the_teacher(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    leader = harness.user(LEADER)
    await harness.send(harness.user(TEACHER), "/leave 事假 明天 下午 看房")
    request = harness.last(LEADER)

    asked = await harness.press(leader, request, request.data_of("驳回"))
    assert "驳回" in asked[0][-1].plain and "理由" in asked[0][-1].plain
    assert (await leaves(engine))[0].status == "pending"  # nothing decided before the reason
    cancelled = await harness.send(leader, "/cancel")
    assert "仍在等待审批" in cancelled[-1].plain

    await harness.press(leader, request, request.data_of("驳回"))
    done = await harness.send(leader, "期中考试那天不能请事假")

    assert "你已驳回 周雅琴 的请假" in done[-1].plain
    told = harness.last(TEACHER).plain
    assert "被 郭春燕（年级组长（三年级））驳回" in told and "期中考试那天不能请事假" in told
    async with session_factory(engine)() as s:
        approval = (await s.exec(select(LeaveApproval))).one()
    assert (approval.status, approval.note) == ("rejected", "期中考试那天不能请事假")
    assert await actions(engine) == ["leave_requested", "leave_rejected"]


async def test_a_second_press_changes_nothing_and_names_who_decided(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    # No grade group: the office decides, any one of its two members.
    await harness.send(harness.user(LIN), "/leave 公假 明天 区英语教研")
    first, second = harness.last(OFFICE_A), harness.last(OFFICE_B)
    approve = first.data_of("批准")
    await harness.press(harness.user(OFFICE_A), first, approve)
    before = len(harness.request.sent)

    _, answer = await harness.press(harness.user(OFFICE_B), second, second.data_of("驳回"))
    _, again = await harness.press(harness.user(OFFICE_A), first, approve)  # a double click

    assert "王晴晴 已经批准了 林秀英 的请假" in answer["text"]
    assert "王晴晴 已经批准了" in harness.request.find(OFFICE_B, second.message_id).plain
    assert "已经批准" in again["text"]
    assert len(harness.request.sent) == before  # no second set of notices
    assert await actions(engine) == ["leave_requested", "leave_approved"]


@pytest.mark.both_databases  # a race: each database serialises it its own way
async def test_two_approvers_pressing_together_give_one_decision(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock, backend: str
) -> None:
    """Both presses read the pending request before either writes (where the database lets two
    write transactions be open at once: PostgreSQL); SQLite's BEGIN IMMEDIATE makes the second
    wait for the first to commit, and it must then read the decision."""
    await seed(engine, clock.now())
    await harness.send(harness.user(LIN), "/leave 公假 明天 区英语教研")
    first, second = harness.last(OFFICE_A), harness.last(OFFICE_B)
    arrived: list[int] = []
    both_read = asyncio.Event()

    async def hold(turn: Turn) -> None:
        arrived.append(turn.actor.telegram_id)
        if backend == "postgresql":
            if len(arrived) == 2:
                both_read.set()
            await asyncio.wait_for(both_read.wait(), 10)

    harness.services.before_decision = hold
    before = len(harness.request.sent)
    (_, answer_a), (_, answer_b) = await asyncio.gather(
        harness.press(harness.user(OFFICE_A), first, first.data_of("批准")),
        harness.press(harness.user(OFFICE_B), second, second.data_of("批准")),
    )

    expected_arrivals = 2 if backend == "postgresql" else 1
    assert len(arrived) == expected_arrivals
    answers = [a.get("text") or "" for a in (answer_a, answer_b)]
    lost = [text for text in answers if "已经批准了" in text]
    assert len(lost) == 1
    winner = lost[0].split(" ")[0]  # the loser is told who decided
    assert winner in ("王晴晴", "雷琴华")
    notices = harness.request.sent[before:]
    assert len([m for m in notices if m.chat_id == LIN]) == 1
    assert "已批准" in harness.last(LIN).plain and winner in harness.last(LIN).plain
    assert await actions(engine) == ["leave_requested", "leave_approved"]
    async with session_factory(engine)() as s:
        approval = (await s.exec(select(LeaveApproval))).one()
        needs = (await s.exec(select(CoverNeed))).all()
    assert approval.status == "approved" and len(needs) == 1


async def test_wrong_person_forged_data_and_another_schools_request_are_refused(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 上午 发烧")
    request = harness.last(LEADER)

    approve = request.data_of("批准")
    _, own = await harness.press(harness.user(TEACHER), in_own_chat(TEACHER), approve)
    _, other = await harness.press(harness.user(XU), in_own_chat(XU), approve)
    _, forged = await harness.press(harness.user(LEADER), request, "v1:lv:ok:999")
    _, junk = await harness.press(harness.user(LEADER), request, "v1:lv:ok:1:x")

    assert own["text"] == other["text"] == "你没有权限执行这个操作。"
    assert forged["text"] == junk["text"] == "这个按钮已失效。"
    assert (await leaves(engine))[0].status == "pending"
    async with session_factory(engine)() as s:
        denied = await audit.entries(session=s, action="denied")
        refused = await audit.entries(session=s, action="button_refused")
    assert {e.actor_telegram_id for e in denied} == {TEACHER, XU}
    assert len(refused) == 2


async def test_withdrawn_and_expired_requests_take_no_decision(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    await harness.send(teacher, "/leave 病假 明天 上午 发烧")
    submitted = harness.last(TEACHER)
    request = harness.last(LEADER)
    withdraw = submitted.data_of("撤销")

    await harness.press(teacher, submitted, withdraw)
    asked = harness.last(TEACHER)
    assert asked.plain.startswith("确定撤销请假申请（11月26日 周四 上午）吗？")
    assert [label for label, _ in asked.buttons] == ["确定撤销", "不撤销"]
    assert [leave.status for leave in await leaves(engine)] == ["pending"]  # not yet
    confirm = asked.data_of("确定撤销")
    await harness.press(teacher, asked, confirm)
    assert "已撤销" in harness.request.find(TEACHER, asked.message_id).plain
    _, late = await harness.press(harness.user(LEADER), request, request.data_of("批准"))
    _, twice = await harness.press(teacher, asked, confirm)

    assert "已撤销" in harness.request.find(TEACHER, submitted.message_id).plain
    assert "周雅琴 撤销了请假申请" in harness.last(LEADER).plain
    assert "已撤销" in late["text"] and "不能撤销" in twice["text"]

    await harness.send(teacher, "/leave 事假 周五 上午 办事")
    old = harness.last(LEADER)
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=SHANGHAI))
    _, expired = await harness.press(harness.user(LEADER), old, old.data_of("批准"))
    assert "已过期" in expired["text"]
    assert [leave.status for leave in await leaves(engine)] == ["withdrawn", "expired"]
    assert await actions(engine) == [
        "leave_requested",
        "leave_withdrawn",
        "leave_requested",
        "leave_expired",
    ]


async def test_in_the_group_neither_type_nor_reason_is_echoed(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    await harness.send(teacher, "/leave 病假 明天 上午 发烧", chat_id=GROUP)
    await harness.send(teacher, "/leave 病假 明儿 发烧咳嗽", chat_id=GROUP)
    hint = await harness.send(teacher, "/leave", chat_id=GROUP)

    # The two lines were deleted from the group and answered in private; only the wizard's
    # pointer to the private chat is said there.
    group = [m.plain for m in harness.in_chat(GROUP)]
    assert group == [hint[-1].plain] and "私聊" in hint[-1].plain
    assert len(harness.request.deleted) == 2
    private = [m.plain for m in harness.in_chat(TEACHER)]
    assert any("请假申请已提交" in text and "发烧" in text for text in private)
    assert any("没看懂日期“明儿”" in text for text in private)


async def test_what_the_parser_or_the_rules_refuse_is_said_clearly(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)

    async def ask(text: str) -> str:
        await harness.send(teacher, text)
        return harness.last(TEACHER).plain

    assert "没看懂时段“第3课节”" in await ask("/leave 病假 明天 第3课节 发烧")
    assert "已经过去" in await ask("/leave 病假 11-20 发烧")
    assert "事假一次最多 15 天" in await ask("/leave 事假 11-26~2027-01-05 探亲")
    assert "没有上学日" in await ask("/leave 事假 11-28~11-29 探亲")
    assert "请写上请假事由" in await ask("/leave 病假 明天")
    await ask("/leave 病假 明天 上午 发烧")
    assert "已有请假" in await ask("/leave 事假 明天 全天 家事")
    # The afternoon does not overlap the morning.
    assert "请假申请已提交" in await ask("/leave 事假 明天 下午 家事")
    # An admin may record past leave.
    await harness.send(harness.user(HEAD), "/leave 公假 11-24 区会议")
    assert "请假申请已提交" in harness.last(HEAD).plain


async def test_a_colleague_named_as_substitute_confirms_and_is_arranged_on_approval(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    busy = await harness.send(teacher, "/leave 事假 周四 第3节 代课:曹明 家中有事")
    assert "曹明 不能代" in busy[-1].plain and "三(1)班 数学" in busy[-1].plain
    unknown = await harness.send(teacher, "/leave 事假 周四 第3节 代课:许志刚 家中有事")
    assert "没有“许志刚”" in unknown[-1].plain and "许志强" in unknown[-1].plain

    await harness.send(teacher, "/leave 事假 周四 第3节 代课:许志强 家中有事")
    ask = harness.last(XU)
    assert "周雅琴 请你代课" in ask.plain and "三(2)班 语文" in ask.plain
    assert "家中有事" not in ask.plain and "事假" not in ask.plain
    await harness.press(harness.user(XU), ask, ask.data_of("同意"))
    assert "许志强 已同意为你代课" in harness.last(TEACHER).plain
    request = harness.last(LEADER)
    # Sent before he answered; /pending would show it agreed.
    assert "约好的代课：许志强（待确认）" in request.plain
    again = await harness.send(harness.user(LEADER), "/pending")
    assert "约好的代课：许志强（已同意）" in again[0].plain

    await harness.press(harness.user(LEADER), request, request.data_of("批准"))

    async with session_factory(engine)() as s:
        need = (await s.exec(select(CoverNeed))).one()
    assert (need.status, need.acknowledged_at is not None) == ("assigned", True)
    board = harness.last(OFFICE_A).plain
    assert "状态：许志强 代课 ✅已确认" in board
    assert "许志强 代其中 1 节" in harness.last(TEACHER).plain


async def test_pending_and_myleave_list_what_waits(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    await harness.send(teacher, "/leave 病假 明天 上午 发烧")
    await harness.send(teacher, "/leave 事假 周五 全天 家事")

    pending = await harness.send(harness.user(LEADER), "/pending")
    nothing = await harness.send(harness.user(CAO), "/pending")
    mine = await harness.send(teacher, "/myleave")

    assert [m.plain.count("发烧") + m.plain.count("家事") for m in pending[:2]] == [1, 1]
    assert "2 项等你处理" in pending[-1].plain
    assert "没有等你处理" in nothing[-1].plain
    listing = mine[-1]
    assert "1. 11月27日 周五 全天 · 事假 · 待审批（年级组长（三年级））" in listing.plain
    assert [label for label, _ in listing.buttons] == ["撤销 1", "撤销 2"]


async def test_back_releases_the_cover_still_ahead(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    await harness.send(teacher, "/leave 病假 明天 发烧")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    board = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    assert "请你代课" in harness.last(XU).plain

    clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI))  # after period 3, before 5
    await harness.send(teacher, "/back")

    back = last_with(harness, TEACHER, "已销假")
    assert "还没上的 1 节课不再需要代课" in back.plain and "第5节" in back.plain
    # Nobody was booked for period 5: no substitute is said to have been told.
    assert "代课老师" not in back.plain
    assert "周雅琴 已销假" in harness.last(OFFICE_A).plain
    assert "不用代课了" not in harness.last(XU).plain  # his lesson was in the morning, done
    async with session_factory(engine)() as s:
        needs = (await s.exec(select(CoverNeed).order_by(CoverNeed.period))).all()
        leave = (await s.exec(select(LeaveRequest))).one()
    assert [(n.period, n.status) for n in needs] == [(3, "assigned"), (5, "released")]
    assert leave.status == "ended" and leave.returned_at is not None
    again = await harness.send(teacher, "/back")
    assert "没有进行中的" in again[-1].plain


async def test_back_tells_the_substitutes_of_released_cover(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    await harness.send(teacher, "/leave 病假 明天 发烧")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    board = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("下一个（2）"))
    board = harness.request.find(OFFICE_A, board.message_id)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("2→许志强"))

    clock.set(datetime(2026, 11, 26, 7, 0, tzinfo=SHANGHAI))
    mine = (await harness.send(teacher, "/myleave"))[-1]
    await harness.press(teacher, mine, mine.data_of("销假 1"))

    back = harness.last(TEACHER).plain
    assert "还没上的 2 节课不再需要代课" in back and back.endswith("已通知原定的代课老师。")
    assert "不用代课了" in harness.last(XU).plain and "第5节" in harness.last(XU).plain
    # The arranger hears of both lessons in one message, not one message per lesson.
    told = [m.plain for m in harness.in_chat(OFFICE_B) if "周雅琴 已销假" in m.plain]
    assert len(told) == 1
    assert "以下 2 节课原课照上" in told[0] and "第3节" in told[0] and "第5节" in told[0]
    assert await actions(engine) == ["leave_requested", "leave_approved", "leave_ended"]


async def test_an_approved_leave_called_off_before_its_day_is_cancelled_not_reported_back(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    await harness.send(teacher, "/leave 病假 明天 发烧")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")

    mine = (await harness.send(teacher, "/myleave"))[-1]
    assert [label for label, _ in mine.buttons] == ["取消请假 1"]
    await harness.press(teacher, mine, mine.data_of("取消请假 1"))

    answer = harness.last(TEACHER).plain
    assert answer.startswith("已取消请假（") and "销假" not in answer
    assert harness.request.find(TEACHER, mine.message_id).plain == "已处理取消请假。"
    told = [m.plain for m in harness.in_chat(OFFICE_B) if "取消了请假" in m.plain]
    assert len(told) == 1 and "以下 2 节课原课照上" in told[0]
    assert not any("已销假" in m.plain for m in harness.in_chat(OFFICE_B))
    async with session_factory(engine)() as s:
        assert (await s.exec(select(LeaveRequest))).one().status == "ended"


async def test_the_wizard_takes_buttons_and_text_and_cancel_at_any_step(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)

    start = (await harness.send(teacher, "/leave"))[-1]
    assert [label for label, _ in start.buttons] == [
        "病假", "事假", "公假", "婚假", "丧假", "产假", "陪产假", "其他", "取消",
    ]  # fmt: skip
    assert len(start.markup["inline_keyboard"]) == 3  # four kinds a row, then 取消
    first = (await harness.press(teacher, start, start.data_of("事假")))[0][-1]
    assert "从哪天开始" in first.plain
    last = (await harness.press(teacher, first, first.data_of("11月26日 周四")))[0][-1]
    part = (await harness.press(teacher, last, last.data_of("11月26日 周四")))[0][-1]
    assert [label for label, _ in part.buttons] == ["全天", "上午", "下午", "取消"]
    bad = await harness.send(teacher, "第9-3节")
    assert "颠倒" in bad[-1].plain
    substitute = (await harness.send(teacher, "第3节"))[-1]
    busy = await harness.send(teacher, "曹明")
    assert "曹明 不能代" in busy[-1].plain
    reason = (await harness.press(teacher, substitute, substitute.data_of("没有")))[0][-1]
    assert "事由" in reason.plain
    confirm = (await harness.send(teacher, "孩子家长会"))[-1]
    assert "第3节（10:00–10:40）三(2)班 语文" in confirm.plain and "郭春燕" in confirm.plain
    await harness.press(teacher, confirm, confirm.data_of("提交"))

    assert "请假申请已提交" in harness.last(TEACHER).plain
    assert "孩子家长会" in harness.last(LEADER).plain
    assert [leave.part for leave in await leaves(engine)] == ["p3-3"]

    # Cancelling at a step stores nothing; a stale wizard button is refused.
    again = (await harness.send(teacher, "/leave"))[-1]
    sick = again.data_of("病假")
    await harness.press(teacher, again, sick)
    cancelled = await harness.send(teacher, "/cancel")
    assert cancelled[-1].plain == "已取消。"
    _, stale = await harness.press(teacher, again, sick)
    assert stale["text"] == "这个按钮已失效。"
    typed = (await harness.send(teacher, "/leave"))[-1]
    assert typed.buttons
    await harness.send(teacher, "病假")
    range_typed = await harness.send(teacher, "11-26~11-27")
    assert "哪个时段" in range_typed[-1].plain
    assert len(await leaves(engine)) == 1


async def test_a_wizard_step_refuses_a_forged_press_and_asks_again_after_a_bad_answer(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    start = (await harness.send(teacher, "/leave"))[-1]
    first = (await harness.press(teacher, start, start.data_of("事假")))[0][-1]

    # A day button no step of ours drew (13th month): refused and audited, the step stays.
    sent, forged = await harness.press(teacher, first, "v1:lvw:d:20261399")
    assert forged["text"] == "这个按钮已失效。" and not sent
    async with session_factory(engine)() as s:
        refused = await audit.entries(session=s, action="button_refused")
    assert [json.loads(e.detail)["reason"] for e in refused] == ["bad_wizard_data"]

    # A typed day that is no day: told why, asked again; then a good one goes on.
    bad = await harness.send(teacher, "明年的某天")
    assert "明年的某天" in bad[-1].plain
    last = (await harness.send(teacher, "11-26"))[-1]
    assert last.plain.startswith("到哪天？")
    assert await leaves(engine) == []


async def test_help_lists_the_new_commands(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = (await harness.send(harness.user(TEACHER), "/help"))[-1].plain
    office = (await harness.send(harness.user(OFFICE_A), "/help"))[-1].plain
    group = (await harness.send(harness.user(TEACHER), "/help", chat_id=GROUP))[-1].plain
    for command in ("/leave", "/myleave", "/back", "/pending", "/covers", "/swap"):
        assert command in teacher
    assert "/arrange" not in teacher and "/arrange" in office
    assert "/leave" in group and "/myleave" not in group


async def test_help_shows_a_teacher_only_what_they_may_do_with_a_command(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = (await harness.send(harness.user(TEACHER), "/help"))[-1].plain
    office = (await harness.send(harness.user(OFFICE_A), "/help"))[-1].plain
    head = (await harness.send(harness.user(HEAD), "/help"))[-1].plain

    # Locking a month, entering a cover, the office's hours report, setting the calendar:
    # not offered to a teacher, who would be refused.
    for refused in ("锁定", "补录", "/hours report", "调休上班日"):
        assert refused not in teacher
    assert "/report 代课 2026-11" in teacher and "/hours add 3" in teacher
    assert "/calendar me" in teacher
    assert "锁定" in office and "/hours report" in office and "调休上班日" not in office
    assert all(part in head for part in ("锁定", "/hours report", "调休上班日"))


async def test_a_make_up_day_without_its_weekday_is_named_not_guessed(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    async with session_factory(engine)() as s, s.begin():
        s.add(
            CalendarEntry(
                school_id=1,
                kind="makeup",
                start_date=date(2026, 11, 28),
                end_date=date(2026, 11, 28),
                note="调休上课",
            )
        )
    await harness.send(harness.user(TEACHER), "/leave 事假 周五~周六 家事")

    submitted = harness.last(TEACHER).plain
    assert "请假申请已提交" in submitted and "共 2 天" in submitted
    assert "11月28日 周六 是调休上课日，但还没设定按周几的课表" in submitted
    assert "11月27日 周五 第4节" in submitted


async def test_english_speakers_get_english(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER, language_code="en")
    await harness.send(teacher, "/lang en")
    bad = await harness.send(teacher, "/leave sick tmrw am fever")
    assert "Date “tmrw” not understood" in bad[-1].plain
    done = await harness.send(teacher, "/leave sick tomorrow am fever")
    assert done[0].chat_id == TEACHER
    assert "Leave request sent" in done[0].plain and "Thu 26 Nov morning" in done[0].plain
    assert "period 3 (10:00–10:40) 三(2)班 语文" in done[0].plain
    # The grade leader reads Chinese: the request reaches her in her language.
    assert "请假审批" in harness.last(LEADER).plain and "fever" in harness.last(LEADER).plain


async def test_keeping_a_request_after_all_leaves_it_pending_and_its_buttons_in_place(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    await harness.send(teacher, "/lang en")
    await harness.send(teacher, "/leave sick tomorrow am fever")
    submitted = harness.last(TEACHER)

    await harness.press(teacher, submitted, submitted.data_of("Withdraw"))
    asked = harness.last(TEACHER)
    assert asked.plain.startswith("Withdraw the leave request (")
    assert [label for label, _ in asked.buttons] == ["Withdraw it", "Keep it"]
    confirm = asked.data_of("Withdraw it")
    await harness.press(teacher, asked, asked.data_of("Keep it"))

    assert harness.request.find(TEACHER, asked.message_id).plain.startswith(
        "The leave request stays ("
    )
    assert [leave.status for leave in await leaves(engine)] == ["pending"]
    assert "Withdraw" in [b for b, _ in harness.request.find(TEACHER, submitted.message_id).buttons]
    assert not [m for m in harness.in_chat(LEADER) if "withdrew" in m.plain or "撤销了" in m.plain]
    # Nobody else answers her question.
    _, other = await harness.press(harness.user(LEADER), in_own_chat(LEADER), confirm)
    assert other["text"] == "你没有权限执行这个操作。"
    assert [leave.status for leave in await leaves(engine)] == ["pending"]
