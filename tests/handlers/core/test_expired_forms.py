"""After a restart forgot a form, what the person types still gets an answer: the rejection
reason replied to its question is taken, and a wizard's words are told to start again."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from bot.config import Settings
from bot.texts import t
from handlers.core.expired import FORMS, form_of
from storage.db import session_factory
from storage.models import LeaveRequest
from tests.handlers.conftest import SYSADMIN_ID
from tests.harness import BotHarness, Sent
from tests.schools.homework import MATHS_ID, seed_school
from tests.schools.leave import LEADER, TEACHER, seed


@pytest.fixture
async def restarted(engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[BotHarness]:
    """The bot started again on the same database: nothing held in memory survives."""
    settings = Settings(bootstrap_admin_ids=frozenset({SYSADMIN_ID}))
    async with BotHarness(settings, engine, clock) as bot:
        yield bot


async def test_a_rejection_reason_replied_after_a_restart_rejects_the_request(
    harness: BotHarness, restarted: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 上午 发烧")
    request = harness.last(LEADER)
    asked, _ = await harness.press(harness.user(LEADER), request, request.data_of("驳回"))
    prompt = asked[-1]
    assert "请回复这条消息" in prompt.plain and (prompt.markup or {}).get("force_reply")

    answers = await restarted.reply_to(restarted.user(LEADER), prompt, "期中考试那天不能请假")

    assert "你已驳回 周雅琴 的请假" in next(m.plain for m in answers if m.chat_id == LEADER)
    told = restarted.last(TEACHER).plain
    assert "驳回" in told and "期中考试那天不能请假" in told
    async with session_factory(engine)() as s:
        assert (await s.exec(select(LeaveRequest))).one().status == "rejected"


async def test_a_wizard_answer_after_a_restart_is_told_to_start_again(
    harness: BotHarness, restarted: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    await harness.send(teacher, "/leave")
    await harness.press(teacher, harness.last(TEACHER), harness.last(TEACHER).data_of("病假"))
    question = harness.last(TEACHER)  # from which day?

    replied = await restarted.reply_to(restarted.user(TEACHER), question, "明天")
    typed = await restarted.send(restarted.user(TEACHER), "明天")

    assert [m.chat_id for m in replied] == [TEACHER]
    assert "这个表单已过期" in replied[0].plain and "/leave 病假 明天 上午 发烧" in replied[0].plain
    assert [m.chat_id for m in typed] == [TEACHER]
    assert "没有在等你输入" in typed[0].plain and "/help" in typed[0].plain
    async with session_factory(engine)() as s:
        assert (await s.exec(select(LeaveRequest))).all() == []


async def test_a_homework_answer_after_a_restart_names_the_homework_form(
    harness: BotHarness, restarted: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_school(engine, clock.now())
    await harness.send(harness.user(MATHS_ID), "/hw")
    question = harness.last(MATHS_ID)  # for which class?

    replied = await restarted.reply_to(restarted.user(MATHS_ID), question, "三(2)")

    assert "这个表单已过期" in replied[-1].plain and "/hw" in replied[-1].plain


def test_every_question_of_every_form_is_recognised_in_both_languages() -> None:
    for form in FORMS:
        for key in form.prompts:
            for lang in ("zh", "en"):
                values = {"klass": "三(2)班", "name": "许志强", "limit": 1000, "total": "0"}
                shown = Sent(1, 1, t(lang, key, **_sample(key, values))).plain
                assert form_of(shown) == form, (key, lang)
    assert form_of("随便说点什么") is None


def _sample(key: str, base: dict[str, object]) -> dict[str, object]:
    from bot.texts import catalogue, placeholders

    names = placeholders(catalogue()[key]["zh"])
    return {name: base.get(name, f"<{name}>") for name in names}


async def test_a_command_typed_with_the_full_width_slash_is_shown_as_it_should_be_sent(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)

    answer = (await harness.send(teacher, "／leave 病假 明天 上午 发烧"))[-1]
    await harness.send(teacher, "/lang en")
    english = (await harness.send(teacher, "／hw 三(2) 数学 20 练习册"))[-1]

    assert "半角斜杠" in answer.plain and answer.plain.endswith("/leave 病假 明天 上午 发烧")
    assert "表单" not in answer.plain
    assert english.plain.endswith("Please send: /hw 三(2) 数学 20 练习册")
    async with session_factory(engine)() as s:
        assert (await s.exec(select(LeaveRequest))).all() == []
