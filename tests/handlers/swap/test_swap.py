"""Swapping lessons: clash checks, the colleague's answer, the arranger's approval, the effect."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from storage.models import CoverNeed, LessonSwap
from tests.harness import BotHarness
from tests.schools.leave import (
    CAO,
    HEAD,
    LEADER,
    OFFICE_A,
    OFFICE_B,
    TEACHER,
    XU,
    in_own_chat,
    seed,
)


async def swaps(engine: AsyncEngine) -> list[LessonSwap]:
    async with session_factory(engine)() as s:
        return list((await s.exec(select(LessonSwap).order_by(LessonSwap.id))).all())


async def test_a_swap_needs_the_colleague_then_the_arranger_and_then_moves_the_lessons(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    proposed = (await harness.send(teacher, "/swap 周四第3节 许志强 周五第2节"))[-1]
    assert "已把调课请求发给 许志强 确认" in proposed.plain
    ask = harness.last(XU)
    assert "周雅琴 想和你调课" in ask.plain
    assert "11月26日 周四 第3节（10:00–10:40）三(2)班 语文（周雅琴）" in ask.plain
    assert "⇄ 11月27日 周五 第2节（08:50–09:30）三(2)班 数学（许志强）" in ask.plain
    assert harness.in_chat(OFFICE_A) == []  # nobody approves before the colleague agrees

    await harness.press(harness.user(XU), ask, ask.data_of("同意"))
    assert "许志强 同意了调课" in harness.last(TEACHER).plain
    request = harness.last(OFFICE_A)
    assert "双方已同意" in request.plain and harness.last(OFFICE_B).plain == request.plain
    _, not_yours = await harness.press(harness.user(XU), in_own_chat(XU), request.data_of("批准"))
    assert not_yours["text"] == "你没有权限执行这个操作。"

    await harness.press(harness.user(OFFICE_A), request, request.data_of("批准"))

    assert "调课已批准（王晴晴）" in harness.last(TEACHER).plain
    assert "调课已批准（王晴晴）" in harness.last(XU).plain
    assert [s.status for s in await swaps(engine)] == ["approved"]
    # The swap changed who teaches when: 周雅琴 now has 三(2)班 on Friday in period 2, and
    # 许志强 has it on Thursday in period 3.
    await harness.send(teacher, "/leave 事假 周五 上午 办事")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    async with session_factory(engine)() as s:
        moved = (await s.exec(select(CoverNeed).order_by(CoverNeed.period))).all()
    assert [(n.day.isoformat(), n.period, n.subject_id) for n in moved] == [
        ("2026-11-27", 2, 1),
        ("2026-11-27", 4, 1),
    ]
    xu = (await harness.send(harness.user(XU), "/leave 事假 周四 第3节 家事"))[-1]
    assert "第3节（10:00–10:40）三(2)班 数学" in xu.plain
    async with session_factory(engine)() as s:
        logged = [e.action for e in await audit.entries(session=s) if e.action.startswith("swap")]
    assert logged == ["swap_proposed", "swap_agreed", "swap_approved"]


async def test_clashes_are_refused_and_named(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)

    async def ask(text: str) -> str:
        return (await harness.send(teacher, text))[-1].plain

    clash = await ask("/swap 周四第3节 许志强 周四第2节")
    assert "冲突" in clash
    assert (
        "三(1)班 11月26日 周四第3节：已有 11月26日 周四 第3节（10:00–10:40）三(1)班 数学（曹明）"
        in clash
    )
    assert "你 11月26日 周四第2节 没有课" in await ask("/swap 周四第2节 许志强 周五第2节")
    assert "许志强 11月27日 周五第3节 没有课" in await ask("/swap 周四第3节 许志强 周五第3节")
    assert "没看懂课节“周八第3节”" in await ask("/swap 周八第3节 许志强 周五第2节")
    assert "不能和自己调课" in await ask("/swap 周四第3节 周雅琴 周四第5节")
    assert "没有“许强”" in await ask("/swap 周四第3节 许强 周五第2节")
    assert "请写上同事的姓名" in await ask("/swap 周四第3节")
    assert await swaps(engine) == []


async def test_decline_withdraw_and_buttons_after_the_fact(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    await harness.send(teacher, "/swap 周四第3节 许志强 周五第2节")
    ask = harness.last(XU)
    agree = ask.data_of("同意")
    await harness.press(harness.user(XU), ask, ask.data_of("拒绝"))
    assert "许志强 拒绝了调课" in harness.last(TEACHER).plain
    _, late = await harness.press(harness.user(XU), ask, agree)
    assert "已被同事拒绝" in late["text"]

    proposed = (await harness.send(teacher, "/swap 周四第3节 许志强 周五第2节"))[-1]
    again = harness.last(XU)
    agree_again = again.data_of("同意")
    await harness.press(teacher, proposed, proposed.data_of("撤销"))
    _, withdrawn = await harness.press(harness.user(XU), again, agree_again)
    assert "已撤销" in withdrawn["text"]
    assert "周雅琴 撤销了调课请求" in harness.last(XU).plain
    _, other = await harness.press(harness.user(CAO), in_own_chat(CAO), agree_again)
    assert other["text"] == "你没有权限执行这个操作。"
    assert [s.status for s in await swaps(engine)] == ["declined", "withdrawn"]


async def test_a_swap_on_a_closed_day_says_the_school_is_closed_that_day(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(HEAD), "/calendar closed 2026-12-03 停电")

    refused = await harness.send(harness.user(TEACHER), "/swap 12月3日第3节 许志强 12月4日第2节")

    assert refused[-1].plain.startswith("12月3日 周四 不上课（")
    assert "停电" in refused[-1].plain and "没有课可以调" in refused[-1].plain
    assert await swaps(engine) == []


async def test_the_swap_wizard_for_someone_without_lessons_says_so_without_a_picker(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())

    answer = (await harness.send(harness.user(OFFICE_A), "/swap"))[-1]
    typed = (await harness.send(harness.user(OFFICE_A), "周四第3节"))[-1]

    assert answer.plain.startswith("接下来 7 天你没有课") and answer.buttons == []
    # No form is left waiting for an answer.
    assert typed.plain.startswith("我现在没有在等你输入文字")


async def test_the_swap_wizard(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    mine = (await harness.send(teacher, "/swap"))[-1]
    labels = [label for label, _ in mine.buttons]
    assert labels[0] == "11月26日 周四 第3节（10:00–10:40）三(2)班 语文" and labels[-1] == "取消"

    colleague = (await harness.press(teacher, mine, mine.data_of("周四 第3节")))[0][-1]
    assert [label for label, _ in colleague.buttons] == ["许志强", "取消"]
    theirs = (await harness.press(teacher, colleague, colleague.data_of("许志强")))[0][-1]
    assert [label for label, _ in theirs.buttons][:2] == [
        "11月26日 周四 第1节（08:00–08:40）三(2)班 数学",
        "11月27日 周五 第2节（08:50–09:30）三(2)班 数学",
    ]
    typed = await harness.send(teacher, "周四第2节")
    assert "冲突" in typed[-1].plain and "三(1)班 数学（曹明）" in typed[-1].plain
    assert "没有课" in (await harness.send(teacher, "周四第4节"))[-1].plain
    confirm = (await harness.press(teacher, theirs, theirs.data_of("周五 第2节")))[0][-1]
    assert "请确认调课" in confirm.plain
    await harness.press(teacher, confirm, confirm.data_of("提交"))

    assert "周雅琴 想和你调课" in harness.last(XU).plain
    assert [s.status for s in await swaps(engine)] == ["asked"]
    await harness.send(teacher, "/swap")
    assert (await harness.send(teacher, "/cancel"))[-1].plain == "已取消。"
    assert len(await swaps(engine)) == 1


async def test_pending_shows_swaps_waiting_for_me(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/swap 周四第3节 许志强 周五第2节")
    colleague = await harness.send(harness.user(XU), "/pending")
    assert "周雅琴 想和你调课" in colleague[0].plain and colleague[0].buttons
    await harness.press(harness.user(XU), colleague[0], colleague[0].data_of("同意"))
    office = await harness.send(harness.user(OFFICE_B), "/pending")
    assert "双方已同意" in office[0].plain and "1 项等你处理" in office[-1].plain


async def test_a_lesson_with_cover_arranged_is_not_swapped_away_from_its_substitute(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher, xu = harness.user(TEACHER), harness.user(XU)
    # A swap agreed before the leave: 许志强's Friday period 2 for 周雅琴's period 4.
    await harness.send(xu, "/swap 周五第2节 周雅琴 周五第4节")
    ask = harness.last(TEACHER)
    await harness.press(teacher, ask, ask.data_of("同意"))
    request = harness.last(OFFICE_A)
    # Then 周雅琴 is away for Friday's period 4 only, and Thursday: cover is arranged for both.
    await harness.send(teacher, "/leave 事假 周五 第4节 家事")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    await harness.send(teacher, "/leave 病假 周四 发烧")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:2")

    refused = (await harness.send(teacher, "/swap 周四第3节 许志强 周五第2节"))[-1].plain
    assert "周雅琴 11月26日 周四第3节：这节课已列入代课安排" in refused
    assert "请先调整代课安排" in refused

    _, answer = await harness.press(harness.user(OFFICE_A), request, request.data_of("批准"))
    assert answer["text"] == "现在调课会冲突，详见消息。"
    clash = harness.last(OFFICE_A).plain
    assert "周雅琴 11月27日 周五第4节：这节课已列入代课安排" in clash
    assert [s.status for s in await swaps(engine)] == ["agreed"]
    async with session_factory(engine)() as s:
        friday = (await s.exec(select(CoverNeed).where(CoverNeed.period == 4))).one()
    assert (friday.status, friday.class_id) == ("open", 2)  # still 三(2)班 语文, untouched


async def test_forged_wizard_buttons_are_refused_and_audited(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    mine = (await harness.send(teacher, "/swap"))[-1]
    _, huge = await harness.press(teacher, mine, "v1:sww:mine:99999999999")
    _, bad_day = await harness.press(teacher, mine, "v1:sww:mine:2026133103")
    assert huge["text"] == bad_day["text"] == "这个按钮已失效。"
    colleague = (await harness.press(teacher, mine, mine.data_of("周四 第3节")))[0][-1]
    _, nobody = await harness.press(teacher, colleague, "v1:sww:who:99999999999")
    assert nobody["text"] == "这个按钮已失效。"
    theirs = (await harness.press(teacher, colleague, colleague.data_of("许志强")))[0][-1]
    _, no_slot = await harness.press(teacher, theirs, "v1:sww:les:2026112799")
    assert no_slot["text"] == "这个按钮已失效。"
    async with session_factory(engine)() as s:
        refused = await audit.entries(session=s, action="button_refused")
    assert len(refused) == 4
    # The wizard still works after the forged presses.
    confirm = (await harness.press(teacher, theirs, theirs.data_of("周五 第2节")))[0][-1]
    assert "请确认调课" in confirm.plain


async def test_periods_beyond_the_school_day_and_english_examples(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)
    beyond = (await harness.send(teacher, "/swap 周四第9节 许志强 周五第2节"))[-1].plain
    assert "学校每天只有 7 节课，11月26日 周四第9节不存在" in beyond
    english = harness.user(TEACHER, language_code="en")
    await harness.send(english, "/lang en")
    bad = (await harness.send(english, "/swap thu p3"))[-1].plain
    assert "Add the colleague's name and their lesson, e.g. /swap thu p3 许志强 fri p2" in bad
    assert "周四" not in bad
