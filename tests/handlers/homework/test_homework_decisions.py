"""Approvals (head teacher, academic office), exceptions over the cap, returns with a reason."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select, update

from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from storage.models import Staff
from tests.harness import BotHarness, Sent
from tests.schools.homework import (
    ADMIN_ID,
    ENGLISH_ID,
    HEAD31_ID,
    HEAD32_ID,
    MATHS_ID,
    OFFICE_ID,
    seed_school,
)


async def actions(engine: AsyncEngine) -> list[str]:
    async with session_factory(engine)() as session:
        return [row.action for row in await audit.entries(session=session)]


def only(sent: list[Sent]) -> Sent:
    assert len(sent) == 1, [s.plain for s in sent]
    return sent[0]


def to(sent: list[Sent], chat_id: int) -> Sent:
    return only([s for s in sent if s.chat_id == chat_id])


@pytest.fixture
async def auto(engine: AsyncEngine, clock: ManualClock, harness: BotHarness) -> BotHarness:
    await seed_school(engine, clock.now())
    return harness


@pytest.fixture
async def by_head(engine: AsyncEngine, clock: ManualClock, harness: BotHarness) -> BotHarness:
    await seed_school(engine, clock.now(), {"homework.publication": "head_teacher"})
    return harness


@pytest.fixture
async def by_office(engine: AsyncEngine, clock: ManualClock, harness: BotHarness) -> BotHarness:
    await seed_school(engine, clock.now(), {"homework.publication": "office"})
    return harness


async def over_cap(bot: BotHarness) -> Sent:
    """三(2) holds 40 written minutes; the English teacher's 15 would pass the cap."""
    await bot.send(bot.user(HEAD32_ID), "/hw 三(2) 语文 40 作文")
    return only(await bot.send(bot.user(ENGLISH_ID), "/hw 三(2) 英语 15 抄写单词"))


async def test_the_head_teacher_allows_an_exception(auto: BotHarness, engine: AsyncEngine) -> None:
    english, head = auto.user(ENGLISH_ID), auto.user(HEAD32_ID)
    refused = await over_cap(auto)
    sent, _ = await auto.press(english, refused, refused.data_of("请班主任批准例外"))
    assert "已请班主任（赵老师）批准三(2)班的例外" in to(sent, ENGLISH_ID).plain
    request = to(sent, HEAD32_ID)
    assert (
        "例外申请" in request.plain
        and "李老师 想布置：英语 · 书面 15 分钟：抄写单词" in request.plain
    )
    assert "语文 40 分钟（合计 40 分钟）；发布后将达 55 分钟，超过上限 45 分钟" in request.plain
    allow = request.data_of("同意例外")
    sent, _ = await auto.press(head, request, allow)
    told = to(sent, ENGLISH_ID)
    assert "赵老师 同意了例外" in told.plain and "作业已发布" in told.plain
    assert "已通过" in auto.request.find(HEAD32_ID, request.message_id).plain
    today = only(await auto.send(head, "/hw class"))
    assert "超出上限 10 分钟" in today.plain
    # Pressed again: told it is decided; nothing changes.
    _, answer = await auto.press(head, request, allow)
    assert answer["text"] == "这条作业已经处理过了（已发布）。"
    found = await actions(engine)
    assert "homework_exception_requested" in found and "homework_exception_approved" in found


async def test_a_returned_exception_tells_the_teacher_why_with_their_text(
    auto: BotHarness, engine: AsyncEngine
) -> None:
    english, head = auto.user(ENGLISH_ID), auto.user(HEAD32_ID)
    refused = await over_cap(auto)
    sent, _ = await auto.press(english, refused, refused.data_of("请班主任批准例外"))
    request = to(sent, HEAD32_ID)
    asked = only((await auto.press(head, request, request.data_of("退回")))[0])
    assert "请写下退回三(2)班英语作业的理由" in asked.plain
    confirm = only(await auto.send(head, "今天语文作文已经很多了 <明天再布置>"))
    sent, _ = await auto.press(head, confirm, confirm.data_of("确认退回"))
    told = to(sent, ENGLISH_ID)
    assert "赵老师 退回了你的作业" in told.plain
    assert "理由：今天语文作文已经很多了 <明天再布置>" in told.plain
    assert "&lt;明天再布置&gt;" in told.text
    assert "<code>/hw 三(2)班 英语 15 抄写单词</code>" in told.text
    assert "已退回" in auto.request.find(HEAD32_ID, confirm.message_id).plain
    assert "已退回" in auto.request.find(HEAD32_ID, request.message_id).plain
    assert "homework_exception_returned" in await actions(engine)


