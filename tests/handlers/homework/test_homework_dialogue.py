"""An unfinished /hw (the wizard, or a return's reason prompt) never takes text typed for a
/leave started after it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from storage.db import session_factory
from storage.policies import set_policy
from tests.harness import BotHarness, Sent
from tests.schools.leave import TEACHER, XU, seed


def only(sent: list[Sent]) -> Sent:
    assert len(sent) == 1, [s.plain for s in sent]
    return sent[0]


async def pick(bot: BotHarness, message: Sent, label: str) -> Sent:
    sent, answer = await bot.press(bot.user(TEACHER), message, message.data_of(label))
    assert not answer.get("show_alert"), answer
    return sent[-1]


async def leave_until_the_first_day(bot: BotHarness) -> list[Sent]:
    """/leave, 事假, then the first day typed as 明天; returns what the bot answered to it."""
    start = only(await bot.send(bot.user(TEACHER), "/leave"))
    await pick(bot, start, "事假")
    return await bot.send(bot.user(TEACHER), "明天")


async def test_a_wizard_left_at_the_content_step_does_not_take_the_leave_date(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    step = only(await harness.send(harness.user(TEACHER), "/hw"))
    for label in ("三(2)班", "语文", "口头", "不分层", "10 分钟"):
        step = await pick(harness, step, label)
    assert "请发送作业内容" in step.plain
    answer = await leave_until_the_first_day(harness)
    assert "到哪天" in only(answer).plain
    assert "还没有布置作业" in only(await harness.send(harness.user(TEACHER), "/hw mine")).plain


async def test_an_unanswered_return_reason_does_not_take_the_leave_date(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    async with session_factory(engine)() as session, session.begin():
        await set_policy(
            session=session,
            school_id=school.school.id or 0,
            key="homework.publication",
            raw_value="head_teacher",
            by=None,
            now=clock.now(),
        )
    head, maths = harness.user(TEACHER), harness.user(XU)
    sent = await harness.send(maths, "/hw 三(2) 数学 20 练习册")
    request = only([s for s in sent if s.chat_id == TEACHER])
    asked = await pick(harness, request, "退回")
    assert "退回三(2)班数学作业的理由" in asked.plain
    answer = await leave_until_the_first_day(harness)
    assert "到哪天" in only(answer).plain
    assert harness.in_chat(XU)[-1].plain.startswith("📨 已提交")  # nothing returned
    assert "⏳待审核" in only(await harness.send(head, "/hw class")).plain
    # The request still works: returned once the reason is typed and confirmed.
    await pick(harness, request, "退回")
    confirm = only(await harness.send(head, "和语文重复了"))
    sent, _ = await harness.press(head, confirm, confirm.data_of("确认退回"))
    assert "理由：和语文重复了" in only([s for s in sent if s.chat_id == XU]).plain
