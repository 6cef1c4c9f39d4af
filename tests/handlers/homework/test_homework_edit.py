"""修改: a change of a published posting waits beside it where an approver decides; a posting
allowed over the cap can still be corrected; a refused change always says why."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from bot.texts import visible_length
from jobs import homework as homework_jobs
from jobs import scheduler
from tests.conftest import SHANGHAI
from tests.harness import BotHarness, Sent
from tests.schools.homework import (
    ENGLISH_ID,
    GROUP,
    HEAD32_ID,
    MATHS_ID,
    OFFICE_ID,
    seed_school,
)

BOARD = datetime(2026, 11, 25, 16, 31, tzinfo=SHANGHAI)


@pytest.fixture
async def harness(engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[BotHarness]:
    async with BotHarness(Settings(), engine, clock) as running:
        # Only the homework pushes, so the group holds nothing else.
        running.services.push_kinds = homework_jobs.push_kinds()
        yield running


def only(sent: list[Sent]) -> Sent:
    assert len(sent) == 1, [s.plain for s in sent]
    return sent[0]


def to(sent: list[Sent], chat_id: int) -> Sent:
    return only([s for s in sent if s.chat_id == chat_id])


async def board(bot: BotHarness) -> None:
    """The day's board goes out (16:30)."""
    start = bot.clock.now()
    bot.clock.set(BOARD)
    await scheduler.fire_due(bot.app, start, BOARD)


async def published_by_head(bot: BotHarness) -> Sent:
    """王老师's 数学 for 三(2), approved by its head teacher; returns the teacher's message."""
    sent = await bot.send(bot.user(MATHS_ID), "/hw 三(2) 数学 20 练习册第12页")
    request = to(sent, HEAD32_ID)
    sent, _ = await bot.press(bot.user(HEAD32_ID), request, request.data_of("通过"))
    return to(sent, MATHS_ID)


async def test_a_returned_change_leaves_what_the_group_saw(
    engine: AsyncEngine, clock: ManualClock, harness: BotHarness
) -> None:
    await seed_school(engine, clock.now(), {"homework.publication": "head_teacher"})
    maths, head = harness.user(MATHS_ID), harness.user(HEAD32_ID)
    approved = await published_by_head(harness)
    await board(harness)
    seen = len(harness.in_chat(GROUP))
    await harness.press(maths, approved, approved.data_of("修改"))
    sent = await harness.send(maths, "30 练习册第12–14页")
    waiting = to(sent, MATHS_ID)
    assert "等待班主任（赵老师）审核" in waiting.plain
    assert "已发布的作业保持不变：数学 · 书面 20 分钟：练习册第12页" in waiting.plain
    assert [label for label, _ in waiting.buttons] == ["修改", "撤回修改"]
    request = to(sent, HEAD32_ID)
    assert "作业修改待审核" in request.plain
    assert "想把已发布的：数学 · 书面 20 分钟：练习册第12页" in request.plain
    assert "改为：数学 · 书面 30 分钟：练习册第12–14页" in request.plain
    # Meanwhile the published version stands, and the class holds the larger of the two.
    today = only(await harness.send(head, "/hw class"))
    assert "• 数学 · 书面 20 分钟：练习册第12页\n" in today.plain
    assert "数学 · 书面 30 分钟：练习册第12–14页 ⏳修改待审核" in today.plain
    assert "书面合计 30/45 分钟" in today.plain
    refused = only(await harness.send(harness.user(ENGLISH_ID), "/hw 三(2) 英语 20 单词"))
    assert "还可布置 15 分钟" in refused.plain
    await harness.press(head, request, request.data_of("退回"))
    confirm = only(await harness.send(head, "今天数学不要超过20分钟"))
    sent, _ = await harness.press(head, confirm, confirm.data_of("确认退回"))
    told = to(sent, MATHS_ID)
    assert "赵老师 退回了你的修改" in told.plain and "理由：今天数学不要超过20分钟" in told.plain
    assert "已发布的作业保持不变：数学 · 书面 20 分钟：练习册第12页" in told.plain
    assert len(harness.in_chat(GROUP)) == seen  # the group saw nothing change
    today = only(await harness.send(head, "/hw today 三(2)"))
    assert "数学 · 书面 20 分钟：练习册第12页" in today.plain and "30 分钟" not in today.plain
    # Edited again and approved: the group gets one correction with the new version.
    await harness.press(maths, told, told.data_of("修改"))
    request = to(await harness.send(maths, "25 练习册第12–13页"), HEAD32_ID)
    sent, _ = await harness.press(head, request, request.data_of("通过"))
    assert "赵老师 通过了你的修改" in to(sent, MATHS_ID).plain
    correction = to(sent, GROUP)
    assert correction.plain.startswith("✏️ 作业更正 · 三(2)班")
    assert "数学 · 书面 25 分钟：练习册第12–13页" in correction.plain
    assert "书面合计 25/45 分钟" in correction.plain