async def test_the_reason_step_can_be_cancelled(auto: BotHarness) -> None:
    english, head = auto.user(ENGLISH_ID), auto.user(HEAD32_ID)
    refused = await over_cap(auto)
    sent, _ = await auto.press(english, refused, refused.data_of("请班主任批准例外"))
    request = to(sent, HEAD32_ID)
    await auto.press(head, request, request.data_of("退回"))
    assert "已取消" in only(await auto.send(head, "/cancel")).plain
    sent, _ = await auto.press(head, request, request.data_of("同意例外"))
    assert "同意了例外" in to(sent, ENGLISH_ID).plain


async def test_head_teacher_mode_one_decision_and_only_the_head_teacher(
    by_head: BotHarness, engine: AsyncEngine
) -> None:
    maths, head = by_head.user(MATHS_ID), by_head.user(HEAD32_ID)
    sent = await by_head.send(maths, "/hw 三(2) 数学 20 练习册")
    assert "等待班主任审核" in to(sent, MATHS_ID).plain
    request = to(sent, HEAD32_ID)
    assert "作业待审核" in request.plain and "王老师：数学 · 书面 20 分钟：练习册" in request.plain
    approve = request.data_of("通过")
    # Another head teacher (in their own chat, same data) may not decide for 三(2).
    other = by_head.user(HEAD31_ID)
    _, answer = await by_head.press(other, Sent(1, other.id, "x"), approve)
    assert answer["text"] == "这条作业不由你审核。"
    sent, _ = await by_head.press(head, request, approve)
    assert "赵老师 通过了你的作业" in to(sent, MATHS_ID).plain
    _, answer = await by_head.press(head, request, approve)
    assert answer["text"] == "这条作业已经处理过了（已发布）。"
    # The head teacher's own posting for their class needs nobody.
    own = only(await by_head.send(head, "/hw 三(2) 语文 10 抄写"))
    assert "作业已发布" in own.plain
    found = await actions(engine)
    assert found.count("homework_approved") == 1 and "denied" in found


async def test_head_teacher_mode_a_return_asks_for_a_reason(
    by_head: BotHarness, engine: AsyncEngine
) -> None:
    maths, head = by_head.user(MATHS_ID), by_head.user(HEAD32_ID)
    request = to(await by_head.send(maths, "/hw 三(2) 数学 20 练习册"), HEAD32_ID)
    await by_head.press(head, request, request.data_of("退回"))
    confirm = only(await by_head.send(head, "和语文重复了"))
    told = to((await by_head.press(head, confirm, confirm.data_of("确认退回")))[0], MATHS_ID)
    assert "理由：和语文重复了" in told.plain
    # A returned posting holds no minutes: 45 fit again.
    assert "作业已发布" in only(await by_head.send(head, "/hw 三(2) 语文 45 作文")).plain
    async with session_factory(engine)() as session:
        [row] = await audit.entries(session=session, action="homework_returned")
    head_staff = await staff_named(engine, "赵老师")
    assert row.actor_staff_id == head_staff.id and row.subject_type == "homework"
    detail = json.loads(row.detail)
    assert detail["reason"] == "和语文重复了" and detail["status"] == "returned"
    assert detail["klass"] == "三(2)班" and detail["subject"] == "数学"


async def staff_named(engine: AsyncEngine, name: str) -> Staff:
    async with session_factory(engine)() as session:
        return (await session.exec(select(Staff).where(Staff.name == name))).one()


async def test_a_typed_reason_is_shown_back_and_nothing_is_returned_before_the_confirmation(
    by_head: BotHarness,
) -> None:
    maths, head = by_head.user(MATHS_ID), by_head.user(HEAD32_ID)
    request = to(await by_head.send(maths, "/hw 三(2) 数学 20 练习册"), HEAD32_ID)
    await by_head.press(head, request, request.data_of("退回"))
    first = only(await by_head.send(head, "好的"))  # e.g. typed for someone else
    assert "理由：\n好的" in first.plain and "确认退回吗" in first.plain
    assert [label for label, _ in first.buttons] == ["确认退回", "取消"]
    assert "⏳待审核" in only(await by_head.send(head, "/hw class")).plain
    # Typed again: the new reason replaces the old one, whose button no longer counts.
    await by_head.press(head, request, request.data_of("退回"))
    second = only(await by_head.send(head, "和语文重复了"))
    _, answer = await by_head.press(head, first, first.data_of("确认退回"))
    assert answer["text"] == "这个按钮已失效。"
    await by_head.press(head, second, second.data_of("取消"))
    assert "没有退回" in by_head.request.find(HEAD32_ID, second.message_id).plain
    assert by_head.in_chat(MATHS_ID)[-1].plain.startswith("📨 已提交")  # told nothing
    sent, _ = await by_head.press(head, request, request.data_of("通过"))
    assert "赵老师 通过了你的作业" in to(sent, MATHS_ID).plain


