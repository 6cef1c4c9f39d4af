"""Arranging cover: the board's buttons, asking the group with 我来, 收到, /arrange and /covers."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from storage.models import CoverNeed, SchoolClass
from tests.conftest import SHANGHAI
from tests.handlers.conftest import SYSADMIN_ID
from tests.harness import BotHarness, Sent
from tests.schools.leave import (
    CAO,
    GROUP,
    LEADER,
    LIN,
    OFFICE_A,
    OFFICE_B,
    TEACHER,
    XU,
    in_own_chat,
    seed,
)
from views.cover_board import BUTTON_BUDGET


async def approved_day_off(harness: BotHarness) -> Sent:
    """周雅琴 is away all Thursday (periods 3 and 5); returns 王晴晴's board."""
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 发烧")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    return harness.last(OFFICE_A)


async def needs(engine: AsyncEngine) -> list[CoverNeed]:
    async with session_factory(engine)() as s:
        return list((await s.exec(select(CoverNeed).order_by(CoverNeed.period))).all())


async def actions(engine: AsyncEngine) -> list[str]:
    async with session_factory(engine)() as s:
        return [e.action for e in await audit.entries(session=s) if e.action.startswith("cover_")]


async def test_assigning_tells_the_substitute_who_confirms_with_a_button(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    # 林秀英 has no grade on the roster, but she teaches English in 三(1)班: grade 3 group.
    assert [label for label, _ in board.buttons][:3] == ["1→许志强", "1→郭春燕", "1→林秀英"]
    assert "林秀英（同年级组、本月代课 0 节）" in board.plain

    _, answer = await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))

    assert answer["text"] == "已安排 许志强"
    notice = harness.last(XU)
    assert "请你代课：11月26日 周四 第3节（10:00–10:40）三(2)班 语文（代 周雅琴）" in notice.plain
    assert "病假" not in notice.plain and "发烧" not in notice.plain
    refreshed = harness.request.find(OFFICE_A, board.message_id).plain
    # The board moves on to the next lesson to arrange; the first is listed with its state.
    assert "1. 第3节 三(2)班 语文（周雅琴）：许志强 代课（待确认）" in refreshed
    assert "👉 2. 第5节 三(2)班 语文（周雅琴）：待安排" in refreshed
    # Period 5 no longer suggests him first? He is free then: still offered, one cover today.
    assert "本月代课 1 节" in refreshed

    await harness.press(harness.user(XU), notice, notice.data_of("收到"))
    assert "已确认代课" in harness.request.find(XU, notice.message_id).plain
    assert (await needs(engine))[0].acknowledged_at is not None
    assert await actions(engine) == ["cover_assigned", "cover_acknowledged"]