async def test_before_the_board_an_approved_change_replaces_the_published_version(
    engine: AsyncEngine, clock: ManualClock, harness: BotHarness
) -> None:
    await seed_school(engine, clock.now(), {"homework.publication": "office"})
    maths, office = harness.user(MATHS_ID), harness.user(OFFICE_ID)
    sent = await harness.send(maths, "/hw 三(2) 数学 20 练习册")
    first = next(s for s in sent if s.chat_id == OFFICE_ID)
    sent, _ = await harness.press(office, first, first.data_of("通过"))
    published = to(sent, MATHS_ID)
    await harness.press(maths, published, published.data_of("修改"))
    request = next(s for s in await harness.send(maths, "10 口头 背诵") if s.chat_id == OFFICE_ID)
    await harness.press(office, request, request.data_of("通过"))
    await board(harness)
    grade3 = next(s for s in harness.in_chat(GROUP) if "三年级" in s.plain)
    assert "数学 · 口头 10 分钟：背诵" in grade3.plain and "练习册" not in grade3.plain
    assert "另有" not in grade3.plain


async def test_withdrawing_the_posting_drops_its_waiting_change(
    engine: AsyncEngine, clock: ManualClock, harness: BotHarness
) -> None:
    await seed_school(engine, clock.now(), {"homework.publication": "head_teacher"})
    maths, head = harness.user(MATHS_ID), harness.user(HEAD32_ID)
    approved = await published_by_head(harness)
    await board(harness)
    await harness.press(maths, approved, approved.data_of("修改"))
    request = to(await harness.send(maths, "30 练习册第12–14页"), HEAD32_ID)
    await harness.press(maths, approved, approved.data_of("撤回"))
    assert "数学作业“练习册第12页”已撤回" in harness.in_chat(GROUP)[-1].plain
    _, answer = await harness.press(head, request, request.data_of("通过"))
    assert answer["text"] == "这条作业已经处理过了（已取消）。"
    assert "还没有布置作业" in only(await harness.send(head, "/hw class")).plain


async def test_withdrawing_a_waiting_change_keeps_the_published_posting(
    engine: AsyncEngine, clock: ManualClock, harness: BotHarness
) -> None:
    await seed_school(engine, clock.now(), {"homework.publication": "head_teacher"})
    maths, head = harness.user(MATHS_ID), harness.user(HEAD32_ID)
    approved = await published_by_head(harness)
    await harness.press(maths, approved, approved.data_of("修改"))
    waiting = to(await harness.send(maths, "30 练习册第12–14页"), MATHS_ID)
    await harness.press(maths, waiting, waiting.data_of("撤回修改"))
    assert "已撤回这次修改" in harness.request.find(MATHS_ID, waiting.message_id).plain
    today = only(await harness.send(head, "/hw class"))
    assert "数学 · 书面 20 分钟：练习册第12页" in today.plain
    assert "书面合计 20/45 分钟" in today.plain and "⏳" not in today.plain


async def exception_posting(bot: BotHarness) -> Sent:
    """三(2) holds 40; 李老师's 英语 15 is allowed over the cap by the head teacher."""
    english, head = bot.user(ENGLISH_ID), bot.user(HEAD32_ID)
    await bot.send(head, "/hw 三(2) 语文 40 作文")
    refused = only(await bot.send(english, "/hw 三(2) 英语 15 抄写单词"))
    sent, _ = await bot.press(english, refused, refused.data_of("例外"))
    request = to(sent, HEAD32_ID)
    sent, _ = await bot.press(head, request, request.data_of("同意例外"))
    return to(sent, ENGLISH_ID)


async def test_a_posting_allowed_over_the_cap_can_be_corrected_without_more_minutes(
    engine: AsyncEngine, clock: ManualClock, harness: BotHarness
) -> None:
    await seed_school(engine, clock.now())
    english = harness.user(ENGLISH_ID)
    allowed = await exception_posting(harness)
    await harness.press(english, allowed, allowed.data_of("修改"))
    more = only(await harness.send(english, "20 抄写单词"))
    assert "会超过每天书面作业上限 45 分钟" in more.plain
    fixed = only(await harness.send(english, "15 抄写单词（每个三遍）"))
    assert "已修改" in fixed.plain and "英语 · 书面 15 分钟：抄写单词（每个三遍）" in fixed.plain
    assert "超出上限 10 分钟" in fixed.plain
    # Still an exception: corrected again, with fewer minutes.
    await harness.press(english, fixed, fixed.data_of("修改"))
    assert "已修改" in only(await harness.send(english, "12 抄写单词（每个两遍）")).plain


async def test_a_refused_change_with_a_long_text_still_says_why(
    engine: AsyncEngine, clock: ManualClock, harness: BotHarness
) -> None:
    await seed_school(engine, clock.now())
    maths = harness.user(MATHS_ID)
    posted = only(await harness.send(maths, "/hw 三(2) 数学 20 练习册"))
    await harness.press(maths, posted, posted.data_of("修改"))
    text = "20 " + "很" * 4050
    sent = await harness.send(maths, text)
    assert "作业内容太长（4050 字，最多 1000 字）" in sent[0].plain
    assert all(visible_length(s.text) <= 4096 for s in sent)
    assert "".join(s.plain for s in sent[1:]).count("很") == 4050
