"""A homework posting nobody decides moves up to someone else who may decide it, and one still
undecided when its day ends expires with the teacher told; nothing is ever published but by a
decision."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from jobs.homework_watch import watch_homework
from storage.db import session_factory
from storage.homework import held_entries
from storage.models import AuditLog, HomeworkPost
from tests.conftest import SHANGHAI
from tests.harness import BotHarness, Sent
from tests.schools.homework import (
    ADMIN_ID,
    ENGLISH_ID,
    GROUP,
    HEAD32_ID,
    MATHS_ID,
    OFFICE_ID,
    seed_school,
)
from tests.schools.leave import in_own_chat

WEDNESDAY = date(2026, 11, 25)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


async def watch_at(harness: BotHarness, when: datetime) -> tuple[int, int]:
    harness.clock.set(when)
    found = await watch_homework(harness.app)
    await harness.services.settle()
    return found


async def posts(engine: AsyncEngine) -> list[HomeworkPost]:
    async with session_factory(engine)() as s:
        return list((await s.exec(select(HomeworkPost).order_by(HomeworkPost.id))).all())


async def ask_exception(harness: BotHarness) -> Sent | None:
    """三(2) holds 40 written minutes; 李老师's 15 more go to its head teacher as an exception.
    Returns the request the head teacher got (None when it could not reach her)."""
    await harness.send(harness.user(HEAD32_ID), "/hw 三(2) 语文 40 作文")
    refused = (await harness.send(harness.user(ENGLISH_ID), "/hw 三(2) 英语 15 抄写单词"))[-1]
    await harness.press(harness.user(ENGLISH_ID), refused, refused.data_of("请班主任批准例外"))
    got = [m for m in harness.in_chat(HEAD32_ID) if "例外申请" in m.plain]
    return got[-1] if got else None


async def test_an_exception_nobody_decides_moves_up_to_the_office(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_school(engine, clock.now())
    head_request = await ask_exception(harness)
    assert head_request is not None
    group_before = len(harness.in_chat(GROUP))

    assert await watch_at(harness, at(25, 9, 59)) == (0, 0)
    assert harness.in_chat(OFFICE_ID) == []
    assert await watch_at(harness, at(25, 10, 1)) == (1, 0)

    request = harness.last(OFFICE_ID)
    assert "⏫ 这份作业等待赵老师审核已超过 61 分钟，现在转给你审核" in request.plain
    assert "例外申请" in request.plain and "李老师 想布置：英语 · 书面 15 分钟" in request.plain
    assert "⏫" in harness.last(ADMIN_ID).plain  # the principal is of the office tier
    told = harness.last(ENGLISH_ID).plain
    assert "你的作业（三(2)班 · 英语 · 书面 15 分钟：抄写单词）等待赵老师审核已超过" in told
    assert "已转给 孙主任、周校长 审核" in told
    # Moving up published nothing: it still waits for a decision.
    assert [p.status for p in await posts(engine)][-1] == "exception"
    assert len(harness.in_chat(GROUP)) == group_before

    # The head teacher keeps her say, with the button she already has.
    await harness.press(harness.user(HEAD32_ID), head_request, head_request.data_of("同意例外"))
    assert "赵老师 同意了例外" in harness.last(ENGLISH_ID).plain
    _, late = await harness.press(harness.user(OFFICE_ID), request, request.data_of("同意例外"))
    assert "已经处理过了" in late["text"]
    async with session_factory(engine)() as s:
        moved = (
            await s.exec(select(AuditLog).where(AuditLog.action == "homework_escalated"))
        ).one()
    assert json.loads(moved.detail)["why"] == "late"


async def test_the_office_decides_an_exception_that_moved_up(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_school(engine, clock.now())
    await ask_exception(harness)
    await watch_at(harness, at(25, 10, 1))
    request = harness.last(OFFICE_ID)
    await harness.press(harness.user(OFFICE_ID), request, request.data_of("同意例外"))
    assert "孙主任 同意了例外" in harness.last(ENGLISH_ID).plain
    assert [p.status for p in await posts(engine)][-1] == "published"


async def test_an_approval_still_waiting_at_the_board_moves_up_then(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_school(engine, clock.now(), {"homework.publication": "head_teacher"})
    harness.clock.set(at(25, 16, 10))
    await harness.send(harness.user(MATHS_ID), "/hw 三(2) 数学 20 练习册")
    assert await watch_at(harness, at(25, 16, 29)) == (0, 0)
    assert await watch_at(harness, at(25, 16, 30)) == (1, 0)  # not 17:10
    assert "作业待审核" in harness.last(OFFICE_ID).plain
    # Above the office only the admins, and 周校长 has it already: nobody new to ask.
    assert await watch_at(harness, at(25, 17, 31)) == (0, 0)


async def test_the_delay_is_a_school_policy(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_school(
        engine,
        clock.now(),
        {"homework.publication": "head_teacher", "homework.escalate_minutes": "20"},
    )
    await harness.send(harness.user(MATHS_ID), "/hw 三(2) 数学 20 练习册")
    assert await watch_at(harness, at(25, 9, 19)) == (0, 0)
    assert await watch_at(harness, at(25, 9, 21)) == (1, 0)


async def test_a_head_teacher_who_cannot_be_reached_is_passed_over_at_once(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_school(engine, clock.now())
    harness.request.forbidden.add(HEAD32_ID)
    await ask_exception(harness)
    assert await watch_at(harness, at(25, 9, 1)) == (1, 0)
    assert "的审核人赵老师收不到机器人的消息" in harness.last(OFFICE_ID).plain
    assert "收不到机器人的消息" in harness.last(ENGLISH_ID).plain


async def test_when_nobody_can_decide_the_teacher_is_told(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_school(engine, clock.now())
    harness.request.forbidden |= {HEAD32_ID, OFFICE_ID, ADMIN_ID}
    await ask_exception(harness)
    assert await watch_at(harness, at(25, 9, 1)) == (1, 0)  # to the office, who blocked it
    assert await watch_at(harness, at(25, 9, 2)) == (1, 0)
    assert "机器人联系不上任何能审核的人" in harness.last(ENGLISH_ID).plain
    assert await watch_at(harness, at(25, 9, 3)) == (0, 0)  # told once
    assert [p.status for p in await posts(engine)][-1] == "exception"


async def test_a_posting_undecided_when_its_day_ends_expires_and_holds_no_minutes(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed_school(engine, clock.now(), {"homework.publication": "head_teacher"})
    await harness.send(harness.user(MATHS_ID), "/hw 三(2) 数学 20 练习册")
    request = harness.last(HEAD32_ID)
    class_id = school.classes["三(2)"].id or 0
    async with session_factory(engine)() as s:
        assert len(await held_entries(session=s, class_id=class_id, day=WEDNESDAY)) == 1

    assert (await watch_at(harness, at(25, 21, 59)))[1] == 0  # its day is not over yet
    assert await watch_at(harness, at(26, 6, 31)) == (0, 1)

    told = harness.last(MATHS_ID).plain
    assert "11月25日 周三 三(2)班 的作业到当天结束仍无人审核，已过期，没有公示" in told
    assert "数学 · 书面 20 分钟：练习册" in told
    redrawn = harness.request.find(HEAD32_ID, request.message_id)
    assert "已过期，未公示" in redrawn.plain and redrawn.buttons == []
    _, late = await harness.press(harness.user(HEAD32_ID), in_own_chat(HEAD32_ID), "v1:hwok:ok:1:1")
    assert late["text"] == "这条作业已经处理过了（已过期，未公示）。"
    assert [p.status for p in await posts(engine)] == ["expired"]
    async with session_factory(engine)() as s:
        assert await held_entries(session=s, class_id=class_id, day=WEDNESDAY) == []
    assert harness.in_chat(GROUP) == []
    assert await watch_at(harness, at(26, 6, 32)) == (0, 0)  # told once


async def test_an_exception_undecided_at_the_end_of_its_day_expires(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_school(engine, clock.now())
    await ask_exception(harness)
    harness.request.forbidden |= {OFFICE_ID, ADMIN_ID}  # nobody above decides either
    assert await watch_at(harness, at(26, 7, 0)) == (0, 1)
    assert (
        "11月25日 周三 三(2)班 的例外申请到当天结束仍无人处理，已过期"
        in harness.last(ENGLISH_ID).plain
    )
    assert [p.status for p in await posts(engine)][-1] == "expired"


async def test_a_change_undecided_when_its_day_ends_expires_and_the_published_version_stays(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_school(engine, clock.now(), {"homework.publication": "head_teacher"})
    maths, head = harness.user(MATHS_ID), harness.user(HEAD32_ID)
    sent = await harness.send(maths, "/hw 三(2) 数学 20 练习册第12页")
    request = next(s for s in sent if s.chat_id == HEAD32_ID)
    sent, _ = await harness.press(head, request, request.data_of("通过"))
    approved = next(s for s in sent if s.chat_id == MATHS_ID)
    await harness.press(maths, approved, approved.data_of("修改"))
    await harness.send(maths, "30 练习册第12–14页")

    assert await watch_at(harness, at(26, 6, 31)) == (0, 1)
    told = harness.last(MATHS_ID).plain
    assert "你对 11月25日 周三 三(2)班 作业的修改到当天结束仍无人审核，已过期，没有生效" in told
    assert "已发布的作业保持不变：数学 · 书面 20 分钟：练习册第12页" in told
    assert [p.status for p in await posts(engine)] == ["published", "expired"]
