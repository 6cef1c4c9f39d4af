"""Long-term cover (固定代课): the plan offered when a long leave is approved, a colleague picked
for each weekly lesson, a clash refused, a press by someone who does not arrange refused, the
plan ended early.

周雅琴 is away three weeks, Monday 30 November to Friday 18 December 2026: her weekly lessons
are Thursday periods 3 and 5 and Friday period 4, all 三(2)班 语文, nine lessons in all.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from storage.models import CoverNeed, CoverPlan
from tests.conftest import SHANGHAI
from tests.harness import BotHarness, Sent
from tests.schools.leave import CAO, HEAD, LEADER, LIN, OFFICE_A, OFFICE_B, TEACHER, XU, seed


async def three_weeks_off(harness: BotHarness) -> Sent:
    """周雅琴's three weeks, approved by the three steps; returns 王晴晴's plan offer."""
    await harness.send(harness.user(TEACHER), "/leave 病假 2026-11-30~2026-12-18 手术后休养")
    for approver in (LEADER, OFFICE_A, HEAD):
        request = harness.last(approver)
        await harness.press(harness.user(approver), request, request.data_of("批准"))
    return next(m for m in reversed(harness.in_chat(OFFICE_A)) if "固定代课" in m.plain)


async def needs(engine: AsyncEngine) -> list[CoverNeed]:
    async with session_factory(engine)() as s:
        query = select(CoverNeed).order_by(CoverNeed.day, CoverNeed.period)
        return list((await s.exec(query)).all())


async def test_a_long_leave_offers_a_plan_and_a_pick_covers_every_week(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    offer = await three_weeks_off(harness)

    assert offer.plain.splitlines()[0].startswith("🗓 固定代课 · 周雅琴 请假 #1")
    assert "1. 周四 第3节 三(2)班 语文：未定（3 节）" in offer.plain
    assert "3. 周五 第4节 三(2)班 语文：未定（3 节）" in offer.plain
    assert "病假" not in offer.plain and "手术后休养" not in offer.plain
    # 许志强 teaches 三(2)班 and is free at period 3 every Thursday; 曹明 teaches then.
    labels = [label for label, _ in offer.buttons]
    assert "1→许志强" in labels and "1→曹明" not in labels
    assert any("固定代课" in m.plain for m in harness.in_chat(OFFICE_B))

    _, answer = await harness.press(harness.user(OFFICE_A), offer, offer.data_of("1→许志强"))

    assert answer["text"].startswith("已安排 许志强：3 节")
    period3 = [n for n in await needs(engine) if n.period == 3]
    assert [(n.day.day, n.status, n.substitute_id) for n in period3] == [
        (3, "assigned", school.staff["许志强"].id),
        (10, "assigned", school.staff["许志强"].id),
        (17, "assigned", school.staff["许志强"].id),
    ]
    assert all(n.acknowledged_at is not None for n in period3)
    told = harness.last(XU).plain
    assert "📌 固定代课" in told and "每周 周四 第3节 三(2)班 语文" in told and "共 3 节" in told
    assert "手术后休养" not in told
    board = harness.request.find(OFFICE_A, offer.message_id).plain
    assert "1. 周四 第3节 三(2)班 语文：许志强（11月30日 周一 至 12月18日 周五）" in board
    # The board moved on to the next lesson without a plan teacher.
    assert "👉 2. 周四 第5节" in board
    # Paging back shows the lesson given, with colleagues to give it to instead.
    board_sent = harness.request.find(OFFICE_A, offer.message_id)
    await harness.press(harness.user(OFFICE_A), board_sent, board_sent.data_of("◀ 上一个（1）"))
    paged = harness.request.find(OFFICE_A, offer.message_id)
    assert "👉 1. 周四 第3节 三(2)班 语文：许志强" in paged.plain
    assert "第 1 项 周四 第3节 三(2)班 语文 的固定代课老师" in paged.plain
    async with session_factory(engine)() as s:
        assert [e.action for e in await audit.entries(session=s, action="cover_plan_set")] == [
            "cover_plan_set"
        ]


async def test_a_colleague_who_teaches_then_cannot_be_chosen(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    offer = await three_weeks_off(harness)
    cao = school.staff["曹明"].id
    # 曹明 teaches 三(1)班 数学 at Thursday period 3.
    forged = f"v1:cplan:pick:1:403:{school.c32.id}:{cao}"

    _, answer = await harness.press(harness.user(OFFICE_A), offer, forged)

    assert answer["show_alert"]
    assert answer["text"] == "曹明 12月3日 周四 第3节 自己有课或已在代课，不能固定代这节课。"
    assert all(n.status == "open" for n in await needs(engine))
    async with session_factory(engine)() as s:
        assert (await s.exec(select(CoverPlan))).first() is None


async def test_only_an_arranger_of_the_lesson_may_press(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    offer = await three_weeks_off(harness)
    pick = offer.data_of("1→许志强")

    for someone in (CAO, TEACHER):
        _, answer = await harness.press(harness.user(someone), in_own(someone), pick)
        assert answer["text"] == "你没有权限执行这个操作。"
    monday = "v1:cplan:pick:1:102:1:3"  # she has no lesson on Monday period 2
    _, junk = await harness.press(harness.user(OFFICE_A), offer, monday)

    assert junk["text"] == "这个按钮已失效。"
    assert all(n.status == "open" for n in await needs(engine))
    async with session_factory(engine)() as s:
        denied = await audit.entries(session=s, action="denied")
    assert [e.actor_telegram_id for e in denied] == [CAO, TEACHER]


def in_own(user_id: int) -> Sent:
    return Sent(message_id=999_999, chat_id=user_id, text="")


async def test_ending_the_plan_puts_the_lessons_left_back_on_the_boards(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    offer = await three_weeks_off(harness)
    await harness.press(harness.user(OFFICE_A), offer, offer.data_of("1→许志强"))
    clock.set(datetime(2026, 12, 7, 8, 0, tzinfo=SHANGHAI))  # the second Monday
    board = harness.request.find(OFFICE_A, offer.message_id)

    _, answer = await harness.press(harness.user(OFFICE_A), board, board.data_of("结束固定代课"))

    assert answer["text"] == "固定代课已从 12月7日 周一 起结束，2 节课回到每日代课安排。"
    period3 = [n for n in await needs(engine) if n.period == 3]
    assert [(n.day, n.status) for n in period3] == [
        (date(2026, 12, 3), "assigned"),
        (date(2026, 12, 10), "open"),
        (date(2026, 12, 17), "open"),
    ]
    assert period3[0].substitute_id == school.staff["许志强"].id
    assert "固定代课已结束" in harness.last(XU).plain
    # The arrangers get the coming week's board with the lesson to arrange.
    assert any(m.plain.startswith("📋 代课安排 · 12月10日 周四") for m in harness.in_chat(OFFICE_B))


async def test_coming_back_early_ends_the_plan(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    offer = await three_weeks_off(harness)
    await harness.press(harness.user(OFFICE_A), offer, offer.data_of("1→许志强"))
    clock.set(datetime(2026, 12, 8, 12, 0, tzinfo=SHANGHAI))

    await harness.send(harness.user(TEACHER), "/back")

    async with session_factory(engine)() as s:
        plan = (await s.exec(select(CoverPlan))).one()
    assert (plan.status, plan.ended_from) == ("ended", date(2026, 12, 8))
    assert [(n.day.day, n.status) for n in await needs(engine) if n.period == 3] == [
        (3, "assigned"),
        (10, "released"),
        (17, "released"),
    ]
    # 许志强 hears it once for the weekly lesson, not once for each of its two days left.
    told = [m.plain for m in harness.in_chat(XU) if "周雅琴 已销假" in m.plain]
    assert told == [
        "周雅琴 已销假：每周 周四 第3节 三(2)班 语文 的固定代课到此结束，"
        "12月10日 周四 至 12月18日 周五 的这节课不用再代了。"
    ]
    assert not [m for m in harness.in_chat(XU) if "不用代课" in m.plain]
    board = harness.request.find(OFFICE_A, offer.message_id)
    _, answer = await harness.press(harness.user(OFFICE_A), board, board.data_of("2→"))
    assert answer["text"] == "这次请假已不再生效（已销假或撤销），固定代课不能再更改。"


async def test_the_plan_command_in_english(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await three_weeks_off(harness)
    english = harness.user(OFFICE_B, language_code="en")
    await harness.send(english, "/lang en")

    (board,) = await harness.send(english, "/plan 1")

    assert board.plain.startswith("🗓 Fixed cover · 周雅琴's leave #1")
    assert "1. Thu period 3 三(2)班 语文: not set (3 lessons)" in board.plain
    (none,) = await harness.send(english, "/plan 99")
    assert none.plain == "There is no leave #99 for you to plan. Send /plan to see them."


async def test_a_shorter_leave_offers_no_plan_but_the_office_can_set_one(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    # Thursday 26 to Monday 30 November: three school days, under the five of the policy.
    await harness.send(harness.user(TEACHER), "/leave 病假 2026-11-26~2026-11-30 发烧")
    for approver in (LEADER, OFFICE_A):
        request = harness.last(approver)
        await harness.press(harness.user(approver), request, request.data_of("批准"))
    assert not [m for m in harness.in_chat(OFFICE_A) if "固定代课" in m.plain]

    (board,) = await harness.send(harness.user(OFFICE_A), "/plan")

    assert board.plain.startswith("🗓 固定代课 · 周雅琴 请假 #1")
    assert "1. 周四 第3节 三(2)班 语文：未定（1 节）" in board.plain
    (refused,) = await harness.send(harness.user(CAO), "/plan 1")
    assert refused.plain == "你没有权限执行这个操作。"


async def test_the_plan_ends_from_a_day_the_office_names(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    offer = await three_weeks_off(harness)
    await harness.press(harness.user(OFFICE_A), offer, offer.data_of("1→许志强"))

    sent = await harness.send(harness.user(OFFICE_B), "/plan 1 结束 12月14日")

    answer = next(m for m in sent if m.chat_id == OFFICE_B)
    assert answer.plain == "固定代课已从 12月14日 周一 起结束，1 节课回到每日代课安排。"
    assert [(n.day.day, n.status) for n in await needs(engine) if n.period == 3] == [
        (3, "assigned"),
        (10, "assigned"),
        (17, "open"),
    ]
    assert any("不再由你固定代课" in m.plain for m in sent if m.chat_id == XU)
    (again,) = await harness.send(harness.user(OFFICE_B), "/plan 1 结束")
    assert again.plain == "这次请假没有生效中的固定代课。"


async def test_a_lesson_typed_to_any_colleague_for_some_of_the_days(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    await three_weeks_off(harness)
    lin = school.staff["林秀英"].id
    office = harness.user(OFFICE_B)

    sent = await harness.send(office, "/plan 1 3 林秀英 12月7日~12月18日")

    answer = next(m for m in sent if m.chat_id == OFFICE_B)
    assert answer.plain == (
        "✅ 已安排 林秀英 固定代课：每周 周五 第4节 三(2)班 语文，"
        "12月7日 周一 至 12月18日 周五，2 节（另有 0 节已有安排，保持不变）。"
    )
    fridays = [(n.day.day, n.status, n.substitute_id) for n in await needs(engine) if n.period == 4]
    assert fridays == [(4, "open", None), (11, "assigned", lin), (18, "assigned", lin)]
    assert "共 2 节" in harness.last(LIN).plain

    # The same lesson for fewer days: the day left out goes back to daily arranging.
    await harness.send(office, "/plan 1 3 林秀英 12月14日~12月18日")
    fridays = [(n.day.day, n.status, n.substitute_id) for n in await needs(engine) if n.period == 4]
    assert fridays == [(4, "open", None), (11, "open", None), (18, "assigned", lin)]

    (unknown,) = await harness.send(office, "/plan 1 3 林秀")
    assert unknown.plain.startswith("教师名单里没有“林秀”。")
    (no_item,) = await harness.send(office, "/plan 1 4 林秀英")
    assert no_item.plain == "没有第 4 项课；这次请假共有 3 项每周的课（见 /plan 请假编号）。"
    (clash,) = await harness.send(office, "/plan 1 1 曹明")
    assert clash.plain == "曹明 12月3日 周四 第3节 自己有课或已在代课，不能固定代这节课。"


async def test_ending_the_plan_tells_each_teacher_their_own_days(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await three_weeks_off(harness)
    office = harness.user(OFFICE_B)
    await harness.send(office, "/plan 1 1 许志强")
    await harness.send(office, "/plan 1 2 郭春燕 12月7日~12月17日")
    await harness.send(harness.user(LEADER), "/lang en")  # 郭春燕

    sent = await harness.send(office, "/plan 1 结束 12月14日")

    (xu,) = [m.plain for m in sent if m.chat_id == XU and "不再由你固定代课" in m.plain]
    assert xu.startswith("固定代课已结束：12月14日 周一 至 12月18日 周五 每周 周四 第3节")
    (guo,) = [m.plain for m in sent if m.chat_id == LEADER and "Fixed cover ended" in m.plain]
    assert guo.startswith("Fixed cover ended: from Mon 14 Dec to Thu 17 Dec you no longer take")