async def test_an_outdated_board_or_the_wrong_person_changes_nothing(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    other = harness.last(OFFICE_B)
    outdated = other.data_of("1→郭春燕")  # a button of 雷琴华's copy before the change
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    notice = harness.last(XU)

    _, stale = await harness.press(harness.user(OFFICE_B), other, outdated)
    _, teacher = await harness.press(harness.user(CAO), in_own_chat(CAO), "v1:cov:as:1:2:1")
    _, not_his = await harness.press(harness.user(CAO), in_own_chat(CAO), notice.data_of("收到"))

    assert "刚刚变了（现在：许志强 代课）" in stale["text"]
    assert "许志强 代课" in harness.request.find(OFFICE_B, other.message_id).plain
    assert teacher["text"] == not_his["text"] == "你没有权限执行这个操作。"
    assert [(n.period, n.substitute_id is not None) for n in await needs(engine)] == [
        (3, True),
        (5, False),
    ]
    async with session_factory(engine)() as s:
        denied = await audit.entries(session=s, action="denied")
    assert [e.actor_telegram_id for e in denied] == [CAO, CAO]


async def test_a_lesson_asked_for_then_arranged_otherwise_closes_the_group_post(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1 群里征集"))
    post = harness.last(GROUP)
    assert post.data_of("我来")
    # The board moved on to lesson 2: back to lesson 1, still asked for in the group.
    board = harness.request.find(OFFICE_A, board.message_id)
    _, _ = await harness.press(harness.user(OFFICE_A), board, board.data_of("◀ 上一个（1）"))
    board = harness.request.find(OFFICE_A, board.message_id)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1 自习"))

    closed = harness.request.find(GROUP, post.message_id)
    assert closed.edited and closed.buttons == []
    assert closed.plain.endswith("已另行安排。")


async def test_asking_the_group_takes_the_first_eligible_volunteer(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1 群里征集"))
    post = harness.last(GROUP)
    assert post.plain == "🙋 谁能代 三(2)班 11月26日 周四第3节 语文？（10:00–10:40）"
    me = post.data_of("我来")

    _, busy = await harness.press(harness.user(CAO), post, me)
    _, took = await harness.press(harness.user(LIN), post, me)
    _, late = await harness.press(harness.user(XU), post, me)

    assert "曹明 第3节要上 三(1)班 数学" in busy["text"]
    assert took["text"] == "谢谢！已登记你来代课。"
    assert "已经由 林秀英 认领" in late["text"]
    assert "林秀英 代课" in harness.request.find(GROUP, post.message_id).plain
    assert "林秀英 在群里认领了代课" in harness.last(OFFICE_A).plain
    assert "谢谢！你认领了代课" in harness.last(LIN).plain
    need = (await needs(engine))[0]
    assert (need.status, need.acknowledged_at is not None) == ("assigned", True)
    group_text = " ".join(m.plain for m in harness.in_chat(GROUP))
    assert "病假" not in group_text and "发烧" not in group_text


async def test_a_leave_ended_before_its_lessons_closes_the_groups_posts_about_them(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1 群里征集"))
    taken = harness.last(GROUP)
    await harness.press(harness.user(LIN), taken, taken.data_of("我来"))
    board = harness.request.find(OFFICE_A, board.message_id)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("2 群里征集"))
    asked = harness.last(GROUP)
    assert "林秀英 代课" in harness.request.find(GROUP, taken.message_id).plain

    teacher = harness.user(TEACHER)
    clock.set(datetime(2026, 11, 26, 7, 0, tzinfo=SHANGHAI))
    mine = (await harness.send(teacher, "/myleave"))[-1]
    await harness.press(teacher, mine, mine.data_of("销假 1"))

    # Neither the thanks to the volunteer nor the open ask still stands in the group.
    for post, period in ((taken, "第3节"), (asked, "第5节")):
        now = harness.request.find(GROUP, post.message_id)
        assert now.edited and now.buttons == []
        assert period in now.plain and now.plain.endswith("周雅琴老师原课照上，不再需要代课。")
    assert "不用代课了" in harness.last(LIN).plain


@pytest.mark.both_databases  # a race: each database serialises it its own way
async def test_two_volunteers_at_once_one_gets_it(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1 群里征集"))
    post = harness.last(GROUP)
    me = post.data_of("我来")

    results = await asyncio.gather(
        harness.press(harness.user(LIN), post, me), harness.press(harness.user(XU), post, me)
    )

    texts = sorted(answer["text"] for _, answer in results)
    assert texts[1] == "谢谢！已登记你来代课。" and "已经由" in texts[0]
    assert await actions(engine) == ["cover_asked_group", "cover_volunteered"]


async def test_the_daily_cap_holds(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    changed = await harness.send(harness.user(SYSADMIN_ID), "/settings cover.daily_cap 1")
    assert "2 → 1" in changed[-1].plain
    board = await approved_day_off(harness)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("下一个（2）"))
    board = harness.request.find(OFFICE_A, board.message_id)
    second = board.data_of("2→许志强")
    await harness.press(harness.user(OFFICE_A), board, board.data_of("上一个（1）"))
    board = harness.request.find(OFFICE_A, board.message_id)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    refreshed = harness.request.find(OFFICE_A, board.message_id)
    assert "2→许志强" not in [label for label, _ in refreshed.buttons]

    _, capped = await harness.press(harness.user(OFFICE_A), refreshed, second)
    assert "许志强 当天已代 1 节，达到上限" in capped["text"]
    assert [n.substitute_id for n in await needs(engine)][1] is None


async def test_self_study_and_merging(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("下一个"))
    board = harness.request.find(OFFICE_A, board.message_id)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("2 自习"))
    board = harness.request.find(OFFICE_A, board.message_id)
    assert "2. 第5节 三(2)班 语文（周雅琴）：自习" in board.plain

    choices = (await harness.press(harness.user(OFFICE_A), board, board.data_of("1 合班")))[0][-1]
    assert [label for label, _ in choices.buttons] == ["三(1)班（曹明）"]
    await harness.press(harness.user(OFFICE_A), choices, choices.data_of("三(1)班"))

    assert "与你的 三(1)班 合班上课" in harness.last(CAO).plain
    assert [(n.status, n.merged_class_id) for n in await needs(engine)] == [
        ("merged", 1),
        ("self_study", None),
    ]


async def test_arrange_and_covers(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))

    arranged = (await harness.send(harness.user(OFFICE_B), "/arrange"))[-1]
    drawn, buttons = arranged.plain, arranged.buttons
    tomorrow = await harness.send(harness.user(OFFICE_B), "/arrange 明天")
    refused = await harness.send(harness.user(XU), "/arrange")
    assert "代课安排 · 11月26日 周四" in drawn and buttons
    assert tomorrow[-1].plain == drawn
    # Only the newest copy of a day is live: the one before is a line pointing to it.
    older = harness.request.find(OFFICE_B, arranged.message_id)
    assert older.plain == "📋 11月26日 周四的代课安排已更新，请看下面最新的一条。"
    assert not older.buttons
    assert refused[-1].plain == "你没有权限执行这个操作。"
    friday = await harness.send(harness.user(OFFICE_B), "/arrange 11-27")
    assert friday[-1].plain == "11月27日 周五 没有需要你安排的代课。"

    everyone = await harness.send(harness.user(OFFICE_A), "/covers")
    own = await harness.send(harness.user(XU), "/covers 11")
    nobody = await harness.send(harness.user(OFFICE_A), "/covers 2026-10")
    bad = await harness.send(harness.user(OFFICE_A), "/covers 十三月")
    assert "2026年11月代课统计" in everyone[-1].plain and "许志强：1 节" in everyone[-1].plain
    assert own[-1].plain == "你2026年11月代课 1 节。"
    assert "还没有代课记录" in nobody[-1].plain
    assert "没看懂月份" in bad[-1].plain


async def test_with_the_grade_leader_policy_the_grade_leader_arranges(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(SYSADMIN_ID), "/settings cover.arranger grade_leader")
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 发烧")
    request = harness.last(LEADER)
    await harness.press(harness.user(LEADER), request, request.data_of("批准"))

    board = harness.last(LEADER)
    assert "代课安排 · 11月26日 周四" in board.plain
    assert not [m for m in harness.in_chat(OFFICE_A) if "代课安排" in m.plain]
    await harness.press(harness.user(LEADER), board, board.data_of("1→许志强"))
    assert "请你代课" in harness.last(XU).plain
    # The office still may arrange (it always can); a teacher may not.
    office = await harness.send(harness.user(OFFICE_A), "/arrange")
    assert "代课安排" in office[-1].plain


async def test_same_day_cover_reaches_the_group_though_no_slip_went_out_at_0720(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    clock.set(datetime(2026, 11, 26, 8, 30, tzinfo=SHANGHAI))  # nothing was planned at 07:20
    await harness.send(harness.user(TEACHER), "/leave 病假 今天 发烧")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")

    posted = harness.last(GROUP)
    slip = posted.plain
    assert slip.startswith("📋 代课/调课公示 · 11月26日 周四")
    assert "不在校：周雅琴（全天）" in slip
    assert "第3节（10:00–10:40）三(2)班 语文 周雅琴 → 待安排" in slip
    board = harness.last(OFFICE_A)
    clock.set(datetime(2026, 11, 26, 8, 42, tzinfo=SHANGHAI))
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))

    # The slip is edited, not posted again, and says when and what changed.
    assert harness.last(GROUP).message_id == posted.message_id
    update = harness.request.find(GROUP, posted.message_id).plain
    assert update.startswith("📋 代课/调课公示 · 11月26日 周四")
    assert "第3节（10:00–10:40）三(2)班 语文 周雅琴 → 许志强 代课" in update
    assert "🔄 已更新 08:42：\n· 第3节（10:00–10:40）三(2)班 语文：现在 许志强 代课" in update
    for message in harness.in_chat(GROUP):
        assert "病假" not in message.plain and "发烧" not in message.plain


async def test_the_named_colleague_is_told_of_each_booked_lesson_and_it_is_audited(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    xu = harness.user(XU)
    await harness.send(harness.user(TEACHER), "/leave 事假 周四 第3节 代课:许志强 家中有事")
    ask = harness.last(XU)  # he has not answered yet when the leave is approved
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")

    notice = harness.last(XU)
    assert "请你代课：11月26日 周四 第3节（10:00–10:40）三(2)班 语文（代 周雅琴）" in notice.plain
    assert "家中有事" not in notice.plain and "事假" not in notice.plain
    await harness.press(xu, notice, notice.data_of("收到"))
    assert (await needs(engine))[0].acknowledged_at is not None

    # He declines after all: the lesson is open again, the arranger is told.
    await harness.press(xu, ask, ask.data_of("不同意"))
    assert any("许志强 不能代课了" in m.plain for m in harness.in_chat(OFFICE_A))
    assert [(n.status, n.substitute_id) for n in await needs(engine)] == [("open", None)]
    assert await actions(engine) == ["cover_assigned", "cover_acknowledged", "cover_reopened"]


async def test_a_day_with_many_lessons_to_cover_is_shown_a_page_at_a_time(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await approved_day_off(harness)
    # A training day: the same absence shows up in many more classes than a message can hold
    # (Telegram takes 4,096 characters and about a hundred buttons).
    async with session_factory(engine)() as s, s.begin():
        first = (await s.exec(select(CoverNeed).order_by(col(CoverNeed.id)))).first()
        assert first is not None
        taken = {(n.period, n.class_id) for n in (await s.exec(select(CoverNeed))).all()}
        classes = (await s.exec(select(SchoolClass.id).order_by(col(SchoolClass.id)))).all()
        for period in range(1, 8):
            for class_id in classes[:2]:
                if (period, class_id) not in taken:
                    s.add(
                        CoverNeed(
                            school_id=first.school_id,
                            leave_id=first.leave_id,
                            day=first.day,
                            period=period,
                            class_id=class_id,
                            subject_id=first.subject_id,
                            absent_id=first.absent_id,
                            created_at=first.created_at,
                        )
                    )
    total = len(await needs(engine))
    assert total > 12

    board = (await harness.send(harness.user(OFFICE_A), "/arrange 明天"))[-1]
    assert len(board.plain) <= 4096 and len(board.buttons) <= BUTTON_BUDGET
    assert f"共 {total} 节，待安排 {total} 节" in board.plain
    assert "\n👉 1. " in board.plain and "\n2. " not in board.plain  # one lesson in detail

    await harness.press(harness.user(OFFICE_A), board, board.data_of("下一个（2）"))
    second = harness.request.find(OFFICE_A, board.message_id)
    assert "\n👉 2. " in second.plain and "\n2. 第" in second.plain
    assert len(second.buttons) <= BUTTON_BUDGET

    # Assigning lesson 2 moves the board on to lesson 3, with lesson 2 listed as arranged.
    assign = next(data for label, data in second.buttons if label.startswith("2→"))
    await harness.press(harness.user(OFFICE_A), second, assign)
    redrawn = harness.request.find(OFFICE_A, board.message_id)
    assert "\n👉 3. " in redrawn.plain and "代课（待确认）" in redrawn.plain

    # A colleague who arranges nothing cannot page through the board, even with its data.
    _, refused = await harness.press(harness.user(XU), in_own_chat(XU), board.data_of("下一个"))
    assert refused["show_alert"] is True
    async with session_factory(engine)() as s:
        assert "denied" in [e.action for e in await audit.entries(session=s)]


async def test_the_absent_teacher_volunteering_is_spoken_to_as_you(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1 群里征集"))
    post = harness.last(GROUP)
    _, answer = await harness.press(harness.user(TEACHER), post, post.data_of("我来"))
    assert answer["text"] == "你就是请假的老师，不能代自己的课。"
    assert (await needs(engine))[0].substitute_id is None
