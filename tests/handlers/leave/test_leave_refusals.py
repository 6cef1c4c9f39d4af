"""What a leave request is refused for, and how it reads: in private, in the group, in English;
forged wizard buttons; periods beyond the school's day; grade groups in words."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from bot.texts import MESSAGE_LIMIT, visible_length
from storage import audit
from storage.db import session_factory
from storage.models import LeaveRequest
from tests.harness import BotHarness
from tests.schools.leave import GROUP, TEACHER, seed


async def stored(engine: AsyncEngine) -> list[LeaveRequest]:
    async with session_factory(engine)() as s:
        return list((await s.exec(select(LeaveRequest))).all())


async def test_a_second_day_or_an_unknown_part_is_refused_not_misread(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)

    two_days = (await harness.send(teacher, "/leave 病假 周四 周五 发烧"))[-1].plain
    noon = (await harness.send(teacher, "/leave 病假 明天 中午 发烧"))[-1].plain

    assert "“周五”也是一个日期" in two_days and "周四~周五" in two_days
    assert "例如：/leave 病假 明天 上午 发烧" in two_days
    assert "没看懂时段“中午”" in noon and "全天、上午、下午" in noon
    assert await stored(engine) == []


async def test_periods_beyond_the_school_day_are_refused_with_the_last_period(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)

    beyond = (await harness.send(teacher, "/leave 病假 明天 第9节 发烧"))[-1].plain
    assert "学校每天只有 7 节课，没有“第9节”" in beyond
    await harness.send(teacher, "/leave 病假 明天 第6-8节 发烧", chat_id=GROUP)
    assert harness.in_chat(GROUP) == []
    assert "没有“第6-8节”" in harness.last(TEACHER).plain
    assert "第7节" in (await harness.send(teacher, "/leave 病假 明天 第7节 发烧"))[-1].plain
    assert [leave.part for leave in await stored(engine)] == ["p7-7"]
    # In the wizard a period typed beyond the day is asked again, not the end of the form.
    start = (await harness.send(teacher, "/leave"))[-1]
    first = (await harness.press(teacher, start, start.data_of("事假")))[0][-1]
    last = (await harness.press(teacher, first, first.data_of("11月27日 周五")))[0][-1]
    await harness.press(teacher, last, last.data_of("11月27日 周五"))
    assert "没有“第8节”" in (await harness.send(teacher, "第8节"))[-1].plain
    assert "约好代课" in (await harness.send(teacher, "第4节"))[-1].plain


async def test_a_request_refused_from_the_group_is_explained_in_private_only(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    await harness.send(teacher, "/leave 病假 明天 上午 发烧", chat_id=GROUP)
    await harness.send(teacher, "/leave 病假 明天 全天 咳嗽", chat_id=GROUP)
    await harness.send(teacher, "/leave 事假 11-20 家事", chat_id=GROUP)
    await harness.send(teacher, "/leave 事假 后儿 家事", chat_id=GROUP)

    # Each line was deleted from the group; the group was told nothing of any of them.
    assert len(harness.request.deleted) == 4
    assert harness.in_chat(GROUP) == []
    private = [m.plain for m in harness.in_chat(TEACHER)]
    assert any("你在 11月26日 周四 上午 已有请假" in text for text in private)
    assert any("11月20日 周五 已经过去了" in text for text in private)
    assert any("没看懂日期“后儿”" in text for text in private)


async def test_english_refusals_use_english_examples_and_day_labels(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    chinese = (await harness.send(harness.user(TEACHER), "/leave 病假 11-27~11-26 发烧"))[-1]
    assert "结束日期 11月26日 周四 早于开始日期 11月27日 周五" in chinese.plain
    teacher = harness.user(TEACHER, language_code="en")
    await harness.send(teacher, "/lang en")

    async def ask(text: str) -> str:
        return (await harness.send(teacher, text))[-1].plain

    assert "Example: /leave sick tomorrow am fever" in await ask("/leave sick tmrw am fever")
    assert "Fri 20 Nov is in the past" in await ask("/leave sick 11-20 fever")
    backwards = await ask("/leave sick 11-27~11-26 fever")
    assert "The last day Thu 26 Nov is before the first day Fri 27 Nov" in backwards
    assert "2026-" not in backwards
    await harness.send(teacher, "/leave")
    await harness.send(teacher, "sick")
    assert "Example: tomorrow, thu, 11-27" in await ask("someday")
    assert len(await stored(engine)) == 0


async def test_forged_leave_wizard_buttons_are_refused_and_audited(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    start = (await harness.send(teacher, "/leave"))[-1]
    _, kind = await harness.press(teacher, start, "v1:lvw:k:9")
    first = (await harness.press(teacher, start, start.data_of("事假")))[0][-1]
    _, day = await harness.press(teacher, first, "v1:lvw:d:99999999")
    _, no_day = await harness.press(teacher, first, "v1:lvw:d")
    last = (await harness.press(teacher, first, first.data_of("11月26日 周四")))[0][-1]
    _, end = await harness.press(teacher, last, "v1:lvw:e:20261340")
    part = (await harness.press(teacher, last, last.data_of("11月26日 周四")))[0][-1]
    _, which = await harness.press(teacher, part, "v1:lvw:p:7")

    answers = [kind, day, no_day, end, which]
    assert [a["text"] for a in answers] == ["这个按钮已失效。"] * 5
    async with session_factory(engine)() as s:
        refused = await audit.entries(session=s, action="button_refused")
    assert len(refused) == 5
    # The wizard is still at its step and goes on.
    substitute = (await harness.press(teacher, part, part.data_of("上午")))[0][-1]
    assert "已经和同事约好代课了吗" in substitute.plain


async def test_grade_groups_read_as_the_school_says_them(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    me = (await harness.send(harness.user(TEACHER), "/me"))[-1].plain
    assert "年级组：三年级" in me
    sent = (await harness.send(harness.user(TEACHER), "/leave 病假 明天 上午 发烧"))[-1].plain
    assert "（三年级）" in sent and "3年级" not in sent
    english = harness.user(TEACHER, language_code="en")
    await harness.send(english, "/lang en")
    assert "Grade group: grade 3" in (await harness.send(english, "/me"))[-1].plain
    pending = (await harness.send(english, "/myleave"))[-1].plain
    assert "(grade 3)" in pending


async def test_a_pasted_essay_is_quoted_short_so_the_refusal_is_delivered(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    essay = "因为" * 2500

    replies = await harness.send(harness.user(TEACHER), f"/leave 病假 {essay}")

    assert len(replies) == 1 and visible_length(replies[0].text) <= MESSAGE_LIMIT
    assert "没看懂日期“因为因为" in replies[0].plain and "…”" in replies[0].plain
    assert "明天" in replies[0].plain  # what to write instead is still there
    assert await stored(engine) == []


async def test_a_date_years_away_is_out_of_range_in_the_line_and_in_the_wizard(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER, language_code="en")
    await harness.send(teacher, "/lang en")

    line = await harness.send(teacher, "/leave 病假 9999-12-31 发烧")
    await harness.send(teacher, "/leave")
    await harness.press(teacher, harness.last(TEACHER), harness.last(TEACHER).data_of("sick"))
    typed = await harness.send(teacher, "9999-12-30")

    for answer in (line, typed):
        assert len(answer) == 1 and answer[0].chat_id == TEACHER
        assert '"9999-12-3' in answer[0].plain and "too far from today" in answer[0].plain
        assert "between 2024-11-23 and 2028-11-26" in answer[0].plain
    assert await stored(engine) == []
