"""The /hw button wizard: every step, typed answers, /cancel, stale buttons, the cap at the end."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from storage.db import session_factory
from storage.homework import day_posts
from tests.harness import BotHarness, Sent
from tests.schools.homework import HEAD11_ID, HEAD32_ID, MATHS_ID, seed_school


@pytest.fixture
async def bot(engine: AsyncEngine, clock: ManualClock, harness: BotHarness) -> BotHarness:
    await seed_school(engine, clock.now())
    return harness


def only(sent: list[Sent]) -> Sent:
    assert len(sent) == 1, [s.plain for s in sent]
    return sent[0]


async def pick(bot: BotHarness, user_id: int, message: Sent, label: str) -> Sent:
    sent, answer = await bot.press(bot.user(user_id), message, message.data_of(label))
    assert not answer.get("show_alert"), answer
    return only(sent)


async def stored(engine: AsyncEngine) -> int:
    async with session_factory(engine)() as session:
        rows = await day_posts(
            session=session,
            class_ids=range(1, 10),
            start=date(2026, 1, 1),
            end=date(2027, 1, 1),
            statuses=("published", "pending", "draft", "over_cap", "exception"),
        )
    return len(rows)


async def test_the_wizard_posts_step_by_step(bot: BotHarness, engine: AsyncEngine) -> None:
    start = only(await bot.send(bot.user(MATHS_ID), "/hw"))
    assert [label for label, _ in start.buttons] == ["一(1)班", "三(1)班", "三(2)班", "取消"]
    subject = await pick(bot, MATHS_ID, start, "三(2)班")
    assert [label for label, _ in subject.buttons] == ["数学", "取消"]
    kind = await pick(bot, MATHS_ID, subject, "数学")
    assert [label for label, _ in kind.buttons] == ["书面", "口头", "实践", "取消"]
    layer = await pick(bot, MATHS_ID, kind, "书面")
    minutes = await pick(bot, MATHS_ID, layer, "拓展")
    assert "三(2)班今天：书面合计 0/45 分钟，还可布置 45 分钟" in minutes.plain
    content = await pick(bot, MATHS_ID, minutes, "20 分钟")
    assert "最多 1000 字" in content.plain
    assert await stored(engine) == 0  # nothing is written before the confirmation
    confirm = only(await bot.send(bot.user(MATHS_ID), "练习册第12页 <选做>"))
    assert "三(2)班 · 数学 · 书面 20 分钟 · 拓展：练习册第12页 <选做>" in confirm.plain
    assert "&lt;选做&gt;" in confirm.text
    sent, _ = await bot.press(bot.user(MATHS_ID), confirm, confirm.data_of("确认发布"))
    assert "作业已发布" in only(sent).plain
    assert await stored(engine) == 1


async def test_typed_minutes_are_checked_and_text_at_a_button_step_is_answered(
    bot: BotHarness,
) -> None:
    teacher = bot.user(MATHS_ID)
    start = only(await bot.send(teacher, "/hw"))
    assert "请点上面的按钮" in only(await bot.send(teacher, "三(2)")).plain
    subject = await pick(bot, MATHS_ID, start, "三(2)班")
    kind = await pick(bot, MATHS_ID, subject, "数学")
    layer = await pick(bot, MATHS_ID, kind, "口头")
    await pick(bot, MATHS_ID, layer, "不分层")
    assert "1–240" in only(await bot.send(teacher, "三百")).plain
    assert "1–240" in only(await bot.send(teacher, "0")).plain
    assert "作业内容" in only(await bot.send(teacher, "25")).plain
    confirm = only(await bot.send(teacher, "读课文"))
    assert "数学 · 口头 25 分钟：读课文" in confirm.plain


async def test_a_grade_without_written_homework_offers_no_written_kind(bot: BotHarness) -> None:
    start = only(await bot.send(bot.user(HEAD11_ID), "/hw"))
    subject = await pick(bot, HEAD11_ID, start, "一(1)班")
    kind = await pick(bot, HEAD11_ID, subject, "语文")
    assert "不布置书面作业" in kind.plain
    assert [label for label, _ in kind.buttons] == ["口头", "实践", "取消"]


async def test_cancel_at_any_step_and_old_buttons_then_do_nothing(
    bot: BotHarness, engine: AsyncEngine
) -> None:
    teacher = bot.user(MATHS_ID)
    start = only(await bot.send(teacher, "/hw"))
    subject = await pick(bot, MATHS_ID, start, "三(2)班")
    assert "已取消" in only(await bot.send(teacher, "/cancel")).plain
    _, answer = await bot.press(teacher, subject, subject.data_of("数学"))
    assert answer["text"] == "这个按钮已失效。"
    again = only(await bot.send(teacher, "/hw"))
    await bot.press(teacher, again, again.data_of("取消"))
    assert bot.request.find(teacher.id, again.message_id).plain == "已取消。"
    assert "当前没有进行中的操作" in only(await bot.send(teacher, "/cancel")).plain
    assert await stored(engine) == 0


async def test_over_the_cap_at_the_end_keeps_the_posting_as_a_line(bot: BotHarness) -> None:
    await bot.send(bot.user(HEAD32_ID), "/hw 三(2) 语文 40 作文")
    teacher = bot.user(MATHS_ID)
    start = only(await bot.send(teacher, "/hw"))
    step = await pick(bot, MATHS_ID, start, "三(2)班")
    step = await pick(bot, MATHS_ID, step, "数学")
    step = await pick(bot, MATHS_ID, step, "书面")
    step = await pick(bot, MATHS_ID, step, "基础")
    step = await pick(bot, MATHS_ID, step, "20 分钟")
    confirm = only(await bot.send(teacher, "练习册"))
    sent, _ = await bot.press(teacher, confirm, confirm.data_of("确认发布"))
    refused = only(sent)
    assert "还可布置 5 分钟" in refused.plain
    assert "<code>/hw 三(2)班 数学 20 基础 练习册</code>" in refused.text
    assert "改为 5 分钟发布" in [label for label, _ in refused.buttons]


async def test_a_one_line_hw_during_the_wizard_ends_it(bot: BotHarness) -> None:
    teacher = bot.user(MATHS_ID)
    await bot.send(teacher, "/hw")
    posted = only(await bot.send(teacher, "/hw 三(2) 数学 10 口算"))
    assert "作业已发布" in posted.plain
    assert "当前没有进行中的操作" in only(await bot.send(teacher, "/cancel")).plain