async def test_a_head_teachers_own_posting_over_the_cap_names_who_decides_the_exception(
    auto: BotHarness,
) -> None:
    head = auto.user(HEAD32_ID)
    await auto.send(head, "/hw 三(2) 语文 40 作文")
    refused = only(await auto.send(head, "/hw 三(2) 语文 10 抄写"))
    assert "或请教导处和校长（孙主任、周校长）批准例外" in refused.plain
    assert "班主任" not in refused.plain
    assert [label for label, _ in refused.buttons] == [
        "改为 5 分钟发布",
        "请教导处和校长批准例外",
        "取消",
    ]
    sent, _ = await auto.press(head, refused, refused.data_of("请教导处和校长批准例外"))
    assert "已请教导处和校长（孙主任、周校长）批准三(2)班的例外" in to(sent, HEAD32_ID).plain
    assert "例外申请" in to(sent, OFFICE_ID).plain and "例外申请" in to(sent, ADMIN_ID).plain


async def test_office_mode_the_office_approves_and_a_stale_request_is_refused(
    by_office: BotHarness,
) -> None:
    maths, office = by_office.user(MATHS_ID), by_office.user(OFFICE_ID)
    sent = await by_office.send(maths, "/hw 三(2) 数学 20 练习册")
    assert "等待教导处和校长审核" in to(sent, MATHS_ID).plain
    first = to(sent, OFFICE_ID)
    posted = to(sent, MATHS_ID)
    # The teacher changes the posting: the office gets a new request; the old one is stale.
    await by_office.press(maths, posted, posted.data_of("修改"))
    sent = await by_office.send(maths, "25 练习册第12–13页")
    second = to(sent, OFFICE_ID)
    assert "重新等待审核" in to(sent, MATHS_ID).plain
    _, answer = await by_office.press(office, first, first.data_of("通过"))
    assert answer["text"] == "这条作业已经处理过了（待审核）。"
    sent, _ = await by_office.press(office, second, second.data_of("通过"))
    assert "孙主任 通过了你的作业" in to(sent, MATHS_ID).plain
    assert "25 分钟" in to(sent, MATHS_ID).plain


async def test_office_mode_an_exception_goes_on_to_the_office(by_office: BotHarness) -> None:
    english, head, office = (by_office.user(i) for i in (ENGLISH_ID, HEAD32_ID, OFFICE_ID))
    await by_office.send(head, "/hw 三(2) 语文 40 作文")  # waits for the office, holds 40
    refused = only(await by_office.send(english, "/hw 三(2) 英语 15 抄写单词"))
    sent, _ = await by_office.press(english, refused, refused.data_of("请班主任批准例外"))
    request = to(sent, HEAD32_ID)
    sent, _ = await by_office.press(head, request, request.data_of("同意例外"))
    assert "还需要教导处审核" in to(sent, ENGLISH_ID).plain
    approval = next(s for s in sent if s.chat_id == OFFICE_ID and "英语" in s.plain)
    sent, _ = await by_office.press(office, approval, approval.data_of("通过"))
    assert "作业已发布" in to(sent, ENGLISH_ID).plain


async def test_without_a_linked_head_teacher_the_office_decides(
    auto: BotHarness, engine: AsyncEngine
) -> None:
    async with session_factory(engine)() as session, session.begin():
        await session.exec(update(Staff).where(Staff.name == "赵老师").values(telegram_id=None))
    refused = await over_cap_without_head(auto)
    sent, _ = await auto.press(auto.user(ENGLISH_ID), refused, refused.data_of("例外"))
    # The academic office and the principal (who co-signs homework, seed 003) decide.
    assert "教导处和校长（孙主任、周校长）" in to(sent, ENGLISH_ID).plain
    assert "例外申请" in to(sent, OFFICE_ID).plain
    assert "例外申请" in to(sent, ADMIN_ID).plain


async def over_cap_without_head(bot: BotHarness) -> Sent:
    await bot.send(bot.user(OFFICE_ID), "/hw 三(2) 语文 40 作文")
    return only(await bot.send(bot.user(ENGLISH_ID), "/hw 三(2) 英语 15 抄写单词"))


async def test_a_change_of_mode_leaves_waiting_decisions_with_who_was_asked(
    by_head: BotHarness,
) -> None:
    maths, head = by_head.user(MATHS_ID), by_head.user(HEAD32_ID)
    request = to(await by_head.send(maths, "/hw 三(2) 数学 20 练习册"), HEAD32_ID)
    changed = only(
        await by_head.send(by_head.user(ADMIN_ID), "/settings homework.publication office")
    )
    assert "班主任审核 → 教导处审核" in changed.plain
    sent, _ = await by_head.press(head, request, request.data_of("通过"))
    assert "赵老师 通过了你的作业" in to(sent, MATHS_ID).plain
